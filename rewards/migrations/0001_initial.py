# Badges moved here from community with their tables (community_badge and
# community_badgeaward) and rows untouched: the models are created in the
# migration state only, under the tables' existing names, constraints and
# indexes. Their content types move too, so permissions granted on them stay.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["badge", "badgeaward"]


def _content_types_to(app_label_from, app_label_to):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.using(schema_editor.connection.alias).filter(
            app_label=app_label_from, model__in=MODELS
        ).update(app_label=app_label_to)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("community", "0015_badges_move_to_rewards"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Badge",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "tier",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "Gold"), (2, "Silver"), (3, "Bronze")], default=3, verbose_name="tier"
                            ),
                        ),
                        ("description", models.CharField(blank=True, max_length=300, verbose_name="description")),
                        ("is_tag_badge", models.BooleanField(default=False)),
                    ],
                    options={
                        "verbose_name": "badge",
                        "verbose_name_plural": "badges",
                        "db_table": "community_badge",
                        "ordering": ["tier", "name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("name", "tier"), name="badge_name_tier_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BadgeAward",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("awarded_at", models.DateTimeField()),
                        ("source", models.CharField(blank=True, max_length=100)),
                        ("source_id", models.BigIntegerField(blank=True, null=True)),
                        (
                            "badge",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="awards", to="rewards.badge"
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="badge_awards",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "badge award",
                        "verbose_name_plural": "badge awards",
                        "db_table": "community_badgeaward",
                        "indexes": [models.Index(fields=["member", "-awarded_at"], name="badgeaward_member_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("source", ""), _negated=True),
                                fields=("source", "source_id"),
                                name="badgeaward_source_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_to("community", "rewards"), _content_types_to("rewards", "community")),
    ]
