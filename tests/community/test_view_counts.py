from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.db.models.query import QuerySet
from django.urls import reverse

from community import tasks
from community.models import Thread
from community.services.view_counts import _redis_client, thread_view_record, view_counts_flush
from tests.factories import ask

pytestmark = pytest.mark.django_db


def _thread_url(thread):
    return reverse("thread_detail", args=[thread.pk, thread.slug])


def test_each_viewer_counts_once_an_hour_and_the_flush_adds_the_views(member):
    thread = ask(member)
    assert thread_view_record(thread_id=thread.pk, viewer="u1") is True
    assert thread_view_record(thread_id=thread.pk, viewer="u1") is False
    assert thread_view_record(thread_id=thread.pk, viewer="u2") is True
    assert Thread.objects.get(pk=thread.pk).view_count == 0  # nothing written per view
    assert view_counts_flush() == 1
    assert Thread.objects.get(pk=thread.pk).view_count == 2
    assert view_counts_flush() == 0  # a second flush finds nothing
    assert Thread.objects.get(pk=thread.pk).view_count == 2


def test_reading_a_thread_page_counts_a_view_but_crawlers_do_not(client, member):
    thread = ask(member)
    client.get(_thread_url(thread), HTTP_USER_AGENT="Mozilla/5.0")
    client.get(_thread_url(thread), HTTP_USER_AGENT="Mozilla/5.0")  # same reader
    client.get(_thread_url(thread), HTTP_USER_AGENT="Googlebot/2.1")
    client.get(_thread_url(thread), HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="10.0.0.9")
    tasks.flush_view_counts.run()
    tasks.flush_view_counts.run()  # twice: same end state
    assert Thread.objects.get(pk=thread.pk).view_count == 2


def test_views_of_several_threads_are_flushed_together(member):
    threads = [ask(member, title=f"Question {i} about the mobile app") for i in range(3)]
    for i, thread in enumerate(threads):
        for viewer in range(i + 1):
            thread_view_record(thread_id=thread.pk, viewer=f"v{viewer}")
    view_counts_flush()
    assert [Thread.objects.get(pk=t.pk).view_count for t in threads] == [1, 2, 3]


@pytest.mark.redis
def test_with_redis_the_buffer_is_an_atomic_hash(member):
    assert _redis_client() is not None
    thread = ask(member)
    for viewer in range(5):
        thread_view_record(thread_id=thread.pk, viewer=f"r{viewer}")
    assert int(_redis_client().hget("rapport:views:buffer", str(thread.pk))) == 5
    view_counts_flush()
    assert Thread.objects.get(pk=thread.pk).view_count == 5
    assert _redis_client().exists("rapport:views:buffer") == 0


