from django.db import migrations

# Room left free in each page of the tables whose rows are rewritten for a
# counter: an update that changes no indexed column and finds room on the
# row's page is a heap-only (HOT) update, which adds no entry to any index.
# A thread row has ten indexes; its answer, comment and view counts change
# often. A post's comment count and edits likewise.
FILLFACTOR = {"community_thread": 80, "community_post": 90}

# Long texts no query filters or sorts on: ANALYZE need not sample, sort and
# keep statistics of them (it sorts with the database's collation, which is
# dear for long strings).
NO_STATISTICS = {
    "community_thread": ["excerpt"],
    "community_post": ["body", "body_html"],
    "community_revision": ["body"],
    "community_comment": ["body", "body_html"],
}


def _statements(forward: bool) -> list[str]:
    statements = []
    for table, fillfactor in FILLFACTOR.items():
        if forward:
            statements.append(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")
        else:
            statements.append(f"ALTER TABLE {table} RESET (fillfactor)")
    for table, columns in NO_STATISTICS.items():
        target = 0 if forward else -1  # -1: the server's default_statistics_target
        statements.extend(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}" for column in columns)
    return statements


def apply(apps, schema_editor, *, forward: bool = True) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has neither setting
    for statement in _statements(forward):
        schema_editor.execute(statement)


def revert(apps, schema_editor) -> None:
    apply(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    """PostgreSQL storage settings for the tables that grow and change most (no change to any column)."""

    dependencies = [("community", "0008_drop_redundant_indexes")]

    operations = [migrations.RunPython(apply, revert)]
