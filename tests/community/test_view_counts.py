from __future__ import annotations

import pytest
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
