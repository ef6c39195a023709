"""Full-text search structures, one kind per database (see community/search/).

PostgreSQL: a tsvector column on community_thread with a GIN index.
SQLite: an FTS5 table whose rowid is the thread's id.

Neither is in Django's model state, so Django never loads the search document
with a thread and makemigrations sees nothing to do on either database. Fill
the index after migrating a database that already has threads:
manage.py rebuild_search_index.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE community_thread ADD COLUMN search_document tsvector",
    "CREATE INDEX thread_search_document_idx ON community_thread USING GIN (search_document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS thread_search_document_idx",
    "ALTER TABLE community_thread DROP COLUMN IF EXISTS search_document",
]
SQLITE_FORWARD = [
    # Porter stemming over Unicode word tokens, accents folded, as PostgreSQL's
    # "english" configuration stems. Title, tags and body are weighed at query time.
    "CREATE VIRTUAL TABLE community_thread_fts USING fts5("
    "title, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS community_thread_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_idea_status_changes"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
