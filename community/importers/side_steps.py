"""Import steps the apps built on community add for their own files (rewards: Badges.xml).

Community may not import those apps (the import rule), so they register
their steps here from their AppConfig.ready. A module of its own, light to
import, so that registering does not load the importer in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from community.importers.stackexchange.state import DumpFiles, ImportState

# A step takes the run's state (maps, summary) and its files (how to read the dump and write), as community's do.
SideStep = Callable[["ImportState", "DumpFiles"], None]

# (file name, step), in the order registered.
SIDE_STEPS: list[tuple[str, SideStep]] = []


def side_step_register(name: str, step: SideStep) -> None:
    """Have every Stack Exchange import run `step` when the dump has the file `name`.

    The step runs alongside the comments, votes and links, so it must need
    the members alone and write only tables of its own: it may neither write
    nor read what the other steps write. It adds the rows it wrote to
    `state.other_rows` (by model, for the statistics) and may count them
    in the summary.
    """
    if (name, step) not in SIDE_STEPS:
        SIDE_STEPS.append((name, step))
