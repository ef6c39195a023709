"""manage.py import_stackexchange on two real Stack Exchange dumps and on small hand-made ones.

The real dumps live in shared/data/stackexchange beside the repository; each
is imported once for the whole module (inside a transaction rolled back at
the end), and the numbers the tests expect are counted straight from the XML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from taggit.models import Tag, TaggedItem

from accounts.models import Profile, User
from community import caching
from community.importers.stackexchange import StackExchangeImporter
from community.importers.stackexchange.naming import parse_tags, tag_name
from community.models import (
    BodyFormat,
    Comment,
    Post,
    PostKind,
    Revision,
    Thread,
    ThreadLink,
    Vote,
)
from community.models.threads import EXCERPT_LENGTH
from community.rendering import excerpt, html_to_text, sanitize_html
from community.rendering.text import cut_excerpt
from community.search.selectors import search_threads
from community.services.counters import thread_counters_recompute
from rewards.models import Badge, BadgeAward, BadgeTier
from tests.factories import UserFactory, ask

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "stackexchange"
CARDANO = "cardano.stackexchange.com"
BICYCLES = "bicycles.meta.stackexchange.com"
MAIN_KEYS = ["questions", "answers", "comments", "votes", "members", "tags"]
SUMMARY_KEYS = [*MAIN_KEYS, "revisions", "badges", "links", "skipped"]


# --- helpers ---------------------------------------------------------------


def dump_dir(site: str) -> Path:
    path = DATA / site
    if not (path / "Posts.xml").is_file():
        pytest.skip(f"the {site} dump is not in shared/data/stackexchange")
    return path


def xml_rows(path: Path) -> list[dict[str, str]]:
    # The dumps are this project's own test data, not untrusted input.
    return [dict(element.attrib) for element in ET.parse(path).getroot().iter("row")]  # noqa: S314


def run_import(directory: Path, **options) -> dict:
    out = StringIO()
    call_command("import_stackexchange", str(directory), stdout=out, stderr=StringIO(), **options)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, "the command prints exactly one line on stdout"
    return json.loads(lines[0])


def source_of(site: str) -> str:
    return f"stackexchange:{site}"


def snapshot(source: str) -> dict:
    """Everything an import writes, counted, so two imports of one dump can be compared."""
    threads = Thread.objects.filter(source=source)
    posts = Post.objects.filter(source=source)
    return {
        "threads": threads.count(),
        "answers": posts.filter(kind=PostKind.ANSWER).count(),
        "comments": Comment.objects.filter(source=source).count(),
        "votes": Vote.objects.filter(source=source).count(),
        "members": User.objects.filter(source=source).count(),
        "profiles": Profile.objects.filter(user__source=source).count(),
        "revisions": Revision.objects.filter(post__source=source).count(),
        "markdown": posts.filter(body_format=BodyFormat.MARKDOWN).count(),
        "accepted": threads.filter(accepted_answer__isnull=False).count(),
        "duplicates": threads.filter(duplicate_of__isnull=False).count(),
        "tagged": TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread), object_id__in=threads.values("pk")
        ).count(),
        **threads.aggregate(
            answer_count=Sum("answer_count"),
            comment_count=Sum("comment_count"),
            score=Sum("score"),
            view_count=Sum("view_count"),
            duplicate_count=Sum("duplicate_count"),
        ),
        "post_comment_count": posts.aggregate(n=Sum("comment_count"))["n"],
        "post_score": posts.aggregate(n=Sum("score"))["n"],
        "badges": BadgeAward.objects.filter(source=source).count(),
        "links": ThreadLink.objects.filter(source=source).count(),
        "excerpts": threads.exclude(excerpt="").count(),
        "indexed": indexed(source),
    }


def indexed(source: str) -> int:
    """How many of the source's threads have a search document (a tsvector column, or a row of the FTS5 table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM community_thread WHERE source = %s AND search_document IS NOT NULL", [source]
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM community_thread_fts"
                " WHERE rowid IN (SELECT id FROM community_thread WHERE source = %s)",
                [source],
            )
        return cursor.fetchone()[0]


def found(query: str) -> set[int]:
    """Ids of the threads a search finds, as a member sees them."""
    return {hit.id for hit in search_threads(user=UserFactory(), query=query).hits}


def assert_consistent(source: str) -> None:
    """What must hold after every committed batch, finished or not."""
    threads = Thread.objects.filter(source=source)
    openings = threads.annotate(n=Count("posts", filter=Q(posts__kind=PostKind.OPENING)))
    assert not openings.exclude(n=1).exists(), "every thread has exactly one opening post"
    assert not threads.filter(accepted_answer__isnull=False).exclude(accepted_answer__thread=F("pk")).exists()
    assert thread_counters_recompute(thread_ids=list(threads.values_list("pk", flat=True))) == 0, "counters are right"


def xml_text(name: str, rows: list[dict[str, object]]) -> str:
    """A dump file in the real format: BOM, XML declaration, one row per line."""
    lines = ['\ufeff<?xml version="1.0" encoding="utf-8"?>', f"<{name.lower()}>"]
    for row in rows:
        attributes = " ".join(f"{key}={quoteattr(str(value))}" for key, value in row.items())
        lines.append(f"  <row {attributes} />")
    lines.append(f"</{name.lower()}>")
    return "\n".join(lines) + "\n"


