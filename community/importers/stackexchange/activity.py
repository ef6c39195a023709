"""Comments.xml, Votes.xml, PostLinks.xml and Badges.xml."""

from __future__ import annotations

import datetime as dt
import functools
import html
from typing import TYPE_CHECKING

from community.importers.xmlrows import Row
from community.models import Comment, Post, Thread, Vote
from community.rendering import sanitize_html
from community.services.counters import thread_counters_recompute

if TYPE_CHECKING:
    from community.importers.stackexchange.importer import StackExchangeImporter

UP, DOWN = 2, 3  # VoteTypeId; 1 is "accepted", the rest are favourites, bounties, close and spam votes
DUPLICATE = 3  # PostLinks LinkTypeId; 1 is "related"


def _missing_post(importer: StackExchangeImporter, row: Row, what: str) -> str:
    """Why a row's post is not here: a tag wiki or the like, or a post deleted before the dump."""
    return f"{what}_on_other_posts" if row.int("PostId") in importer.other_posts else f"{what}_on_deleted_posts"


# --- comments --------------------------------------------------------------


def _write_comments(importer: StackExchangeImporter, comments: list[Comment]) -> None:
    Comment.objects.bulk_create(comments, batch_size=importer.batch_size, ignore_conflicts=True)
    importer.summary.comments += len(importer.lookup(Comment, [comment.source_id for comment in comments]))
    post_ids = sorted({comment.post_id for comment in comments})
    thread_counters_recompute(thread_ids=Post.objects.filter(pk__in=post_ids).values_list("thread_id", flat=True))


def import_comments(importer: StackExchangeImporter) -> None:
    present = importer.existing_source_ids(Comment)
    for batch in importer.batches("Comments.xml"):
        comments: list[Comment] = []
        for row in batch:
            source_id = row.int("Id")
            post_id = importer.post_map.get(row.int("PostId"))
            if post_id is None:
                importer.summary.skipped[_missing_post(importer, row, "comments")] += 1
                continue
            if source_id in present:
                continue
            text = row.text("Text")
            author = row.opt_int("UserId")
            comments.append(
                Comment(
                    post_id=post_id,
                    author_id=importer.user_map.get(author) if author is not None else None,
                    body=text,
                    # Comments are plain text here: escaped, so no markup in them can run.
                    body_html=sanitize_html(html.escape(text)),
                    score=row.opt_int("Score") or 0,
                    created_at=row.date("CreationDate"),
                    source=importer.source,
                    source_id=source_id,
                )
            )
        if comments:
            importer.write_batch(functools.partial(_write_comments, importer, comments))


# --- votes -----------------------------------------------------------------


def _write_votes(importer: StackExchangeImporter, votes: list[Vote]) -> None:
    Vote.objects.bulk_create(votes, batch_size=importer.batch_size, ignore_conflicts=True)
    importer.summary.votes += len(importer.lookup(Vote, [vote.source_id for vote in votes]))


def _vote(importer: StackExchangeImporter, row: Row, post_id: int) -> Vote | None:
    """A Vote row for an up or down vote whose voter the dump names, else None (and why, in skipped)."""
    skipped = importer.summary.skipped
    kind = row.int("VoteTypeId")
    if kind not in (UP, DOWN):
        skipped["votes_of_other_types"] += 1
        return None
    voter = row.opt_int("UserId")
    if voter is None:
        # Public dumps hide who voted. The post's Score already carries the vote.
        skipped["votes_anonymous"] += 1
        return None
    if voter not in importer.user_map:
        skipped["votes_by_unknown_members"] += 1
        return None
    return Vote(
        post_id=post_id,
        voter_id=importer.user_map[voter],
        value=1 if kind == UP else -1,
        created_at=row.date("CreationDate"),
        source=importer.source,
        source_id=row.int("Id"),
    )


def import_votes(importer: StackExchangeImporter) -> None:
    present = importer.existing_source_ids(Vote)
    for batch in importer.batches("Votes.xml"):
        votes: list[Vote] = []
        for row in batch:
            post_id = importer.post_map.get(row.int("PostId"))
            if post_id is None:
                importer.summary.skipped[_missing_post(importer, row, "votes")] += 1
                continue
            vote = _vote(importer, row, post_id)
            if vote is not None and vote.source_id not in present:
                votes.append(vote)
        if votes:
            importer.write_batch(functools.partial(_write_votes, importer, votes))


# --- duplicates ------------------------------------------------------------


def _write_duplicates(importer: StackExchangeImporter, links: dict[int, tuple[int, dt.datetime]]) -> None:
    # The first duplicate link wins, in this batch and against earlier runs, so reruns agree.
    current = Thread.objects.filter(pk__in=sorted(links), duplicate_of__isnull=True).values_list("pk", "closed_at")
    changed = [(links[pk][0], closed_at or links[pk][1], "duplicate", pk) for pk, closed_at in current]
    importer.update_rows(Thread, ["duplicate_of", "closed_at", "close_reason"], changed)
    thread_counters_recompute(thread_ids=sorted({original for original, *_ in changed}))


def import_post_links(importer: StackExchangeImporter) -> None:
    skipped = importer.summary.skipped
    for batch in importer.batches("PostLinks.xml"):
        links: dict[int, tuple[int, dt.datetime]] = {}
        for row in batch:
            if row.int("LinkTypeId") != DUPLICATE:
                skipped["post_links_related"] += 1  # no model for "related" links yet
                continue
            duplicate = importer.thread_map.get(row.int("PostId"))
            original = importer.thread_map.get(row.int("RelatedPostId"))
            if duplicate is None or original is None or duplicate == original:
                skipped["post_links_to_missing_posts"] += 1
                continue
            links.setdefault(duplicate, (original, row.date("CreationDate")))
        if links:
            importer.write_batch(functools.partial(_write_duplicates, importer, links))


# --- badges ----------------------------------------------------------------


def count_badges(importer: StackExchangeImporter) -> None:
    """Rapport has no badges yet: count what is left behind so the summary says so."""
    importer.summary.skipped["badges"] += sum(1 for _ in importer.rows("Badges.xml"))