def test_a_flush_leaves_the_list_rows_members_share_in_the_cache(client, member, other_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread = ask(member)
    client.force_login(other_member)
    client.get(_thread_url(thread))  # one view to flush
    client.get("/threads/")  # the rows are built and cached
    with CaptureQueriesContext(connection) as before:
        client.get("/threads/")

    assert view_counts_flush() == 1

    with CaptureQueriesContext(connection) as after:
        html = client.get("/threads/").content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert "0 views" in html  # up to the rows' lifetime (a minute) old


# --- Crash safety: a batch leaves the cache only after the database has it -----------------------------------

PENDING_KEY = "rapport:views:pending"


@pytest.fixture(
    params=[pytest.param("redis", marks=pytest.mark.redis), "locmem"],
)
def view_buffer(request, settings):
    """The buffer on real Redis (an atomic hash) and on a cache without hashes (a dict under a lock)."""
    if request.param == "locmem":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        assert _redis_client() is None
    else:
        assert _redis_client() is not None
    return request.param


def _pending() -> dict[int, int]:
    """The batch a flush has moved aside and not yet finished writing."""
    client = _redis_client()
    if client is not None:
        return {int(k): int(v) for k, v in client.hgetall(PENDING_KEY).items()}
    return {int(k): int(v) for k, v in (cache.get(PENDING_KEY) or {}).items()}


def _leftover_keys() -> list[str]:
    client = _redis_client()
    if client is not None:
        return sorted(key.decode() for key in client.keys("rapport:views:*"))
    return [key for key in ("rapport:views:buffer", PENDING_KEY) if cache.get(key) is not None]


def _view(thread, *viewers):
    for viewer in viewers:
        assert thread_view_record(thread_id=thread.pk, viewer=viewer) is True


def _view_count(thread) -> int:
    return Thread.objects.get(pk=thread.pk).view_count


@pytest.fixture
def failing_write(monkeypatch):
    """While active, every UPDATE the flush sends fails, as if the database went away mid-flush."""

    def fail(self, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    def activate():
        monkeypatch.setattr(QuerySet, "update", fail)

    def deactivate():
        monkeypatch.undo()

    return activate, deactivate


def test_a_flush_whose_database_write_fails_keeps_the_views_and_the_next_flush_adds_them_once(
    view_buffer, member, failing_write
):
    thread = ask(member)
    _view(thread, "u1", "u2", "u3")
    fail, recover = failing_write

    fail()
    with pytest.raises(OperationalError):
        view_counts_flush()
    recover()

    assert _view_count(thread) == 0
    assert _pending() == {thread.pk: 3}  # still in the cache, set aside for the next flush
    assert view_counts_flush() == 1
    assert _view_count(thread) == 3
    assert view_counts_flush() == 0  # the batch is gone once written: not added twice
    assert _view_count(thread) == 3


def test_views_recorded_while_a_batch_is_pending_are_counted_once_too(view_buffer, member, failing_write):
    thread, other = ask(member), ask(member, title="Another question about the mobile app")
    _view(thread, "u1", "u2")
    fail, recover = failing_write

    fail()
    with pytest.raises(OperationalError):
        view_counts_flush()
    _view(thread, "u3")
    _view(other, "u1")
    # A second failed flush finds the first batch still pending: the newer views must not replace it.
    with pytest.raises(OperationalError):
        view_counts_flush()
    recover()
    assert _pending() == {thread.pk: 2}

    view_counts_flush()
    assert (_view_count(thread), _view_count(other)) == (3, 1)
    view_counts_flush()
    assert (_view_count(thread), _view_count(other)) == (3, 1)


def test_a_flush_parks_the_batch_under_the_pending_key_while_writing_and_leaves_no_key_behind(view_buffer, member):
    thread = ask(member)
    _view(thread, "u1", "u2")
    seen_while_writing = []
    update = QuerySet.update

    def spying_update(self, **kwargs):
        seen_while_writing.append(_pending())
        return update(self, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QuerySet, "update", spying_update)
        assert view_counts_flush() == 1

    assert seen_while_writing == [{thread.pk: 2}]
    assert _view_count(thread) == 2
    assert _leftover_keys() == []


@pytest.mark.django_db(transaction=True)  # the second flush runs on its own connection, as in another worker
def test_a_flush_started_while_another_is_writing_adds_nothing_twice(view_buffer, member):
    thread = ask(member)
    _view(thread, "u1", "u2")
    update = QuerySet.update
    second: list[int] = []
    started = threading.Event()

    def second_flush():
        try:
            second.append(view_counts_flush())
        finally:
            connection.close()

    def update_while_another_worker_flushes(self, **kwargs):
        if not started.is_set():
            started.set()
            other_worker = threading.Thread(target=second_flush)
            other_worker.start()
            other_worker.join(timeout=10)
        return update(self, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QuerySet, "update", update_while_another_worker_flushes)
        view_counts_flush()

    assert second == [0]
    assert _view_count(thread) == 2
    # Control: once the first flush is done, the next one runs (and counts the views recorded since).
    _view(thread, "u3")
    assert view_counts_flush() == 1
    assert _view_count(thread) == 3
