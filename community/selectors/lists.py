"""Thread lists: the feed, by space, tag and kind, and similar titles for the ask page.

Every list goes through `_visible_threads`, so a thread in a space the user
may not see never appears, whatever the filter. Rows are plain dataclasses
with their URLs and labels already worked out, so the template only prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, QuerySet, Value
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from community import caching, permissions
from community.models import Follow, Space, Thread, ThreadKind
from community.search.highlight import count_found, word_pattern
from community.search.matching import similar_thread_candidates
from community.selectors.pagination import Page, keyset_page
from community.selectors.spaces import SPACES_SCOPE, visible_space_ids
from community.selectors.tags import thread_tagged_items

PAGE_SIZE = 30
# Bumped when a tag is deleted or renamed (community.receivers).
TAGS_SCOPE = "tags"


class Sort(StrEnum):
    LATEST = "latest"
    NEWEST = "newest"
    UNANSWERED = "unanswered"
    UNSOLVED = "unsolved"
    TOP = "top"


# Each sort walks one of Thread's (key, id) indexes.
SORT_KEYS: dict[Sort, tuple[str, type]] = {
    Sort.LATEST: ("last_activity_at", datetime),
    Sort.NEWEST: ("created_at", datetime),
    Sort.UNANSWERED: ("created_at", datetime),
    Sort.UNSOLVED: ("last_activity_at", datetime),
    Sort.TOP: ("score", int),
}

PERIODS: dict[str, timedelta | None] = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "all": None,
}


def _visible_threads(user) -> QuerySet[Thread]:
    """Threads the user may see. Filters on cached space ids, never by joining the space table."""
    return Thread.objects.filter(deleted_at__isnull=True, space_id__in=visible_space_ids(user=user))


def tag_id(name: str) -> int | None:
    """The tag's id, cached: a tag keeps its id for as long as it exists."""

    found = caching.lookup(TAGS_SCOPE, f"id:{name}")
    if found.hit:
        return found.value
    pk = Tag.objects.filter(name=name).values_list("pk", flat=True).first()
    if pk is not None:  # an unknown tag is not remembered: it may be created any moment
        found.store(pk)
    return pk


def _tagged(queryset: QuerySet[Thread], tag: str) -> QuerySet[Thread]:
    """Threads carrying `tag`, as a semi-join on the tag's items rather than a join that repeats rows.

    With the tag's id in the query, rather than a join to the tag table, the
    planner knows how common the tag is: for a common one it walks the sort
    index and stops after a page instead of reading every tagged thread.
    """
    found = tag_id(tag)
    if found is None:
        return queryset.none()
    tagged = TaggedItem.objects.filter(tag_id=found, content_type=ContentType.objects.get_for_model(Thread))
    return queryset.filter(pk__in=tagged.values("object_id"))


