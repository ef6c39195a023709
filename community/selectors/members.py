"""A member's public activity for their profile page, as the *viewer* may see it.

Everything is filtered by the viewer's visible space visibilities, so a
visitor never learns that someone answered in a staff space, not even as a
count. Deleted threads and posts are left out for everyone.

The page costs the same queries however active the member is:

1. their post counts (threads started, questions, answers, accepted answers),
   one conditional aggregate;
2. their votes cast, up and down, another;
3. their latest threads, 4. answers and 5. accepted answers, ten of each
   with its thread, each list skipped when its count says it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from community import permissions
from community.models import Post, PostKind, ThreadKind, Vote
from community.pages.lists import KIND_LABELS
from community.selectors.links import Links

RECENT_LIMIT = 10


@dataclass(frozen=True, slots=True)
class ActivityItem:
    """A thread the member started, or an answer they wrote (then `url` points at the answer)."""

    title: str
    url: str
    kind: str
    kind_label: str
    score: int
    created_at: datetime
    created_iso: str
    is_accepted: bool  # an answer the asker accepted, or a thread with an accepted answer
    status_label: str  # "solved" for such a thread, "accepted" for such an answer


@dataclass(slots=True)
class MemberActivity:
    thread_count: int = 0
    question_count: int = 0
    answer_count: int = 0
    accepted_count: int = 0
    votes_up: int = 0
    votes_down: int = 0
    threads: list[ActivityItem] = field(default_factory=list)
    answers: list[ActivityItem] = field(default_factory=list)
    accepted: list[ActivityItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.thread_count or self.answer_count or self.votes_up or self.votes_down)


def _visible_posts(*, viewer, member: User) -> QuerySet[Post]:
    return Post.objects.filter(
        author=member,
        deleted_at__isnull=True,
        thread__deleted_at__isnull=True,
        thread__space__visibility__in=permissions.visible_visibilities(viewer),
    )


def _items(posts: QuerySet[Post], links: Links) -> list[ActivityItem]:
    """The latest of `posts` with their threads: an opening post stands for its thread, an answer links to itself."""
    rows = (
        posts.select_related("thread")
        .only(
            "id",
            "kind",
            "score",
            "created_at",
            "thread__id",
            "thread__title",
            "thread__slug",
            "thread__kind",
            "thread__score",
            "thread__accepted_answer_id",
        )
        .order_by("-created_at", "-id")[:RECENT_LIMIT]
    )
    solved, accepted = _("solved"), _("accepted")
    items = []
    for post in rows:
        thread = post.thread
        url = links.thread(thread.pk, thread.slug)
        if post.kind == PostKind.OPENING:
            score, is_accepted = thread.score, thread.accepted_answer_id is not None
            status_label = solved if is_accepted else ""
        else:
            url, score, is_accepted = f"{url}#post-{post.pk}", post.score, thread.accepted_answer_id == post.pk
            status_label = accepted if is_accepted else ""
        items.append(
            ActivityItem(
                title=thread.title,
                url=url,
                kind=thread.kind,
                kind_label=KIND_LABELS.get(thread.kind, thread.kind),
                score=score,
                created_at=post.created_at,
                created_iso=post.created_at.isoformat(),
                is_accepted=is_accepted,
                status_label=status_label,
            )
        )
    return items


def member_activity(*, viewer, member: User) -> MemberActivity:
    """What `member` has asked, answered and voted, limited to the spaces `viewer` may see."""
    visibilities = permissions.visible_visibilities(viewer)
    posts = _visible_posts(viewer=viewer, member=member)
    accepted_here = Q(kind=PostKind.ANSWER, thread__accepted_answer=F("pk"))
    counts = posts.aggregate(
        threads=Count("pk", filter=Q(kind=PostKind.OPENING)),
        questions=Count("pk", filter=Q(kind=PostKind.OPENING, thread__kind=ThreadKind.QUESTION)),
        answers=Count("pk", filter=Q(kind=PostKind.ANSWER)),
        accepted=Count("pk", filter=accepted_here),
    )
    votes = Vote.objects.filter(
        voter=member,
        post__deleted_at__isnull=True,
        post__thread__deleted_at__isnull=True,
        post__thread__space__visibility__in=visibilities,
    ).aggregate(up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1)))
    activity = MemberActivity(
        thread_count=counts["threads"],
        question_count=counts["questions"],
        answer_count=counts["answers"],
        accepted_count=counts["accepted"],
        votes_up=votes["up"],
        votes_down=votes["down"],
    )

    links = Links()
    if activity.thread_count:
        activity.threads = _items(posts.filter(kind=PostKind.OPENING), links)
    if activity.answer_count:
        activity.answers = _items(posts.filter(kind=PostKind.ANSWER), links)
    if activity.accepted_count:
        activity.accepted = _items(posts.filter(accepted_here), links)
    return activity
