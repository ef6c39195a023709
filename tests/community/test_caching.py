"""community.caching: entries under one or several versioned scopes, fetched together."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from community import caching
from community.models import Visibility
from community.services.posts import answer_create
from community.services.spaces import space_save
from community.services.view_counts import thread_view_record, view_counts_flush
from community.services.votes import vote_cast
from moderation.services.threads import thread_delete, thread_move, thread_restore
from tests.factories import SpaceFactory, ask

# bump() also bumps again on commit, which needs the database.
pytestmark = pytest.mark.django_db


def test_entries_of_several_lookups_come_back_together_and_each_scope_invalidates_its_own():
    caching.lookup("a", "x").store("ax")
    caching.lookup(("a", "b"), "y").store("aby")

    x, y = caching.lookup_many([("a", "x"), (("a", "b"), "y")])
    assert (x.hit, x.value, y.hit, y.value) == (True, "ax", True, "aby")

    caching.bump("b")
    x, y = caching.lookup_many([("a", "x"), (("a", "b"), "y")])
    assert (x.hit, y.hit) == (True, False)

    caching.bump("a")
    assert not caching.lookup("a", "x").hit


def test_a_lookup_that_may_not_create_versions_leaves_nothing_behind_until_something_is_stored():
    found = caching.lookup(("thread:404", "spaces"), "row", create=False)

    assert not found.hit
    assert cache.get(caching._version_key("thread:404")) is None

    found.store("the row")
    assert caching.lookup(("thread:404", "spaces"), "row", create=False).value == "the row"


def test_a_value_built_while_a_writer_bumped_the_missing_version_is_not_stored():
    found = caching.lookup("thread:7", "row", create=False)
    caching.bump("thread:7")  # a write between the lookup and the store: what was built may predate it

    found.store("maybe stale")

    assert not caching.lookup("thread:7", "row").hit


def test_lookups_of_one_batch_sharing_a_missing_version_can_all_be_stored():
    first, second = caching.lookup_many([("thread:8", "row"), ("thread:8", "content")], create=False)
    first.store("row")
    second.store("content")

    assert [found.value for found in caching.lookup_many([("thread:8", "row"), ("thread:8", "content")])] == [
        "row",
        "content",
    ]


def test_entries_prefetched_together_are_taken_once_each_without_another_round_trip(monkeypatch):
    caching.lookup("a", "x").store("ax")
    caching.lookup("b", "y").store("by")
    calls = []
    real = caching.lookup_many
    monkeypatch.setattr(caching, "lookup_many", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))

    with caching.prefetched([("a", "x"), ("b", "y"), ("b", "missing")]):
        assert caching.cached("a", "x", lambda: "rebuilt") == "ax"
        assert caching.lookup("b", "y").value == "by"
        assert caching.cached("b", "missing", lambda: "built") == "built"
        assert len(calls) == 1
        assert caching.lookup("a", "x").value == "ax"  # taken already: looked up again
        assert len(calls) == 2
    assert caching.lookup("b", "missing").value == "built"


def test_a_prefetched_entry_rebuilt_after_a_write_is_not_stored_under_the_old_version():
    caching.lookup("thread:9", "content").store("old")
    caching.bump("thread:9")
    with caching.prefetched([("thread:9", "content")]):
        found = caching.lookup("thread:9", "content")
        caching.bump("thread:9")  # a write while the page was being built
        found.store("built from rows read before the write")

    assert not caching.lookup("thread:9", "content").hit


def _visibility_version() -> str | None:
    return cache.get(caching._version_key(caching.VISIBILITY_SCOPE))


@pytest.fixture
def visibility_version():
    caching.bump(caching.VISIBILITY_SCOPE)
    return _visibility_version()


def test_hiding_restoring_and_moving_threads_and_changing_a_space_s_visibility_bump_the_visibility_scope(
    visibility_version, member, staff
):

    thread = ask(member)
    seen = {visibility_version}
    for change in (
        lambda: thread_delete(thread=thread, actor=staff),
        lambda: thread_restore(thread=thread, actor=staff),
        lambda: thread_move(thread=thread, space=SpaceFactory(), actor=staff),
    ):
        assert change() is True
        assert _visibility_version() not in seen
        seen.add(_visibility_version())
    thread.space.visibility = Visibility.STAFF
    space_save(space=thread.space)
    assert _visibility_version() not in seen


def test_writes_that_hide_nothing_leave_the_visibility_scope_alone(visibility_version, member, other_member, staff):

    thread = ask(member)
    reply = answer_create(author=other_member, thread=thread, body="Open settings, then restore from phrase.")
    vote_cast(voter=member, post=reply, value=1)
    assert thread_restore(thread=thread, actor=staff) is False  # it was not deleted
    assert thread_move(thread=thread, space=thread.space, actor=staff) is False  # it was there
    thread.space.description = "Everything about wallets."
    space_save(space=thread.space)
    thread_view_record(thread_id=thread.pk, viewer="u1")
    view_counts_flush()

    assert _visibility_version() == visibility_version