def thread_list_for_user(
    *,
    user,
    sort: Sort | str = Sort.LATEST,
    period: str = "all",
    space: Space | None = None,
    tag: str | None = None,
    kind: str | None = None,
    idea_status: str | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of threads the user may see, loaded with their space and author, with cursors either way.

    The caller checks that `space` is visible (space_get_for_user); the
    visibility filter here still applies, so a wrong caller leaks nothing.
    Unknown sorts or periods fall back to the defaults.
    """
    try:
        sort = Sort(sort)
    except ValueError:
        sort = Sort.LATEST
    queryset = _visible_threads(user)
    if space is not None:
        queryset = queryset.filter(space=space)
    if tag:
        queryset = _tagged(queryset, tag)
    if kind:
        queryset = queryset.filter(kind=kind)
    if idea_status:
        queryset = queryset.filter(kind=ThreadKind.IDEA, idea_status=idea_status)
    if sort == Sort.UNANSWERED:
        queryset = queryset.filter(answer_count=0, closed_at__isnull=True)
    elif sort == Sort.UNSOLVED:
        queryset = queryset.filter(kind=ThreadKind.QUESTION, accepted_answer__isnull=True, closed_at__isnull=True)
    elif sort == Sort.TOP and PERIODS.get(period):
        queryset = queryset.filter(created_at__gte=timezone.now() - PERIODS[period])

    key, value_type = SORT_KEYS[sort]
    page = keyset_page(
        queryset.select_related("space", "author__profile"),
        key=key,
        value_type=value_type,
        limit=limit,
        after=after,
        before=before,
    )
    return page


def tag_thread_count(*, user, tag: str) -> int:
    """How many threads the user may see carry this tag; cached until a thread changes."""
    key = f"tagcount:{permissions.visibility_key(user)}|{tag}"
    return caching.cached(
        caching.THREADS_SCOPE, key, lambda: _tagged(_visible_threads(user), tag).order_by().count(), timeout=600
    )


# --- Similar titles ---------------------------------------------------------------

# Words that say nothing about what a question is about.
_STOPWORDS = frozenset(
    " ".join(
        [
            "a about after all also am an and any are as at be been but by can cant could did do does doesnt dont",
            "for from get gets getting got had has have having how i if im in into is isnt it its ive just me my no",
            "not of on or our should so some than that the their them then there these they this to too up us use",
            "using was we were what when where which while who why will with wont would you your",
        ]
    ).split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_SIGNIFICANT_WORDS = 6
# Threads sharing enough words that similar_threads ranks: a bound, however common the words.
SIMILAR_CANDIDATES = 200


def significant_words(title: str) -> list[str]:
    """The longest distinct non-stopwords of a title, at most six: what the title is about."""
    words: list[str] = []
    for word in _WORD.findall(title.lower().replace("'", "")):
        if len(word) >= 3 and word not in _STOPWORDS and word not in words:
            words.append(word)
    words.sort(key=len, reverse=True)
    return words[:MAX_SIGNIFICANT_WORDS]


def similar_threads_for_user(*, user, title: str, limit: int = 5) -> list[Thread]:
    """Up to `limit` visible threads that share the most significant words with `title`.

    Full-text search finds the threads holding at least two of the title's
    words when it has three or more (one shared word out of three, such as
    "password", is noise rather than similarity), else one; the
    SIMILAR_CANDIDATES highest scored of them are ranked by how many of the
    words their own title has, then by score. One query.
    """
    words = significant_words(title)
    if not words:
        return []
    needed = 2 if len(words) >= 3 else 1
    candidates = similar_thread_candidates(user=user, words=words, needed=needed, limit=SIMILAR_CANDIDATES).only(
        "id", "title", "slug", "kind", "answer_count", "accepted_answer_id", "score"
    )
    patterns = [word_pattern([word]) for word in words]
    return sorted(candidates, key=lambda t: (-count_found(patterns, t.title), -t.score, -t.pk))[:limit]


def tags_suggest(*, user, prefix: str, limit: int = 8) -> list[str]:
    """Tags starting with `prefix`, most used first, counting only threads the user may see
    (a tag used only in a private space is not revealed)."""
    prefix = prefix.strip().lower()
    if not prefix:
        return []
    rows = (
        Thread.objects.filter(
            space_id__in=visible_space_ids(user=user),
            deleted_at__isnull=True,
            tags__name__startswith=prefix,
        )
        .values("tags__name")
        .annotate(uses=Count("id"))
        .order_by("-uses", "tags__name")[:limit]
    )
    return [row["tags__name"] for row in rows]


@dataclass(frozen=True, slots=True)
class TagDetails:
    description: str
    followers: int
    following: bool  # whether this member follows the tag


def tag_details(*, name: str, user) -> TagDetails:
    """A tag's description, its follower count and whether `user` follows it: one query."""
    tags = Tag.objects.filter(name=name).annotate(followers_count=Count("followers"))
    if user.is_authenticated:
        tags = tags.annotate(following=Exists(Follow.objects.filter(tag=OuterRef("pk"), member=user.pk)))
    else:
        tags = tags.annotate(following=Value(False))
    row = tags.values("info__description", "followers_count", "following").first()
    if row is None:
        return TagDetails("", 0, False)
    return TagDetails(row["info__description"] or "", row["followers_count"], bool(row["following"]))


# --- The tag directory --------------------------------------------------------------

TAG_DIRECTORY_SECONDS = 10 * 60  # counts may lag this long: rebuilding after every write would cost more


class TagSort(StrEnum):
    POPULAR = "popular"
    NAME = "name"


def tag_counts(*, user) -> list[tuple[str, int, str]]:
    """(name, threads the user may see with it, description) of every tag in use, most used first."""

    def build() -> list[tuple[str, int, str]]:
        rows = (
            thread_tagged_items()
            .filter(object_id__in=_visible_threads(user).values("pk"))
            .values_list("tag__name", "tag__info__description")
            .annotate(n=Count("id"))
            .order_by("-n", "tag__name")
        )
        return [(name, n, description or "") for name, description, n in rows]

    # Who may see which spaces is in the key and the spaces' version; renames and descriptions bump the tags'.
    # A tag only a deleted (spam) thread carried must not stay listed: hiding bumps the visibility scope.
    key = "directory:" + permissions.visibility_key(user)
    scopes = (TAGS_SCOPE, SPACES_SCOPE, caching.VISIBILITY_SCOPE)
    return caching.cached(scopes, key, build, timeout=TAG_DIRECTORY_SECONDS)
