"""The database holds every index and constraint the models declare, after all the migrations ran.

A migration that alters a field can drop more than it says: altering a
foreign key's db_index drops every index on that column alone, a partial
unique constraint included.
"""

import importlib

import pytest
from django.apps import apps
from django.db import connection

PROJECT_APPS = ("accounts", "community", "moderation")


def declared() -> list[tuple[str, str]]:
    names = []
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.managed and not model._meta.proxy:
                names += [(model._meta.db_table, index.name) for index in model._meta.indexes]
                names += [(model._meta.db_table, constraint.name) for constraint in model._meta.constraints]
    return names


@pytest.mark.django_db
def test_every_declared_index_and_constraint_exists():
    assert declared(), "the models declare indexes and constraints"
    missing = []
    with connection.cursor() as cursor:
        for table in {table for table, _ in declared()}:
            present = connection.introspection.get_constraints(cursor, table)
            missing += [(t, name) for t, name in declared() if t == table and name not in present]
    assert missing == []


@pytest.mark.django_db
def test_foreign_keys_led_by_a_composite_index_have_no_index_of_their_own():
    """Each write would maintain it for nothing (migration 0008)."""
    with connection.cursor() as cursor:
        for table, column in [
            ("community_thread", "space_id"),
            ("community_post", "thread_id"),
            ("community_post", "author_id"),
            ("community_comment", "post_id"),
            ("community_revision", "post_id"),
            ("community_badgeaward", "member_id"),
            ("community_thread", "duplicate_of_id"),
        ]:
            single = [
                name
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"]
                and info["columns"] == [column]
                and not info["unique"]
                and not info.get("primary_key")
                and name not in {"thread_duplicate_of_idx"}  # partial: only the threads that are duplicates
            ]
            assert single == [], (table, column)


@pytest.mark.django_db
@pytest.mark.postgres
def test_busy_tables_leave_room_for_heap_only_updates_and_long_texts_keep_no_statistics():
    """Migration 0009: counter updates that find room on their page touch no index; ANALYZE skips long texts."""
    storage = importlib.import_module("community.migrations.0009_storage_tuning")
    with connection.cursor() as cursor:
        for table, fillfactor in storage.FILLFACTOR.items():
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
            assert f"fillfactor={fillfactor}" in (cursor.fetchone()[0] or [])
        for table, columns in storage.NO_STATISTICS.items():
            cursor.execute(
                "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attname = ANY(%s)",
                [table, columns],
            )
            assert dict(cursor.fetchall()) == dict.fromkeys(columns, 0)


@pytest.mark.django_db
@pytest.mark.postgres
def test_usernames_have_no_pattern_index_as_no_query_reads_one():
    """Migration accounts 0005: every member written would maintain it for nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts_user'")
        definitions = [definition for (definition,) in cursor.fetchall()]
    assert definitions
    assert not [d for d in definitions if "varchar_pattern_ops" in d]
    assert any("UNIQUE INDEX" in d and "(username)" in d for d in definitions)  # the unique one stays
