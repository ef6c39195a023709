from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community.models import Thread
from community.permissions import can_reply
from community.services.posts import answer_create
from moderation.services.threads import thread_close_as_duplicate, thread_lock, thread_reopen, thread_unlock
from tests.factories import ask

pytestmark = pytest.mark.django_db


def test_closing_as_duplicate_links_and_counts_and_reopening_undoes_it(member, staff):
    canonical = ask(member, title="How do I delegate my stake to a pool?")
    copy = ask(member, title="How can I delegate stake to a pool?")
    assert thread_close_as_duplicate(thread=copy, canonical=canonical, actor=staff) is True
    assert thread_close_as_duplicate(thread=copy, canonical=canonical, actor=staff) is False
    copy.refresh_from_db()
    canonical.refresh_from_db()
    assert copy.duplicate_of_id == canonical.pk
    assert copy.closed_at is not None
    assert canonical.duplicate_count == 1

    assert thread_reopen(thread=copy, actor=staff) is True
    canonical.refresh_from_db()
    assert canonical.duplicate_count == 0
    assert Thread.objects.get(pk=copy.pk).duplicate_of_id is None


def test_members_cannot_close_as_duplicate(member, other_member):
    a, b = ask(member), ask(member, title="Another wallet question here")
    with pytest.raises(PermissionDenied):
        thread_close_as_duplicate(thread=a, canonical=b, actor=other_member)


def test_a_thread_is_never_its_own_duplicate(member, staff):
    a = ask(member)
    with pytest.raises(ValidationError):
        thread_close_as_duplicate(thread=a, canonical=a, actor=staff)


def test_locking_stops_members_answering_until_unlocked_and_says_when_nothing_changed(member, other_member, staff):
    question = ask(member)
    assert thread_lock(thread=question, actor=staff) is True
    assert thread_lock(thread=question, actor=staff) is False
    locked = Thread.objects.get(pk=question.pk)
    assert locked.locked_at is not None
    assert not can_reply(other_member, locked)
    with pytest.raises(PermissionDenied):
        answer_create(author=other_member, thread=locked, body="An answer that arrives after the lock.")

    assert thread_unlock(thread=locked, actor=staff) is True
    assert thread_unlock(thread=locked, actor=staff) is False
    assert answer_create(author=other_member, thread=locked, body="An answer once the thread is unlocked.")


def test_members_cannot_lock_or_unlock(member, other_member, staff):
    question = ask(member)
    with pytest.raises(PermissionDenied):
        thread_lock(thread=question, actor=other_member)
    assert Thread.objects.get(pk=question.pk).locked_at is None
    thread_lock(thread=question, actor=staff)
    with pytest.raises(PermissionDenied):
        thread_unlock(thread=question, actor=member)
    assert Thread.objects.get(pk=question.pk).locked_at is not None
