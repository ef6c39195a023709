from django.db import migrations


def pattern_indexes(schema_editor) -> list[str]:
    """The varchar_pattern_ops index PostgreSQL gets for a unique CharField ("..._like"), by what it is, not its name."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_opclass o ON o.oid = x.indclass[0]"
            " WHERE x.indrelid = 'accounts_user'::regclass AND x.indnatts = 1 AND o.opcname = 'varchar_pattern_ops'"
        )
        return [name for (name,) in cursor.fetchall()]


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in pattern_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql" and not pattern_indexes(schema_editor):
        schema_editor.execute(
            "CREATE INDEX accounts_user_username_6088629e_like ON accounts_user (username varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    """Drop the username index only a case-sensitive LIKE 'prefix%' could use.

    Django adds it to every unique CharField on PostgreSQL. No query here
    reads it (sign-in by username uses the UPPER(username) index, the admin's
    search a LIKE '%...%' that no btree serves), yet every new member, and
    every member an import writes, updates it.
    """

    dependencies = [("accounts", "0004_username_case_insensitive_index")]

    operations = [migrations.RunPython(drop, restore)]
