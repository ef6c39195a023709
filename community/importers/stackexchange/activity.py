"""Comments.xml, Votes.xml and PostLinks.xml."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections import Counter

from community.db.bulk import Columns, insert_rows, update_rows, values_in
from community.importers.stackexchange.state import DumpFiles, ImportState
from community.importers.xmlrows import Row
from community.models import Comment, Post, Thread, ThreadLink, Vote
from community.rendering import sanitize_html
from community.services.counters import thread_counters_recompute

UP, DOWN = 2, 3  # VoteTypeId; 1 is "accepted", the rest are favourites, bounties, close and spam votes
LINKED, DUPLICATE = 1, 3  # PostLinks LinkTypeId

COMMENT_COLUMNS = Columns(
    Comment, ["post", "author", "body", "body_html", "score", "created_at", "source", "source_id", "source_author"]
)
VOTE_COLUMNS = Columns(Vote, ["post", "voter", "value", "created_at", "source", "source_id"])
LINK_COLUMNS = Columns(ThreadLink, ["from_thread", "to_thread", "created_at", "source", "source_id"])


def _missing_post(state: ImportState, source_post: int, what: str) -> str:
    """Why a row's post (the dump's id) is not here: a tag wiki or the like, or a post deleted before the dump."""
    return f"{what}_on_other_posts" if source_post in state.other_posts else f"{what}_on_deleted_posts"


# --- comments --------------------------------------------------------------


def _write_comments(state: ImportState, comments: list[tuple]) -> None:
    state.summary.comments += insert_rows(COMMENT_COLUMNS, comments)
    # New comments are live: each adds one to its post's count, and to its thread's when the post is live.
    per_post = Counter(comment[0] for comment in comments)
    update_rows(Post, [(n, post_id) for post_id, n in sorted(per_post.items())], add=["comment_count"])
    per_thread: Counter[int] = Counter()
    for post_id, thread_id, deleted_at in values_in(Post, "id", per_post, ["id", "thread", "deleted_at"]):
        if deleted_at is None:
            per_thread[thread_id] += per_post[post_id]
    update_rows(Thread, [(n, thread_id) for thread_id, n in sorted(per_thread.items())], add=["comment_count"])


def prepare_comment(row: Row) -> tuple:
    """(id, post, author, text, HTML, score, date, author's name) with the dump's ids, of the row alone (reader.py).

    The name (UserDisplayName) is what the dump gives where it has no member: the comment's credit shows it.
    """
    text = row.text("Text")
    return (
        row.int("Id"),
        row.int("PostId"),
        row.opt_int("UserId"),
        text,
        # Comments are plain text here: escaped, so no markup in them can run.
        sanitize_html(html.escape(text)),
        row.opt_int("Score") or 0,
        row.date("CreationDate"),
        row.get("UserDisplayName")[:150],
    )


def import_comments(state: ImportState, files: DumpFiles) -> None:
    present = state.existing_source_ids(Comment)
    source = state.source
    users = state.user_map
    for batch in files.prepared("Comments.xml", prepare_comment):
        comments: list[tuple] = []
        for source_id, source_post, author, text, body_html, score, created_at, author_name in batch:
            post_id = state.post_map.get(source_post)
            if post_id is None:
                state.summary.skipped[_missing_post(state, source_post, "comments")] += 1
                continue
            if source_id in present:
                continue
            author_id = users.get(author) if author is not None else None
            comments.append((post_id, author_id, text, body_html, score, created_at, source, source_id, author_name))
        if comments:
            files.write_batch(functools.partial(_write_comments, state, comments))


# --- votes -----------------------------------------------------------------


def _write_votes(state: ImportState, votes: list[tuple]) -> None:
    state.summary.votes += insert_rows(VOTE_COLUMNS, votes)


def prepare_vote(row: Row) -> tuple[int, tuple | str]:
    """(post, vote) with the dump's ids, of the row alone (reader.py): the vote as (voter or None, value, date,
    id), or why it is not imported."""
    post = row.int("PostId")
    kind = row.int("VoteTypeId")
    if kind not in (UP, DOWN):
        return post, "votes_of_other_types"
    # Public dumps hide who voted (no UserId): the vote is kept without a voter.
    return post, (row.opt_int("UserId"), 1 if kind == UP else -1, row.date("CreationDate"), row.int("Id"))


def import_votes(state: ImportState, files: DumpFiles) -> None:
    """Every up and down vote on an imported post, with its value and date, and its voter when the dump names one.

    The posts' scores came with them from Posts.xml, and are the sum of these
    votes: nothing is recounted.
    """
    present = state.existing_source_ids(Vote)
    skipped = state.summary.skipped
    named: set[tuple[int, int]] = set()  # (post, member): one vote per member and post, as the database holds
    for batch in files.prepared("Votes.xml", prepare_vote):
        votes: list[tuple] = []
        for source_post, vote in batch:
            post_id = state.post_map.get(source_post)
            if post_id is None:
                skipped[_missing_post(state, source_post, "votes")] += 1
            elif isinstance(vote, str):
                skipped[vote] += 1
            elif vote[-1] not in present:
                source_voter, value, created_at, source_id = vote
                voter = state.user_map.get(source_voter) if source_voter is not None else None
                if voter is not None and (post_id, voter) in named:
                    skipped["votes_repeated_by_a_member"] += 1
                    continue
                if voter is not None:
                    named.add((post_id, voter))
                votes.append((post_id, voter, value, created_at, state.source, source_id))
        if votes:
            files.write_batch(functools.partial(_write_votes, state, votes))


# --- duplicates and linked threads -----------------------------------------


def _write_duplicates(state: ImportState, links: dict[int, tuple[int, dt.datetime]]) -> None:
    # The first duplicate link wins, in this batch and against earlier runs, so reruns agree.
    current = Thread.objects.filter(pk__in=sorted(links), duplicate_of__isnull=True).values_list("pk", "closed_at")
    changed = [(links[pk][0], closed_at or links[pk][1], "duplicate", pk) for pk, closed_at in current]
    update_rows(Thread, changed, assign=["duplicate_of", "closed_at", "close_reason"])
    thread_counters_recompute(thread_ids=sorted({original for original, *_ in changed}))


def _write_linked(state: ImportState, links: dict[tuple[int, int], tuple[dt.datetime, int]]) -> None:
    # One link per pair of threads: a pair an earlier run or another post already linked is left as it is.
    stored = set(
        ThreadLink.objects.filter(from_thread__in={pair[0] for pair in links}).values_list("from_thread", "to_thread")
    )
    new = [(*pair, created_at, state.source, source_id) for pair, (created_at, source_id) in links.items()]
    new = [row for row in new if row[:2] not in stored]
    if len(new) < len(links):
        state.summary.skipped["post_links_repeated"] += len(links) - len(new)
    state.summary.links += insert_rows(LINK_COLUMNS, new)


def _write_links(
    state: ImportState,
    duplicates: dict[int, tuple[int, dt.datetime]],
    linked: dict[tuple[int, int], tuple[dt.datetime, int]],
) -> None:
    if duplicates:
        _write_duplicates(state, duplicates)
    if linked:
        _write_linked(state, linked)


def _thread_of_posts(state: ImportState, source_ids: set[int]) -> dict[int, int]:
    """Our thread of each imported question or answer among `source_ids` (a link may start from an answer)."""
    return dict(values_in(Post, "source_id", sorted(source_ids), ["source_id", "thread"], source=state.source))


def import_post_links(state: ImportState, files: DumpFiles) -> None:
    skipped = state.summary.skipped
    present = state.existing_source_ids(ThreadLink)
    for batch in files.batches("PostLinks.xml"):
        wanted = [row for row in batch if row.int("LinkTypeId") in (LINKED, DUPLICATE)]
        if len(wanted) < len(batch):
            skipped["post_links_of_other_types"] += len(batch) - len(wanted)
        threads = _thread_of_posts(state, {row.int(name) for row in wanted for name in ("PostId", "RelatedPostId")})
        duplicates: dict[int, tuple[int, dt.datetime]] = {}
        linked: dict[tuple[int, int], tuple[dt.datetime, int]] = {}
        for row in wanted:
            if row.int("LinkTypeId") == DUPLICATE:
                # Only questions are closed as duplicates, of questions.
                duplicate = state.thread_map.get(row.int("PostId"))
                original = state.thread_map.get(row.int("RelatedPostId"))
                if duplicate is None or original is None or duplicate == original:
                    skipped["post_links_to_missing_posts"] += 1
                else:
                    duplicates.setdefault(duplicate, (original, row.date("CreationDate")))
                continue
            # A linked post may be an answer: the link joins the threads.
            start, end = threads.get(row.int("PostId")), threads.get(row.int("RelatedPostId"))
            if start is None or end is None:
                skipped["post_links_to_missing_posts"] += 1
            elif start == end:
                skipped["post_links_within_a_thread"] += 1
            elif (start, end) in linked:
                skipped["post_links_repeated"] += 1
            elif row.int("Id") not in present:
                linked[(start, end)] = (row.date("CreationDate"), row.int("Id"))
        if duplicates or linked:
            files.write_batch(functools.partial(_write_links, state, duplicates, linked))