def write_dump(directory: Path, **files: list[dict[str, object]] | str) -> Path:
    """A small dump: Posts=[rows...] writes Posts.xml; a str is written as it is."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        text = rows if isinstance(rows, str) else xml_text(name, rows)
        (directory / f"{name}.xml").write_text(text, encoding="utf-8")
    return directory


def question(post_id: int, **extra) -> dict[str, object]:
    return {
        "Id": post_id,
        "PostTypeId": 1,
        "CreationDate": f"2021-05-0{post_id % 9 + 1}T10:00:00.000",
        "Score": 2,
        "ViewCount": 10,
        "Body": f"<p>Question {post_id} body</p>",
        "OwnerUserId": 1,
        "LastActivityDate": "2021-06-01T10:00:00.000",
        "Title": f"Question number {post_id}",
        "Tags": "<wallet>",
        **extra,
    }


def answer(post_id: int, parent: int, **extra) -> dict[str, object]:
    return {
        "Id": post_id,
        "PostTypeId": 2,
        "ParentId": parent,
        "CreationDate": "2021-05-20T10:00:00.000",
        "Score": 1,
        "Body": f"<p>Answer {post_id}</p>",
        "OwnerUserId": 2,
        **extra,
    }


USERS = [
    {"Id": 1, "CreationDate": "2021-04-27T14:50:43.050", "DisplayName": "Ada Lovelace", "Location": "London"},
    {"Id": 2, "CreationDate": "2021-04-28T14:50:43.050", "DisplayName": "Ada Lovelace"},
]


# --- the real dumps, imported once -----------------------------------------


@pytest.fixture(scope="module")
def real(django_db_setup, django_db_blocker):
    """Both real dumps imported into the test database, rolled back after the module."""
    cardano, bicycles = dump_dir(CARDANO), dump_dir(BICYCLES)
    with django_db_blocker.unblock(), transaction.atomic():
        yield {CARDANO: run_import(cardano), BICYCLES: run_import(bicycles)}
        transaction.set_rollback(True)


@pytest.fixture
def imported(real, db):
    return real


def test_cardano_imports_every_question_and_answer(imported):
    assert imported[CARDANO]["questions"] == 1042
    assert imported[CARDANO]["answers"] == 1496
    source = source_of(CARDANO)
    assert Thread.objects.filter(source=source).count() == 1042
    assert Post.objects.filter(source=source, kind=PostKind.OPENING).count() == 1042
    assert Post.objects.filter(source=source, kind=PostKind.ANSWER).count() == 1496
    assert imported[CARDANO]["skipped"]["posts_of_other_types"] == 92  # tag wikis, excerpts, nominations


def test_cardano_comments_members_and_tags_match_the_xml(imported):
    directory = dump_dir(CARDANO)
    posts = {row["Id"]: row for row in xml_rows(directory / "Posts.xml")}
    questions_and_answers = {post_id for post_id, row in posts.items() if row["PostTypeId"] in {"1", "2"}}
    comments = [row for row in xml_rows(directory / "Comments.xml") if row["PostId"] in questions_and_answers]
    users = xml_rows(directory / "Users.xml")
    question_tags = {
        post_id: {tag_name(raw) for raw in re.findall(r"<([^<>]+)>", row["Tags"])}
        for post_id, row in posts.items()
        if row["PostTypeId"] == "1"
    }
    vocabulary = {tag_name(row["TagName"]) for row in xml_rows(directory / "Tags.xml")}
    vocabulary |= {name for names in question_tags.values() for name in names}

    summary, source = imported[CARDANO], source_of(CARDANO)
    assert summary["comments"] == len(comments) == Comment.objects.filter(source=source).count() == 1828
    assert summary["members"] == len(users) == User.objects.filter(source=source).count() == 3988
    assert summary["tags"] == len(vocabulary) == 224  # imported first, so every tag was new
    assert set(Tag.objects.values_list("name", flat=True)) >= vocabulary
    assert snapshot(source)["tagged"] == sum(len(names) for names in question_tags.values())
    thread = Thread.objects.get(source=source, source_id=1)
    assert sorted(thread.tags.names()) == ["ethereum", "governance", "proof-of-work"]


def test_accepted_answers_are_linked_to_the_right_answer(imported):
    expected = {
        int(row["Id"]): int(row["AcceptedAnswerId"])
        for row in xml_rows(dump_dir(CARDANO) / "Posts.xml")
        if row.get("AcceptedAnswerId")
    }
    linked = dict(
        Thread.objects.filter(source=source_of(CARDANO), accepted_answer__isnull=False).values_list(
            "source_id", "accepted_answer__source_id"
        )
    )
    assert linked == expected
    assert len(linked) == 459


def test_questions_keep_their_dates_counts_and_author(imported):
    thread = Thread.objects.select_related("author__profile").get(source=source_of(CARDANO), source_id=1)
    assert thread.title == "How Cardano is different from Ethereum (2.0)?"
    assert thread.created_at == dt.datetime(2021, 4, 27, 15, 6, 44, 553000, tzinfo=dt.UTC)
    assert thread.last_activity_at == dt.datetime(2021, 5, 26, 4, 19, 24, 647000, tzinfo=dt.UTC)
    assert (thread.view_count, thread.score, thread.answer_count, thread.kind) == (918, 36, 2, "question")
    assert thread.space.slug == "cardano"
    assert thread.space.name == "Cardano"
    opening = thread.posts.get(kind=PostKind.OPENING)
    assert opening.body_format == BodyFormat.HTML
    assert opening.body == opening.body_html
    assert opening.body_html.startswith("<p>As far as I know")
    assert opening.edited_at == dt.datetime(2021, 4, 28, 8, 29, 48, 957000, tzinfo=dt.UTC)
    revision = opening.revisions.get()
    assert (revision.number, revision.body, revision.title) == (1, opening.body, thread.title)
    assert thread.author.source_id == 17
    assert thread.author.profile.display_name
    closed = Thread.objects.filter(source=source_of(CARDANO), closed_at__isnull=False).count()
    assert closed == sum(1 for row in xml_rows(dump_dir(CARDANO) / "Posts.xml") if row.get("ClosedDate"))


def test_members_are_imported_without_password_or_email_under_unique_usernames(imported):
    users = xml_rows(dump_dir(CARDANO) / "Users.xml")
    members = User.objects.filter(source=source_of(CARDANO)).select_related("profile")
    assert not any(member.has_usable_password() for member in members)
    assert set(members.values_list("email", flat=True)) == {""}
    by_id = {member.source_id: member for member in members}
    for row in users:
        member = by_id[int(row["Id"])]
        assert member.profile.display_name == row["DisplayName"][:50]
        assert member.profile.location == row.get("Location", "")[:100]
    names = Counter(row["DisplayName"] for row in users)
    shared = next(name for name, n in names.items() if n > 1)
    usernames = sorted(by_id[int(row["Id"])].username for row in users if row["DisplayName"] == shared)
    assert len(set(usernames)) == len(usernames)


def test_every_up_and_down_vote_is_stored_with_post_value_and_date_and_scores_stay_the_dumps(imported):
    directory = dump_dir(CARDANO)
    scores = {int(row["Id"]): int(row["Score"]) for row in xml_rows(directory / "Posts.xml")}
    votes = xml_rows(directory / "Votes.xml")
    imported_posts = {int(row["Id"]) for row in xml_rows(directory / "Posts.xml") if row["PostTypeId"] in {"1", "2"}}
    up_down = {
        int(row["Id"]): row for row in votes if row["VoteTypeId"] in {"2", "3"} and int(row["PostId"]) in imported_posts
    }
    summary, source = imported[CARDANO], source_of(CARDANO)
    stored = {
        vote["source_id"]: vote
        for vote in Vote.objects.filter(source=source).values(
            "source_id", "post__source_id", "value", "created_at", "voter"
        )
    }
    assert summary["votes"] == len(stored) == len(up_down) == 7711
    assert set(stored) == set(up_down)
    for source_id, row in up_down.items():
        vote = stored[source_id]
        assert vote["post__source_id"] == int(row["PostId"])
        assert vote["value"] == (1 if row["VoteTypeId"] == "2" else -1)
        assert vote["created_at"] == dt.datetime.fromisoformat(row["CreationDate"]).replace(tzinfo=dt.UTC)
        assert vote["voter"] is None  # the public dump names no voters
    assert "votes_anonymous" not in summary["skipped"]
    assert summary["skipped"]["votes_on_deleted_posts"] == 345  # as the dump's README says
    assert summary["skipped"]["votes_on_other_posts"] == sum(
        1 for row in votes if int(row["PostId"]) in scores and int(row["PostId"]) not in imported_posts
    )
    # Each post keeps the dump's score, which its stored votes add up to.
    posts = Post.objects.filter(source=source)
    assert dict(posts.values_list("source_id", "score")) == {pk: scores[pk] for pk in imported_posts}
    sums = dict(posts.annotate(total=Coalesce(Sum("votes__value"), 0)).values_list("source_id", "total"))
    assert sums == {pk: scores[pk] for pk in imported_posts}


def test_a_vote_without_a_voter_is_refused_unless_imported(imported):
    post = Post.objects.filter(source=source_of(CARDANO)).first()
    when = dt.datetime(2021, 5, 1, tzinfo=dt.UTC)
    # The control: an imported vote may lack a voter.
    Vote.objects.create(post=post, value=1, created_at=when, source="stackexchange:other", source_id=1)
    with pytest.raises(IntegrityError, match="vote_voter_unless_imported"), transaction.atomic():
        Vote.objects.create(post=post, value=1, created_at=when)


def test_counters_match_the_dump_and_a_recomputation(imported):
    for site in (CARDANO, BICYCLES):
        posts = xml_rows(dump_dir(site) / "Posts.xml")
        source = source_of(site)
        answer_counts = dict(Thread.objects.filter(source=source).values_list("source_id", "answer_count"))
        assert answer_counts == {int(row["Id"]): int(row["AnswerCount"]) for row in posts if row["PostTypeId"] == "1"}
        comment_counts = dict(Post.objects.filter(source=source).values_list("source_id", "comment_count"))
        assert comment_counts == {int(r["Id"]): int(r["CommentCount"]) for r in posts if int(r["Id"]) in comment_counts}
        before = snapshot(source)
        assert_consistent(source)
        assert thread_counters_recompute() == 0
        assert snapshot(source) == before


def test_duplicates_come_from_post_links(imported):
    for site in (CARDANO, BICYCLES):
        directory = dump_dir(site)
        questions = {row["Id"] for row in xml_rows(directory / "Posts.xml") if row["PostTypeId"] == "1"}
        expected: dict[int, int] = {}
        for row in xml_rows(directory / "PostLinks.xml"):
            if row["LinkTypeId"] == "3" and {row["PostId"], row["RelatedPostId"]} <= questions:
                expected.setdefault(int(row["PostId"]), int(row["RelatedPostId"]))
        threads = Thread.objects.filter(source=source_of(site))
        linked = dict(threads.filter(duplicate_of__isnull=False).values_list("source_id", "duplicate_of__source_id"))
        assert linked == expected
        assert len(linked) >= 5
        assert set(threads.filter(duplicate_of__isnull=False).values_list("close_reason", flat=True)) == {"duplicate"}
        counts = dict(threads.filter(duplicate_count__gt=0).values_list("source_id", "duplicate_count"))
        assert counts == Counter(expected.values())


def test_post_history_becomes_numbered_revisions_and_markdown_sources(imported):
    directory = dump_dir(BICYCLES)
    source = source_of(BICYCLES)
    posts = {row["Id"]: row for row in xml_rows(directory / "Posts.xml") if row["PostTypeId"] in {"1", "2"}}
    bodies: dict[int, list[dict]] = {}
    for row in xml_rows(directory / "PostHistory.xml"):
        if row["PostHistoryTypeId"] in {"2", "5", "8"} and row["PostId"] in posts:
            bodies.setdefault(int(row["PostId"]), []).append(row)
    assert imported[BICYCLES]["questions"] == 453
    assert imported[BICYCLES]["answers"] == 971
    assert Revision.objects.filter(post__source=source).count() == sum(len(rows) for rows in bodies.values())
    assert not Post.objects.filter(source=source).exclude(body_format=BodyFormat.MARKDOWN).exists()

    edited = max(bodies, key=lambda post_id: len(bodies[post_id]))
    post = Post.objects.get(source=source, source_id=edited)
    history = bodies[edited]
    revisions = list(post.revisions.order_by("number"))
    assert [revision.number for revision in revisions] == list(range(1, len(history) + 1))
    assert post.body == history[-1]["Text"].replace("\r\n", "\n")
    with_comment = next(i for i, row in enumerate(history) if row.get("Comment") and row.get("UserId"))
    assert revisions[with_comment].reason == " ".join(history[with_comment]["Comment"].split())[:300]
    assert revisions[with_comment].author.source_id == int(history[with_comment]["UserId"])
    first = Post.objects.get(source=source, source_id=1).revisions.get(number=1)
    assert first.title == "Suggest a domain name"
    # Edits that left the title or tags alone still hold them, so a rollback restores the whole question.
    question_revisions = Revision.objects.filter(post__source=source, post__kind=PostKind.OPENING)
    assert not question_revisions.filter(Q(title="") | Q(tags="")).exists()


@pytest.mark.parametrize("site", [CARDANO, BICYCLES])
def test_every_post_keeps_the_licence_and_the_author_name_the_dump_states(imported, site):
    rows = [row for row in xml_rows(dump_dir(site) / "Posts.xml") if row["PostTypeId"] in {"1", "2"}]
    stored = {
        source_id: (license, author)
        for source_id, license, author in Post.objects.filter(source=source_of(site)).values_list(
            "source_id", "source_license", "source_author"
        )
    }
    assert stored == {int(row["Id"]): (row["ContentLicense"], row.get("OwnerDisplayName", "")) for row in rows}
    if site == CARDANO:  # two of its questions were asked by someone it has no member for
        assert sum(1 for row in rows if "OwnerUserId" not in row and row.get("OwnerDisplayName")) == 2


@pytest.mark.parametrize("site", [CARDANO, BICYCLES])
def test_every_comment_keeps_the_author_name_the_dump_states(imported, site):
    stored = dict(Comment.objects.filter(source=source_of(site)).values_list("source_id", "source_author"))
    rows = [row for row in xml_rows(dump_dir(site) / "Comments.xml") if int(row["Id"]) in stored]
    assert len(rows) == len(stored)
    assert stored == {int(row["Id"]): row.get("UserDisplayName", "") for row in rows}
    if site == CARDANO:  # comments by someone it has no member for, named only
        assert {stored[1235], stored[1292]} == {"user2878"}


def test_revisions_hold_the_format_of_their_text_html_without_history_markdown_with_it(imported):
    cardano = Revision.objects.filter(post__source=source_of(CARDANO))
    bicycles = Revision.objects.filter(post__source=source_of(BICYCLES))
    assert cardano.exists()
    assert not cardano.exclude(body_format=BodyFormat.HTML).exists()
    assert bicycles.exists()
    assert not bicycles.exclude(body_format=BodyFormat.MARKDOWN).exists()


def test_the_summary_has_the_documented_keys_in_order(imported):
    for summary in imported.values():
        assert list(summary) == SUMMARY_KEYS
        assert all(isinstance(summary[key], int) for key in SUMMARY_KEYS[:-1])
        assert all(count > 0 for count in summary["skipped"].values())


def test_a_second_run_adds_nothing_and_says_so(imported):
    before = snapshot(source_of(CARDANO))
    assert before["badges"] > 0
    assert before["links"] > 0
    assert before["indexed"] == before["threads"]
    assert before["votes"] == 7711
    again = run_import(dump_dir(CARDANO))
    assert [again[key] for key in SUMMARY_KEYS[:-1]] == [0] * 9
    assert again["skipped"] == {
        key: count for key, count in imported[CARDANO]["skipped"].items() if key != "post_links_repeated"
    }
    assert snapshot(source_of(CARDANO)) == before
    # One badge per name and tier, shared by the two sites.
    tiers = {
        (row["Name"], row["Class"]) for site in (CARDANO, BICYCLES) for row in xml_rows(dump_dir(site) / "Badges.xml")
    }
    assert Badge.objects.count() == len(tiers)


def test_badges_become_awards_of_the_members_with_their_tier(imported):
    for site in (CARDANO, BICYCLES):
        rows = xml_rows(dump_dir(site) / "Badges.xml")
        users = {row["Id"] for row in xml_rows(dump_dir(site) / "Users.xml")}
        awarded = [row for row in rows if row["UserId"] in users]
        awards = BadgeAward.objects.filter(source=source_of(site))
        assert imported[site]["badges"] == len(awarded) == awards.count()
        assert imported[site]["skipped"].get("badges_of_unknown_members", 0) == len(rows) - len(awarded)
        stored = {
            award["source_id"]: award
            for award in awards.values("source_id", "badge__name", "badge__tier", "member__source_id", "awarded_at")
        }
        for row in awarded[:: max(len(awarded) // 50, 1)]:
            award = stored[int(row["Id"])]
            assert award["badge__tier"] == int(row["Class"])
            assert award["badge__name"].startswith(row["Name"])
            assert award["member__source_id"] == int(row["UserId"])
            assert award["awarded_at"] == dt.datetime.fromisoformat(row["Date"]).replace(tzinfo=dt.UTC)
    assert imported[CARDANO]["badges"] == 4467


def test_a_tag_badge_in_two_tiers_becomes_two_badges(imported):
    rows = [row for row in xml_rows(dump_dir(BICYCLES) / "Badges.xml") if row["TagBased"] == "True"]
    assert {(row["Name"], row["Class"]) for row in rows} == {("discussion", "2"), ("discussion", "3")}
    # One name, two tiers: two badges, as on Stack Exchange.
    badges = {badge.tier: badge for badge in Badge.objects.filter(name="discussion")}
    assert set(badges) == {BadgeTier.SILVER, BadgeTier.BRONZE}
    assert all(badge.is_tag_badge for badge in badges.values())
    for tier, badge in badges.items():
        assert badge.awards.count() == sum(1 for row in rows if int(row["Class"]) == tier)
    assert not Badge.objects.get(name="Autobiographer").is_tag_badge


def test_linked_posts_become_links_between_their_threads(imported):
    for site in (CARDANO, BICYCLES):
        directory = dump_dir(site)
        thread_of = {
            row["Id"]: row["Id"] if row["PostTypeId"] == "1" else row["ParentId"]
            for row in xml_rows(directory / "Posts.xml")
            if row["PostTypeId"] in {"1", "2"}
        }
        expected: set[tuple[int, int]] = set()
        for row in xml_rows(directory / "PostLinks.xml"):
            start, end = thread_of.get(row["PostId"]), thread_of.get(row["RelatedPostId"])
            if row["LinkTypeId"] == "1" and start and end and start != end:
                expected.add((int(start), int(end)))
        links = ThreadLink.objects.filter(source=source_of(site))
        stored = set(links.values_list("from_thread__source_id", "to_thread__source_id"))
        assert stored == expected
        assert len(expected) > 50
        assert imported[site]["links"] == links.count() == len(expected)
        # A duplicate is closed as one (see test_duplicates_come_from_post_links), not linked, unless the
        # dump also links the two as related.
        only_duplicates = {
            (int(row["PostId"]), int(row["RelatedPostId"]))
            for row in xml_rows(directory / "PostLinks.xml")
            if row["LinkTypeId"] == "3"
        } - expected
        assert only_duplicates
        assert not only_duplicates & stored
    assert imported[CARDANO]["links"] == 88


def test_imported_threads_have_the_excerpt_of_their_opening_post(imported):
    for site in (CARDANO, BICYCLES):
        openings = Post.objects.filter(source=source_of(site), kind=PostKind.OPENING).select_related("thread")
        assert openings.count() == Thread.objects.filter(source=source_of(site)).count()
        for post in openings:
            assert post.thread.excerpt == excerpt(post.body_html, EXCERPT_LENGTH)
        cut = [post for post in openings if post.thread.excerpt.endswith("\u2026")]
        assert cut
        assert all(len(post.thread.excerpt) <= EXCERPT_LENGTH for post in cut)


@pytest.mark.parametrize("site", [CARDANO, BICYCLES])
def test_an_excerpt_read_from_the_start_of_a_long_post_is_the_excerpt_of_the_whole_post(site):
    bodies = [sanitize_html(row.get("Body", "")) for row in xml_rows(dump_dir(site) / "Posts.xml")]
    long_ones = 0
    for html in bodies:
        for length in (EXCERPT_LENGTH, 40):
            whole = cut_excerpt(html_to_text(html), length)
            assert excerpt(html, length) == whole, html[:200]
            long_ones += len(html) > 8 * length
    assert long_ones > len(bodies) // 2  # the shortcut was taken, and held


def test_every_imported_thread_is_searchable_by_the_words_of_its_answers(imported):
    for site in (CARDANO, BICYCLES):
        assert indexed(source_of(site)) == Thread.objects.filter(source=source_of(site)).count()
    # A word only one post of the dump holds: an answer, written batches before the documents.
    answer = Post.objects.get(source=source_of(CARDANO), source_id=12)
    assert "spearheaded" in answer.body_html
    assert answer.thread.source_id == 1
    assert found("spearheaded") == {answer.thread_id}


def test_resuming_after_an_interruption_ends_like_a_clean_run(imported, monkeypatch):
    """Interrupted twice (in the posts, then in a later stage), then finished: the same rows as one clean run."""
    site = f"resumed.{BICYCLES}"
    original = StackExchangeImporter.write_batch
    state = {"allowed": 0}

    def write_batch(self, write):
        if state["allowed"] == 0:
            raise KeyboardInterrupt("simulated interruption")
        state["allowed"] -= 1
        original(self, write)

    monkeypatch.setattr(StackExchangeImporter, "write_batch", write_batch)
    totals: Counter[str] = Counter()
    stages = []
    for allowed in (20, 20):  # tags, 13 batches of members, then into the posts; then into the history
        state["allowed"] = allowed
        importer = StackExchangeImporter(dump_dir(BICYCLES), site=site, batch_size=200)
        with pytest.raises(KeyboardInterrupt):
            importer.run()
        totals.update({key: getattr(importer.summary, key) for key in SUMMARY_KEYS[:-1]})
        stages.append(snapshot(source_of(site)))
        assert_consistent(source_of(site))
    assert 0 < stages[0]["threads"] < 453
    assert stages[1]["revisions"] > 0
    assert stages[1]["indexed"] == 0  # the documents are written last
    monkeypatch.setattr(StackExchangeImporter, "write_batch", original)
    last = run_import(dump_dir(BICYCLES), site=site)
    totals.update({key: last[key] for key in SUMMARY_KEYS[:-1]})
    assert snapshot(source_of(site)) == snapshot(source_of(BICYCLES))
    clean = imported[BICYCLES]
    assert {key: totals[key] for key in SUMMARY_KEYS[:-1] if key != "tags"} == {
        key: clean[key] for key in SUMMARY_KEYS[:-1] if key != "tags"
    }


# --- small hand-made dumps -------------------------------------------------


@pytest.mark.django_db
def test_html_is_sanitised_and_comments_escaped(tmp_path):
    directory = write_dump(
        tmp_path / "evil.example",
        Users=[{**USERS[0], "AboutMe": "<p>Hi</p><script>alert(1)</script>"}],
        Posts=[
            question(
                1,
                Body='<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=y></p>',
            )
        ],
        Comments=[
            {
                "Id": 1,
                "PostId": 1,
                "Text": "<script>alert(2)</script> see `code`",
                "CreationDate": "2021-05-01T00:00:00",
            }
        ],
    )
    run_import(directory)
    post = Post.objects.get(source="stackexchange:evil.example")
    for markup in (post.body_html, post.body, post.revisions.get().body):
        assert "<script" not in markup
        assert "onclick" not in markup
        assert "javascript:" not in markup
        assert "onerror" not in markup
    comment = Comment.objects.get(source="stackexchange:evil.example")
    assert comment.body.startswith("<script>")
    assert "<script" not in comment.body_html
    assert "&lt;script&gt;" in comment.body_html
    assert User.objects.get(source="stackexchange:evil.example").profile.bio == "Hi"  # script and its text dropped


@pytest.mark.django_db
def test_both_tag_spellings_become_tags_by_the_members_rules(tmp_path):
    directory = write_dump(
        tmp_path / "tags.example",
        Users=USERS,
        Posts=[question(1, Tags="<c++><Node.js><wallet>"), question(2, Tags="|c#|wallet|.net|")],
    )
    names = {"c++", "node.js", "wallet", "c#", ".net"}
    new = names - set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    summary = run_import(directory)
    threads = {t.source_id: sorted(t.tags.names()) for t in Thread.objects.filter(source="stackexchange:tags.example")}
    assert threads == {1: ["c++", "node.js", "wallet"], 2: [".net", "c#", "wallet"]}
    assert summary["tags"] == len(new)
    assert parse_tags("|Wallet|WALLET|") == ["wallet"]


@pytest.mark.django_db
def test_a_tag_the_rules_refuse_is_counted_and_logged_not_re_spelt(tmp_path, caplog):
    long_tag = "x" * 40
    directory = write_dump(
        tmp_path / "refused.example",
        Users=USERS,
        Tags=[{"Id": 1, "TagName": "wallet", "Count": 1}, {"Id": 2, "TagName": "a_b", "Count": 1}],
        Posts=[question(1, Tags=f"<wallet><a_b><{long_tag}>"), question(2, Tags="|émoji🚀|")],
    )
    summary = run_import(directory)
    threads = {
        t.source_id: sorted(t.tags.names()) for t in Thread.objects.filter(source="stackexchange:refused.example")
    }
    assert threads == {1: ["wallet"], 2: []}
    assert summary["skipped"]["tags_refused"] == 1
    assert summary["skipped"]["question_tags_refused"] == 3
    assert not Tag.objects.filter(name__in=["a-b", "a_b", "x" * 35, long_tag, "moji", "émoji"]).exists()
    assert "(1, 'a_b')" in caplog.text
    assert "(2, 'émoji🚀')" in caplog.text


def test_the_real_dump_keeps_its_symbolic_tags_as_written(imported):
    threads = Thread.objects.filter(source=source_of(CARDANO), source_id__in=[2160, 4023, 4415])
    tags = {thread.source_id: sorted(thread.tags.names()) for thread in threads}
    assert tags == {
        2160: ["c#", "cardano-cli"],
        4023: ["c#"],
        4415: ["c#", "metadata", "metadata.json", "transaction-metadata", "wallet"],
    }
    assert "skipped" in imported[CARDANO]
    assert "tags_refused" not in imported[CARDANO]["skipped"]


@pytest.mark.django_db
def test_usernames_are_slugs_of_display_names_with_a_suffix_when_taken(tmp_path, member):
    directory = write_dump(
        tmp_path / "names.example",
        Users=[*USERS, {"Id": 3, "CreationDate": "2021-04-28T00:00:00", "DisplayName": "alice"}],
        Posts=[question(1)],
    )
    run_import(directory)
    usernames = dict(User.objects.filter(source="stackexchange:names.example").values_list("source_id", "username"))
    assert usernames == {1: "ada-lovelace", 2: "ada-lovelace-2", 3: "alice-3"}  # "alice" is the member fixture


@pytest.mark.django_db
def test_answers_before_their_question_are_placed_and_orphans_counted(tmp_path):
    directory = write_dump(
        tmp_path / "order.example",
        Users=USERS,
        Posts=[answer(5, 1), answer(6, 99), question(1, AcceptedAnswerId=5)],
    )
    summary = run_import(directory, batch_size=1)
    assert (summary["questions"], summary["answers"]) == (1, 1)
    assert summary["skipped"]["answers_without_question"] == 1
    thread = Thread.objects.get(source="stackexchange:order.example")
    assert thread.accepted_answer.source_id == 5
    assert thread.answer_count == 1


@pytest.mark.django_db
def test_votes_keep_the_voter_the_dump_names_and_are_stored_once(tmp_path):
    directory = write_dump(
        tmp_path / "votes.example",
        Users=USERS,
        Posts=[question(1), answer(2, 1)],
        Votes=[
            {"Id": 1, "PostId": 2, "VoteTypeId": 2, "CreationDate": "2021-05-02T00:00:00", "UserId": 1},
            {"Id": 2, "PostId": 2, "VoteTypeId": 2, "CreationDate": "2021-05-02T00:00:00"},
            {"Id": 3, "PostId": 2, "VoteTypeId": 1, "CreationDate": "2021-05-02T00:00:00"},
            {"Id": 4, "PostId": 77, "VoteTypeId": 3, "CreationDate": "2021-05-02T00:00:00"},
        ],
    )
    summary = run_import(directory)
    assert summary["votes"] == 2
    assert summary["skipped"] == {"votes_of_other_types": 1, "votes_on_deleted_posts": 1}
    votes = Vote.objects.filter(source="stackexchange:votes.example").order_by("source_id")
    assert [(vote.source_id, vote.value, vote.post.source_id) for vote in votes] == [(1, 1, 2), (2, 1, 2)]
    assert [vote.voter.source_id if vote.voter else None for vote in votes] == [1, None]
    assert Post.objects.get(source="stackexchange:votes.example", source_id=2).score == 1  # the dump's score
    assert run_import(directory)["votes"] == 0
    assert votes.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_import_and_a_recount_switch_no_integrity_or_planner_setting_of_the_database(tmp_path):
    """Only a batch's commit may skip waiting for the disk: no trigger, planner or storage setting is changed."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    directory = write_dump(
        tmp_path / "settings.example",
        Users=USERS,
        Posts=[question(1), question(2), answer(3, 1)],
        Comments=[{"Id": 1, "PostId": 3, "Text": "A comment here", "CreationDate": "2021-05-01T00:00:00"}],
        Votes=[{"Id": 1, "PostId": 3, "VoteTypeId": 2, "CreationDate": "2021-05-02T00:00:00"}],
        PostLinks=[{"Id": 1, "PostId": 2, "RelatedPostId": 1, "LinkTypeId": 3, "CreationDate": "2021-05-03T00:00:00"}],
    )
    with connection.execute_wrapper(record):
        summary = run_import(directory)
        thread_counters_recompute()
    assert (summary["questions"], summary["answers"], summary["comments"], summary["votes"]) == (2, 1, 1, 1)
    settings = [sql for sql in statements if re.match(r"\s*SET\b", sql, re.IGNORECASE) or "set_config" in sql.lower()]
    assert settings
    assert set(settings) == {"SET LOCAL synchronous_commit = off"}


