"""What the steps of an import share: the run's maps and summary, and how they read the dump and write.

The steps (members, posts, history, activity; the side steps of other apps, such as
rewards' badges) take an `ImportState`
and a `DumpFiles`, never the importer itself: they depend on this module
alone, and the importer on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.db import models

from community.importers.xmlrows import Row

Prepared = TypeVar("Prepared")


@dataclass
class ImportSummary:
    """What one run added. The first six keys are the command's contract; a rerun reports zeros for all but skipped."""

    questions: int = 0
    answers: int = 0
    comments: int = 0
    votes: int = 0
    members: int = 0
    tags: int = 0
    revisions: int = 0
    badges: int = 0  # awards
    links: int = 0  # linked threads
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "questions": self.questions,
            "answers": self.answers,
            "comments": self.comments,
            "votes": self.votes,
            "members": self.members,
            "tags": self.tags,
            "revisions": self.revisions,
            "badges": self.badges,
            "links": self.links,
            "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass
class ImportState:
    """One run's site, space and maps of ids (Stack Exchange id -> our primary key, ints only, so a large
    site still fits), and what it has added so far."""

    site: str
    source: str
    space_id: int
    batch_size: int
    has_history: bool  # the dump has PostHistory.xml
    summary: ImportSummary = field(default_factory=ImportSummary)
    user_map: dict[int, int] = field(default_factory=dict)
    thread_map: dict[int, int] = field(default_factory=dict)  # question's post id -> thread
    post_map: dict[int, int] = field(default_factory=dict)  # question or answer post id -> post
    accepted: dict[int, int] = field(default_factory=dict)  # accepted answer's post id -> its question's post id
    other_posts: set[int] = field(default_factory=set)  # tag wikis and other posts in the dump not imported
    tag_ids: dict[str, int] = field(default_factory=dict)  # our tag name -> taggit Tag id
    other_rows: Counter[type[models.Model]] = field(
        default_factory=Counter
    )  # rows analyze() does not read from the summary

    def existing(self, model: type[models.Model]) -> dict[int, int]:
        """source_id -> pk of the rows of `model` an earlier run of this site wrote."""
        rows = model._default_manager.filter(source=self.source).values_list("source_id", "pk")
        return dict(rows.iterator(chunk_size=10_000))

    def existing_source_ids(self, model: type[models.Model]) -> set[int]:
        rows = model._default_manager.filter(source=self.source).values_list("source_id", flat=True)
        return set(rows.iterator(chunk_size=10_000))


class DumpFiles(Protocol):
    """How a step reads the dump's files and hands over its writes (the importer provides it)."""

    def batches(self, name: str, *, label: str | None = None) -> Iterator[list[Row]]:
        """The rows of a file in batches; the caller writes each before asking for the next."""

    def prepared(
        self, name: str, prepare: Callable[[Row], Prepared], *, label: str | None = None
    ) -> Iterator[list[Prepared]]:
        """The rows of a file as `prepare` (a module-level function of the row alone) makes them, in batches."""

    def write_batch(self, write: Callable[[], None]) -> None:
        """Hand over one batch's writes: one transaction, the unit that commits, rolls back and resumes."""
