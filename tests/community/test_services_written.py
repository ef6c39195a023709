"""The tail every post write shares (content_written): following, search, cache, signal."""

from __future__ import annotations

import pytest

from community.models import Follow
from community.search.selectors import search_threads
from community.services.posts import post_edit
from tests.factories import answer, ask

pytestmark = pytest.mark.django_db


def test_asking_and_answering_follow_the_thread_once_however_often(member, other_member):
    question = ask(member)
    answer(other_member, question)
    answer(other_member, question, body="A second answer from the same member, with more detail.")
    assert Follow.objects.filter(thread=question, member=member).count() == 1
    assert Follow.objects.filter(thread=question, member=other_member).count() == 1


def test_an_answerer_who_unfollowed_follows_again_when_answering_again(member, other_member):
    question = ask(member)
    answer(other_member, question)
    Follow.objects.filter(thread=question, member=other_member).delete()
    answer(other_member, question, body="Coming back with what finally worked for me.")
    assert Follow.objects.filter(thread=question, member=other_member).exists()


def test_an_edit_is_searchable_at_once(member):
    question = ask(member)
    post_edit(post=question.posts.get(), editor=member, body="The recovery screen shows a platypus instead.")
    assert [hit.id for hit in search_threads(user=member, query="platypus").hits] == [question.pk]