POSTS_OK = [question(n) for n in range(1, 7)]


@pytest.mark.parametrize(
    ("broken", "file", "line", "words"),
    [
        # Truncated in the middle of row 6 (line 8): the first two batches of two are committed.
        ({"Posts": xml_text("Posts", POSTS_OK).rsplit('Score="2"', 1)[0]}, "Posts.xml", 8, ["malformed XML"]),
        (
            {
                "Comments": [
                    {"Id": 1, "PostId": 1, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
                    {"Id": 2, "PostId": 2, "Text": "Fine comment", "CreationDate": "2021-05-01T00:00:00"},
                    {"Id": 3, "PostId": 3, "Text": "Bad date", "CreationDate": "yesterday"},
                ]
            },
            "Comments.xml",
            5,
            ["CreationDate", "'yesterday'"],
        ),
        (
            {"Users": [USERS[0], {"CreationDate": "2021-04-28T14:50:43.050", "DisplayName": "No Id"}]},
            "Users.xml",
            4,
            ["Id", "required"],
        ),
    ],
    ids=["truncated-xml", "bad-date", "missing-id"],
)
@pytest.mark.django_db
def test_a_malformed_file_names_file_and_line_leaves_the_database_consistent_and_a_fixed_rerun_completes(
    tmp_path, broken, file, line, words
):
    comments = [
        {"Id": n, "PostId": n, "Text": f"Comment {n}", "CreationDate": "2021-05-01T00:00:00"} for n in range(1, 4)
    ]
    good = {"Users": USERS, "Posts": POSTS_OK, "Comments": comments}
    source = "stackexchange:broken.example"
    directory = write_dump(tmp_path / "broken.example", **{**good, **broken})
    with pytest.raises(CommandError) as excinfo:
        run_import(directory, batch_size=2)
    message = str(excinfo.value)
    assert f"{file}: line {line}:" in message
    for word in words:
        assert word in message
    assert_consistent(source)
    committed = snapshot(source)

    write_dump(directory, **good)
    rerun = run_import(directory, batch_size=2)
    assert rerun["questions"] == 6 - committed["threads"]
    assert rerun["comments"] == 3 - committed["comments"]
    assert rerun["members"] == 2 - committed["members"]
    finished = snapshot(source)
    assert (finished["threads"], finished["comments"], finished["members"], finished["revisions"]) == (6, 3, 2, 6)
    assert finished["comment_count"] == finished["post_comment_count"] == 3
    assert_consistent(source)


@pytest.mark.django_db
def test_recompute_counters_repairs_drifted_counters_and_then_has_nothing_to_do(tmp_path):
    directory = write_dump(
        tmp_path / "drift.example",
        Users=USERS,
        Posts=[question(1), answer(2, 1), answer(3, 1)],
        Comments=[{"Id": 1, "PostId": 2, "Text": "A comment here", "CreationDate": "2021-05-01T00:00:00"}],
    )
    run_import(directory)
    thread = Thread.objects.get(source="stackexchange:drift.example")
    other = ask(UserFactory(), thread.space, title="An untouched thread about wallets")
    Thread.objects.filter(pk=thread.pk).update(answer_count=99, comment_count=7, score=-5)
    Post.objects.filter(thread=thread).update(comment_count=3)
    versions = {pk: caching.lookup(caching.thread_scope(pk), "probe").version for pk in (thread.pk, other.pk)}
    out = StringIO()
    call_command("recompute_counters", stdout=out)
    # The repaired thread's cached pages and row are refreshed at once; other threads' stay.
    assert caching.lookup(caching.thread_scope(thread.pk), "probe").version != versions[thread.pk]
    assert caching.lookup(caching.thread_scope(other.pk), "probe").version == versions[other.pk]
    assert "Corrected the counters of 1 threads" in out.getvalue()
    thread.refresh_from_db()
    assert (thread.answer_count, thread.comment_count, thread.score) == (2, 1, 2)
    counts = dict(Post.objects.filter(thread=thread).values_list("source_id", "comment_count"))
    assert counts == {1: 0, 2: 1, 3: 0}
    assert thread_counters_recompute() == 0


@pytest.mark.django_db
def test_a_missing_directory_or_posts_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        run_import(tmp_path / "nowhere.example")
    write_dump(tmp_path / "empty.example", Users=USERS)
    with pytest.raises(CommandError, match=r"Posts\.xml: missing"):
        run_import(tmp_path / "empty.example")


@pytest.mark.django_db
def test_the_space_is_created_once_from_the_site_or_named_by_space(tmp_path):
    directory = write_dump(tmp_path / "bicycles.meta.stackexchange.com", Users=USERS, Posts=[question(1)])
    run_import(directory, site="bikes.meta.stackexchange.com")
    thread = Thread.objects.get(source="stackexchange:bikes.meta.stackexchange.com")
    assert (thread.space.name, thread.space.slug, thread.space.default_kind) == ("Bikes Meta", "bikes-meta", "question")
    other = write_dump(tmp_path / "other.example", Users=USERS, Posts=[question(1)])
    run_import(other, space="bikes-meta")
    assert Thread.objects.get(source="stackexchange:other.example").space_id == thread.space_id
