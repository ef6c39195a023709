"""Badges moved from community to rewards without moving a row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rewards.models import Badge, BadgeAward, BadgeTier
from tests.factories import UserFactory

BEFORE = ("community", "0014_comment_edited_at")
MOVE = [("rewards", "0001_initial"), ("community", "0015_badges_move_to_rewards")]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _undo_the_move() -> None:
    """Unapply the two migrations of the move alone (not the other apps' later ones)."""
    executor = _executor()
    plan = [(executor.loader.graph.nodes[key], True) for key in MOVE]
    executor.migrate([BEFORE], plan=plan)


def _migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_badges_written_before_the_move_are_rewards_badges_after_it_and_back():
    _migrate_to_latest()  # whatever state an earlier test left the migrations in
    member = UserFactory()
    source = {"source": "stackexchange:x", "source_id": 7}
    _undo_the_move()
    old = _executor().loader.project_state([BEFORE]).apps
    badge = old.get_model("community", "Badge").objects.create(name="Famous Question", tier=BadgeTier.GOLD)
    old.get_model("community", "BadgeAward").objects.create(
        badge_id=badge.pk, member_id=member.pk, awarded_at=timezone.now(), **source
    )
    ContentType.objects.clear_cache()
    kind, _ = ContentType.objects.get_or_create(app_label="community", model="badge")
    may_change = Permission.objects.create(content_type=kind, codename="change_badge_x", name="Can change badge")

    _migrate_to_latest()
    award = BadgeAward.objects.select_related("badge").get()
    assert (award.badge.name, award.badge.tier, award.member_id, award.source_id) == (
        "Famous Question",
        BadgeTier.GOLD,
        member.pk,
        7,
    )
    # Permissions granted on badges stay with them.
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Badge).pk == kind.pk
    assert Permission.objects.get(pk=may_change.pk).content_type.app_label == "rewards"
    # The table kept its constraints: the same source row cannot be awarded twice.
    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeAward.objects.create(badge=award.badge, member=award.member, awarded_at=timezone.now(), **source)

    _undo_the_move()
    assert ContentType.objects.get(pk=kind.pk).app_label == "community"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_badgeaward")
        assert cursor.fetchone() == (1,)
    _migrate_to_latest()
    assert BadgeAward.objects.count() == 1
    ContentType.objects.clear_cache()
