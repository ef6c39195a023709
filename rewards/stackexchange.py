"""Badges.xml -> badges and the members' awards of them.

A side step of community's Stack Exchange importer, named by RewardsConfig:
it runs alongside the comments, votes and links (see side_steps there).
"""

from __future__ import annotations

import functools

from community.db.bulk import Columns, insert_rows
from community.importers.stackexchange.state import DumpFiles, ImportState
from community.importers.xmlrows import Row
from rewards.models import Badge, BadgeAward, BadgeTier

AWARD_COLUMNS = Columns(BadgeAward, ["badge", "member", "awarded_at", "source", "source_id"])
_NAME_LENGTH = Badge._meta.get_field("name").max_length
_TIERS = {tier.value for tier in BadgeTier}


class _Badges:
    """Badge ids by (name, tier), created on first use.

    A Stack Exchange tag badge comes in bronze, silver and gold under the same
    name (the tag's): each tier is its own badge.
    """

    def __init__(self, state: ImportState) -> None:
        self.state = state
        self.ids = {(name, tier): pk for pk, name, tier in Badge.objects.values_list("pk", "name", "tier")}

    def get(self, name: str, tier: int, is_tag_badge: bool) -> int:
        key = (name[:_NAME_LENGTH], tier)
        if key not in self.ids:
            self.ids[key] = Badge.objects.create(name=key[0], tier=tier, is_tag_badge=is_tag_badge).pk
            self.state.other_rows[Badge] += 1
        return self.ids[key]


def _write_awards(state: ImportState, badges: _Badges, rows: list[tuple]) -> None:
    awards = [(badges.get(name, tier, tag), *award) for (name, tier, tag), *award in rows]
    written = insert_rows(AWARD_COLUMNS, awards)
    state.summary.badges += written
    state.other_rows[BadgeAward] += written  # the statistics step reads the table's growth from here


def prepare_award(row: Row) -> tuple:
    """(member, id, (badge name, tier, tag badge?), date) with the dump's ids, of the row alone (reader.py)."""
    tier = row.opt_int("Class") or BadgeTier.BRONZE
    if tier not in _TIERS:
        raise row.error(f"Class={tier} is not a badge class (1 gold, 2 silver, 3 bronze)")
    badge = (" ".join(row.text("Name").split()), tier, row.get("TagBased").lower() == "true")
    return row.int("UserId"), row.int("Id"), badge, row.date("Date")


def import_badges(state: ImportState, files: DumpFiles) -> None:
    """Every award to an imported member; badges are shared by name across sites, as on Stack Exchange."""
    present = state.existing_source_ids(BadgeAward)
    badges = _Badges(state)
    skipped = state.summary.skipped
    for batch in files.prepared("Badges.xml", prepare_award):
        rows: list[tuple] = []
        for source_member, source_id, badge, awarded_at in batch:
            member = state.user_map.get(source_member)
            if member is None:
                skipped["badges_of_unknown_members"] += 1
            elif source_id not in present:
                rows.append((badge, member, awarded_at, state.source, source_id))
        if rows:
            files.write_batch(functools.partial(_write_awards, state, badges, rows))
