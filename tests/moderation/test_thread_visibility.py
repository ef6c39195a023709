"""Deleting, restoring and moving threads: moderators only, idempotent, counters kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from community.models import Thread, Visibility
from moderation.services.threads import thread_close_as_duplicate, thread_delete, thread_move, thread_restore
from tests.community.test_signals import sent_never_on_rollback, sent_once_after_commit, signals_received
from tests.factories import SpaceFactory, ask

pytestmark = pytest.mark.django_db


def test_a_member_cannot_delete_restore_or_move_a_thread(member, other_member):
    thread = ask(member)
    with pytest.raises(PermissionDenied):
        thread_delete(thread=thread, actor=other_member)
    with pytest.raises(PermissionDenied):
        thread_delete(thread=thread, actor=member)  # not even their own: that is a moderator's call
    with pytest.raises(PermissionDenied):
        thread_restore(thread=thread, actor=member)
    with pytest.raises(PermissionDenied):
        thread_move(thread=thread, space=SpaceFactory(), actor=member)
    assert Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True, space=thread.space).exists()


def test_staff_delete_restore_and_move_a_thread_once_each(member, staff):
    thread = ask(member)
    private = SpaceFactory(visibility=Visibility.STAFF)

    assert thread_delete(thread=thread, actor=staff) is True
    assert thread_delete(thread=thread, actor=staff) is False
    assert Thread.objects.get(pk=thread.pk).deleted_at is not None
    assert thread_restore(thread=thread, actor=staff) is True
    assert thread_restore(thread=thread, actor=staff) is False
    assert Thread.objects.get(pk=thread.pk).deleted_at is None
    assert thread_move(thread=thread, space=private, actor=staff) is True
    assert thread_move(thread=thread, space=private, actor=staff) is False
    assert Thread.objects.get(pk=thread.pk).space == private


def test_a_deleted_duplicate_no_longer_counts_on_its_canonical_thread_until_restored(member, other_member, staff):
    canonical = ask(member, title="How do I reset my wallet password?")
    duplicate = ask(other_member, canonical.space, title="Forgot my wallet password, what now?")
    thread_close_as_duplicate(thread=duplicate, canonical=canonical, actor=staff)
    assert Thread.objects.get(pk=canonical.pk).duplicate_count == 1

    thread_delete(thread=duplicate, actor=staff)
    assert Thread.objects.get(pk=canonical.pk).duplicate_count == 0

    thread_restore(thread=duplicate, actor=staff)
    assert Thread.objects.get(pk=canonical.pk).duplicate_count == 1


def deleting(member, other_member, staff):
    thread = ask(member)
    return (lambda: thread_delete(thread=thread, actor=staff)), lambda _done: _announced(thread, staff, "deleted")


def restoring(member, other_member, staff):
    thread = ask(member)
    thread_delete(thread=thread, actor=staff)
    return (lambda: thread_restore(thread=thread, actor=staff)), lambda _done: _announced(thread, staff, "restored")


def moving(member, other_member, staff):
    thread, space = ask(member), SpaceFactory()
    return (lambda: thread_move(thread=thread, space=space, actor=staff)), lambda _done: _announced(
        thread, staff, "moved"
    )


def _announced(thread, actor, change):
    return "thread_visibility_changed", Thread, {"thread_id": thread.pk, "actor_id": actor.pk, "change": change}


@pytest.mark.parametrize("case", [deleting, restoring, moving])
@pytest.mark.parametrize("check", [sent_once_after_commit, sent_never_on_rollback])
def test_the_other_apps_hear_of_a_visibility_change_once_after_commit_and_never_when_rolled_back(
    case, check, django_capture_on_commit_callbacks, member, other_member, staff
):
    with signals_received() as received:
        check(case, received, django_capture_on_commit_callbacks, member, other_member, staff)
