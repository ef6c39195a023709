"""Bulk writes (community/db/bulk.py), shared by the importers and the search index, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import EmailFrequency, Profile, User
from community.db.bulk import (
    Columns,
    allocate_ids,
    analyze_grown,
    batch_transaction,
    commit_without_waiting,
    insert_rows,
    update_rows,
    values_in,
)
from community.importers.xmlrows import parse_utc
from community.models import Space, Thread
from tests.factories import SpaceFactory, UserFactory, ask

WHEN = dt.datetime(2021, 5, 1, 10, 0, tzinfo=dt.UTC)
SOURCE_IDS = itertools.count(1)


def _show(setting: str) -> str:
    """The current value of a PostgreSQL setting on the test's connection."""
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def _counted(table: str) -> float:
    """The rows the table's last ANALYZE counted (-1 when never)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def add_members(names: list[str]) -> list[int]:
    ids = allocate_ids(User, len(names))
    columns = Columns(User, ["id", "username", "password", "date_joined", "source", "source_id"])
    rows = [(pk, name, "!", WHEN, "test:bulk", next(SOURCE_IDS)) for pk, name in zip(ids, names, strict=True)]
    assert insert_rows(columns, rows) == len(names)
    return ids


@pytest.mark.django_db
def test_allocated_ids_are_new_ascending_and_used_as_given():
    existing = UserFactory()
    ids = add_members(["ann", "bob", "cy"])
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert min(ids) > existing.pk
    assert dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) == dict(
        zip(ids, ["ann", "bob", "cy"], strict=True)
    )
    # Rows written without an id, and later allocations, never reuse them.
    assert UserFactory().pk > max(ids)
    assert min(allocate_ids(User, 2)) > max(ids)


@pytest.mark.django_db
def test_columns_not_given_get_the_models_defaults():
    (user_id,) = add_members(["dee"])
    before = timezone.now()
    insert_rows(Columns(Profile, ["user", "display_name"]), [(user_id, "Dee")])
    profile = Profile.objects.get(user_id=user_id)
    assert (profile.display_name, profile.bio, profile.website, profile.email_frequency) == (
        "Dee",
        "",
        "",
        EmailFrequency.INSTANT,
    )
    assert profile.updated_at >= before
    member = User.objects.get(pk=user_id)
    assert member.is_active
    assert not member.is_staff
    assert member.email == ""
    assert member.last_login is None


@pytest.mark.django_db
def test_update_rows_assigns_adds_and_fills():
    space = SpaceFactory()
    ids = allocate_ids(Thread, 2)
    columns = Columns(Thread, ["id", "space", "title", "slug", "created_at", "last_activity_at", "answer_count"])
    insert_rows(columns, [(pk, space.pk, f"Thread {pk}", "t", WHEN, WHEN, 1) for pk in ids])
    first, second = ids
    Thread.objects.filter(pk=second).update(close_reason="kept")
    update_rows(
        Thread,
        [(f"reason {first}", 2, "filled", first), (f"reason {second}", 3, None, second)],
        assign=["title"],
        add=["answer_count"],
        fill=["close_reason"],
    )
    threads = {t.pk: t for t in Thread.objects.filter(pk__in=ids)}
    assert (threads[first].title, threads[first].answer_count, threads[first].close_reason) == (
        f"reason {first}",
        3,
        "filled",
    )
    assert (threads[second].title, threads[second].answer_count, threads[second].close_reason) == (
        f"reason {second}",
        4,
        "kept",
    )


@pytest.mark.django_db
def test_values_in_looks_up_more_values_than_sqlite_takes_parameters():
    ids = add_members([f"member-{n}" for n in range(1200)])
    wanted = [f"member-{n}" for n in range(0, 2400, 2)]  # half of them exist
    rows = values_in(User, "username", wanted, ["username", "id"])
    assert sorted(rows) == sorted((f"member-{n}", ids[n]) for n in range(0, 1200, 2))
    assert values_in(User, "username", [], ["id"]) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_tables_that_doubled_are_analyzed_and_the_others_left_alone():
    def counted(model) -> float:
        return _counted(model._meta.db_table)

    # ANALYZE's row counts outlive rolled-back tests: grow the table by more than it had.
    grown = int(counted(User) * 1.2) + 50
    spaces = int(counted(Space)) + 3
    SpaceFactory.create_batch(spaces)
    add_members([f"member-{n}" for n in range(grown)])
    analyzed = analyze_grown({User: grown, Space: spaces, Thread: 0})
    assert {"accounts_user", "community_space"} <= set(analyzed)
    assert "community_thread" not in analyzed
    assert counted(User) >= grown
    assert counted(Space) >= spaces
    # Half as many again is not enough: the statistics stay as they are.
    late = int(counted(User) * 0.5)
    add_members([f"late-{n}" for n in range(late)])
    assert analyze_grown({User: late}) == []
    assert analyze_grown({}) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_grown_tables_are_analyzed_on_several_connections_outside_a_transaction():
    members = int(max(_counted("accounts_user"), 0)) + 40
    ids = add_members([f"parallel-{n}" for n in range(members)])
    insert_rows(PROFILE_COLUMNS, [(pk, "P") for pk in ids])
    assert sorted(analyze_grown({User: members, Profile: members}, workers=2)) == ["accounts_profile", "accounts_user"]
    assert _counted("accounts_user") >= members
    assert _counted("accounts_profile") >= members


@pytest.mark.django_db
def test_nothing_is_analyzed_when_nothing_was_added_nor_ever_on_sqlite():
    assert analyze_grown({User: 0, Thread: 0}) == []
    if connection.vendor == "sqlite":
        assert analyze_grown({User: 1000}) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_commits_without_waiting_for_the_disk_and_only_that_batch():
    before = _show("synchronous_commit")
    with transaction.atomic():
        commit_without_waiting()
        assert _show("synchronous_commit") == "off"
    assert _show("synchronous_commit") == before == "on"


PROFILE_COLUMNS = Columns(Profile, ["user", "display_name"])


def _settings() -> dict[str, str]:
    """Every run-time setting of the test's connection, as PostgreSQL reports it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings")
        return dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_changes_no_setting_but_when_its_commit_waits_for_the_disk():
    outside = _settings()
    with batch_transaction():
        (user_id,) = add_members(["plain"])
        insert_rows(PROFILE_COLUMNS, [(user_id, "Plain")])
        inside = _settings()
    changed = {name for name in outside if inside.get(name) != outside[name]}
    # Foreign key triggers (session_replication_role), the planner (enable_seqscan, jit) and compression
    # stay as the database has them.
    assert changed == {"synchronous_commit"}
    assert inside["session_replication_role"] == "origin"
    assert inside["enable_seqscan"] == "on"
    assert _settings() == outside


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_referring_to_a_missing_row_fails_whole_by_the_databases_own_foreign_key_check():
    # The control: the same batch, referring to a member that exists, is written.
    with batch_transaction():
        (user_id,) = add_members(["kept"])
        insert_rows(PROFILE_COLUMNS, [(user_id, "Kept")])
    assert Profile.objects.get(user_id=user_id).display_name == "Kept"

    missing = max(User.objects.values_list("pk", flat=True)) + 1000
    refused = pytest.raises(IntegrityError, match=rf"Key \(user_id\)=\({missing}\) is not present in table")
    with refused, batch_transaction():
        (other,) = add_members(["lost"])
        insert_rows(PROFILE_COLUMNS, [(other, "Lost"), (missing, "Nobody")])
    assert not User.objects.filter(username="lost").exists()
    assert not Profile.objects.filter(display_name__in=["Lost", "Nobody"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_key_assigned_by_update_rows_to_a_missing_row_fails_the_batch():
    thread = ask(UserFactory())
    original = ask(UserFactory())
    with batch_transaction():  # the control: an existing thread
        update_rows(Thread, [(original.pk, thread.pk)], assign=["duplicate_of"])
    thread.refresh_from_db()
    assert thread.duplicate_of_id == original.pk
    missing = max(thread.pk, original.pk) + 1000
    refused = pytest.raises(IntegrityError, match=rf"Key \(duplicate_of_id\)=\({missing}\) is not present")
    with refused, batch_transaction():
        update_rows(Thread, [(missing, thread.pk)], assign=["duplicate_of"])
    thread.refresh_from_db()
    assert thread.duplicate_of_id == original.pk


def test_dump_dates_without_a_zone_are_read_as_utc_and_a_given_zone_is_kept():
    assert parse_utc("2021-04-27T15:06:44.553") == dt.datetime(2021, 4, 27, 15, 6, 44, 553000, tzinfo=dt.UTC)
    assert parse_utc("2021-04-27T15:06:44+02:00").utcoffset() == dt.timedelta(hours=2)


def test_writing_a_post_loads_no_importer_code_and_no_import_step_imports_the_importer():
    """The bulk helpers live in a neutral module: the search index uses them without loading an importer."""
    import ast
    import subprocess
    import sys
    from pathlib import Path

    import community

    code = (
        "import django, sys; django.setup(); import community.services.posts, community.search.index;"
        "print(sorted(m for m in sys.modules if m.startswith('community.importers')))"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"

    steps = Path(community.__file__).parent / "importers" / "stackexchange"
    badges = steps.parents[2] / "rewards" / "stackexchange.py"  # the rewards app's step
    for name in ("members", "posts", "history", "activity", "state", badges):
        tree = ast.parse((steps / f"{name}.py" if isinstance(name, str) else name).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "community.importers.stackexchange.importer" not in imported, name
