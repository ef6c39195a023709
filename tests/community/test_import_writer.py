"""The importer's writer thread and parallel search indexing, on PostgreSQL outside a test transaction.

Every other importer test runs inside the test's transaction, where the
writes stay on the caller's connection (a second connection could not see
them). These tests commit for real, as the command does, so the writes run
on the writer's own thread and connection.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from community.importers.stackexchange import StackExchangeImporter
from community.importers.writer import BatchWriter
from community.models import Comment, Post, Thread
from rewards.models import BadgeAward
from tests.community.test_import_stackexchange import (
    BICYCLES,
    POSTS_OK,
    USERS,
    answer,
    assert_consistent,
    dump_dir,
    indexed,
    snapshot,
    source_of,
    write_dump,
    xml_rows,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


def _user_writer(names: list[str], threads: list[str]):
    def write():
        threads.append(threading.current_thread().name)
        for name in names:
            UserFactory(username=name)

    return write


def threads_running(monkeypatch, owner, name: str) -> set[str]:
    """The names of the threads `owner.name` runs on from now on (it still does what it did)."""
    names: set[str] = set()
    original = getattr(owner, name)

    def recording(*args, **kwargs):
        names.add(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return names


def _run_in_transaction(write):
    with transaction.atomic():
        write()


@pytest.mark.django_db(transaction=True)
def test_writes_run_in_order_on_their_own_thread_and_are_committed_after_flush():
    writer = BatchWriter(_run_in_transaction)
    assert not writer.inline
    threads: list[str] = []
    for n in range(4):
        writer.submit(_user_writer([f"batch-{n}-a", f"batch-{n}-b"], threads))
    writer.flush()
    assert User.objects.filter(username__startswith="batch-").count() == 8
    assert set(threads) == {"import-writer"}
    writer.close()


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_stops_the_later_ones_and_is_raised_to_the_caller():
    writer = BatchWriter(_run_in_transaction)
    threads: list[str] = []

    def failing():
        UserFactory(username="half-written")
        raise ValueError("the batch is wrong")

    writer.submit(_user_writer(["before"], threads))
    writer.submit(failing)
    writer.submit(_user_writer(["after"], threads))
    with pytest.raises(ValueError, match="the batch is wrong"):
        writer.close()
    # What was handed over before the failure is committed; the failed batch and the later ones are not.
    assert set(User.objects.values_list("username", flat=True)) == {"before"}


@pytest.mark.django_db
def test_inside_a_transaction_writes_run_at_once_on_the_callers_connection():
    writer = BatchWriter(_run_in_transaction)
    assert writer.inline
    threads: list[str] = []
    writer.submit(_user_writer(["inline"], threads))
    assert User.objects.filter(username="inline").exists()  # no flush needed: the same connection
    assert threads == [threading.current_thread().name]
    writer.close()


@pytest.mark.django_db(transaction=True)
def test_a_committed_import_uses_the_writer_thread_and_indexes_in_parallel(monkeypatch):
    """The real bicycles dump (453 threads: three chunks of search documents) imported as the command does."""
    from community.importers.stackexchange import importer
    from community.search.backends import PostgresBackend
    from rewards import stackexchange

    used = threads_running(monkeypatch, BatchWriter, "_loop")
    search_threads = threads_running(monkeypatch, PostgresBackend, "write_from_html")
    # The badges are the rewards app's side step: the run calls the step it registered.
    assert ("Badges.xml", stackexchange.import_badges) in importer.side_steps()
    badge_threads = threads_running(monkeypatch, stackexchange, "import_badges")

    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        # Earlier tests' imports, rolled back, leave the table's row count as they analyzed it: count it empty.
        cursor.execute("ANALYZE community_thread")
    summary = StackExchangeImporter(dump_dir(BICYCLES), batch_size=200).run()
    source = source_of(BICYCLES)
    assert used == {"import-writer"}
    assert len(search_threads) == 2
    assert all(name.startswith("search-index") for name in search_threads)
    assert badge_threads == {"import-alongside"}
    assert summary.questions == Thread.objects.filter(source=source).count() == 453
    assert indexed(source) == 453
    assert summary.badges == BadgeAward.objects.filter(source=source).count() > 0
    assert summary.comments == Comment.objects.filter(source=source).count() > 0
    with connection.cursor() as cursor:
        # Analyzed after the documents were written: the planner knows this site's common words from rare ones.
        cursor.execute(
            "SELECT most_common_elems::text::text[] FROM pg_stats"
            " WHERE tablename = 'community_thread' AND attname = 'search_document'"
        )
        assert "bike" in cursor.fetchone()[0]
    assert_consistent(source)
    # Each file's writes were committed before the next file was read: every author was found.
    members = {row["Id"] for row in xml_rows(dump_dir(BICYCLES) / "Users.xml")}
    authorless = sum(
        1
        for row in xml_rows(dump_dir(BICYCLES) / "Posts.xml")
        if row["PostTypeId"] in {"1", "2"} and row.get("OwnerUserId") not in members
    )
    assert Post.objects.filter(source=source, author__isnull=True).count() == authorless
    again = StackExchangeImporter(dump_dir(BICYCLES), batch_size=200).run()
    assert (again.questions, again.answers, again.comments, again.members) == (0, 0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_malformed_row_is_reported_after_the_batches_before_it_are_committed(tmp_path):
    posts = [*POSTS_OK, answer(7, 1), answer(8, 2)]
    good = {"Users": USERS, "Posts": posts}
    comments = [
        {"Id": 1, "PostId": 1, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
        {"Id": 2, "PostId": 2, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
        {"Id": 3, "PostId": 7, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
        {"Id": 4, "PostId": 8, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
        {"Id": 5, "PostId": 3, "Text": "Bad date", "CreationDate": "yesterday"},
    ]
    directory = write_dump(tmp_path / "threaded.example", **good, Comments=comments)
    importer = StackExchangeImporter(directory, batch_size=2)
    assert not importer.writer.inline
    with pytest.raises(Exception, match=r"Comments.xml: line 7: .*'yesterday'"):
        importer.run()
    source = "stackexchange:threaded.example"
    committed = snapshot(source)
    assert (committed["threads"], committed["answers"], committed["comments"]) == (6, 2, 4)
    assert_consistent(source)

    write_dump(directory, Comments=comments[:4])
    rerun = StackExchangeImporter(directory, batch_size=2).run()
    assert (rerun.questions, rerun.answers, rerun.comments) == (0, 0, 0)
    assert snapshot(source)["indexed"] == 6


@pytest.mark.django_db(transaction=True)
def test_a_malformed_badge_file_is_reported_after_the_steps_beside_it_commit(tmp_path):
    """Badges import on a thread of their own beside the comments: a bad row there fails the run, not them."""
    comments = [
        {"Id": n, "PostId": 1, "Text": f"Fine comment {n}", "CreationDate": "2021-05-01T00:00:00"} for n in range(1, 6)
    ]
    badges = [
        {"Id": 1, "UserId": 1, "Name": "Student", "Date": "2021-05-01T00:00:00", "Class": 3},
        {"Id": 2, "UserId": 1, "Name": "Teacher", "Date": "2021-05-01T00:00:00", "Class": 3},
        {"Id": 3, "UserId": 1, "Name": "Editor", "Date": "last week", "Class": 3},
    ]
    directory = write_dump(tmp_path / "beside.example", Users=USERS, Posts=POSTS_OK, Comments=comments, Badges=badges)
    importer = StackExchangeImporter(directory, batch_size=2)
    with pytest.raises(Exception, match=r"Badges.xml: line 5: .*'last week'"):
        importer.run()
    source = "stackexchange:beside.example"
    assert Comment.objects.filter(source=source).count() == 5  # every comment batch committed
    assert BadgeAward.objects.filter(source=source).count() == 2  # the badge batch before the bad row too
    assert_consistent(source)

    write_dump(directory, Badges=badges[:2])
    rerun = StackExchangeImporter(directory, batch_size=2).run()
    assert (rerun.comments, rerun.badges) == (0, 0)
    assert snapshot(source)["indexed"] == snapshot(source)["threads"]


@pytest.mark.django_db(transaction=True)
def test_a_batch_referring_to_a_member_deleted_meanwhile_fails_naming_file_and_batch(tmp_path, monkeypatch):
    """The database's own foreign key check refuses the batch; the error says which; a rerun resumes."""
    from community.importers.stackexchange import posts

    directory = write_dump(tmp_path / "vanished.example", Users=USERS, Posts=POSTS_OK)
    source = "stackexchange:vanished.example"
    import_posts = posts.import_posts

    def members_deleted_meanwhile(state, files):
        # Between the members step and the posts step, someone deletes the member who asked question 3.
        User.objects.filter(source=source, source_id=1).delete()
        import_posts(state, files)

    monkeypatch.setattr(posts, "import_posts", members_deleted_meanwhile)
    with pytest.raises(Exception, match=r"Posts\.xml, batch 1 \(of up to 2 rows\): the database refused it") as refused:
        StackExchangeImporter(directory, batch_size=2).run()
    assert re.search(r"Key \(author_id\)=\(\d+\) is not present in table \"accounts_user\"", str(refused.value))
    assert "a rerun resumes" in str(refused.value)
    assert not Thread.objects.filter(source=source).exists()  # the batch is not written, not even in part
    assert_consistent(source)

    # The control: the rerun imports the member again, then the questions, by that member.
    monkeypatch.setattr(posts, "import_posts", import_posts)
    rerun = StackExchangeImporter(directory, batch_size=2).run()
    assert (rerun.members, rerun.questions) == (1, 6)
    assert Thread.objects.filter(source=source, author__source_id=1).count() == 6
    assert_consistent(source)
