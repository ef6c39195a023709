from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from community.models import Post, Revision, Thread, Visibility
from community.services.threads import me_too_set, thread_create
from tests.factories import SpaceFactory, ask

pytestmark = pytest.mark.django_db


def test_asking_creates_thread_opening_post_first_revision_and_tags(member):
    thread = ask(member, tags=["Wallet Sync", "wallet-sync", "Ledger"])
    post = thread.posts.get()
    assert post.kind == "opening"
    assert "<p>" in post.body_html
    assert sorted(thread.tags.names()) == ["ledger", "wallet-sync"]
    revision = Revision.objects.get(post=post)
    assert (revision.number, revision.title) == (1, thread.title)
    assert thread.slug == "how-do-i-reset-my-wallet-password"


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("Too short", "A body that is long enough to pass.", "title"),
        ("x" * 151, "A body that is long enough to pass.", "title"),
        ("A perfectly fine title here", "short", "body"),
        ("A perfectly fine title here", "   ", "body"),
        ("A perfectly fine title here", "y" * 32_001, "body"),
    ],
)
def test_bad_title_or_body_is_refused_with_a_message_and_nothing_is_written(member, title, body, field):
    with pytest.raises(ValidationError) as excinfo:
        thread_create(author=member, space=SpaceFactory(), kind="question", title=title, body=body)
    assert field in excinfo.value.message_dict
    assert "characters" in excinfo.value.message_dict[field][0]
    assert Thread.objects.count() == Post.objects.count() == 0


def test_every_problem_is_reported_at_once(member):
    with pytest.raises(ValidationError) as excinfo:
        thread_create(
            author=member, space=SpaceFactory(), kind="question", title="short", body="tiny", tags="a b c d e f"
        )
    assert set(excinfo.value.message_dict) == {"title", "body", "tags"}


@override_settings(RAPPORT_MAX_TAGS=2)
def test_too_many_tags_is_refused(member):
    with pytest.raises(ValidationError, match="at most 2 tags"):
        ask(member, tags=["a", "b", "c"])


def test_private_spaces_refuse_those_who_cannot_see_them(member, staff):
    staff_space = SpaceFactory(visibility=Visibility.STAFF)
    with pytest.raises(PermissionDenied):
        ask(member, staff_space)
    assert ask(staff, staff_space).space == staff_space


def test_anonymous_visitors_cannot_ask(anonymous):
    with pytest.raises(PermissionDenied):
        ask(anonymous)


def test_ideas_start_as_new(member):
    idea = ask(member, kind="idea", title="Let me export my transaction history as CSV")
    assert idea.idea_status == "new"


def test_me_too_counts_each_member_once(member, other_member):
    question = ask(member)
    assert me_too_set(thread=question, member=other_member, on=True) is True
    assert me_too_set(thread=question, member=other_member, on=True) is False
    assert Thread.objects.get(pk=question.pk).me_too_count == 1
    assert me_too_set(thread=question, member=other_member, on=False) is True
    assert Thread.objects.get(pk=question.pk).me_too_count == 0
    with pytest.raises(ValidationError):
        me_too_set(thread=question, member=member, on=True)
