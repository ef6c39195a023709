"""Thread lists: all threads, by kind, by space and by tag, each with its sorts and keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from community import caching, permissions
from community.models import IdeaStatus, Space, ThreadKind
from community.pages.lists import tag_directory, thread_list
from community.selectors.follows import member_follows
from community.selectors.lists import PERIODS, Sort, TagSort, tag_details, tag_thread_count
from community.selectors.spaces import space_get_for_user, space_list_for_user
from community.services.content import normalize_tag, tag_problem
from community.views.cache import LIST_SECONDS, visitor_page
from community.views.params import page_number

SORT_LABELS = {
    Sort.LATEST: _("Latest activity"),
    Sort.NEWEST: _("Newest"),
    Sort.UNANSWERED: _("Unanswered"),
    Sort.UNSOLVED: _("Unsolved"),
    Sort.TOP: _("Top"),
}
PERIOD_LABELS = {
    "day": _("Today"),
    "week": _("This week"),
    "month": _("This month"),
    "all": pgettext_lazy("time period", "All time"),
}
ALL_SORTS = [Sort.LATEST, Sort.NEWEST, Sort.UNANSWERED, Sort.UNSOLVED, Sort.TOP]

ASK_LABELS = {
    ThreadKind.QUESTION: _("Ask a question"),
    ThreadKind.DISCUSSION: _("Start a discussion"),
    ThreadKind.IDEA: _("Share an idea"),
    ThreadKind.ARTICLE: _("Write an article"),
}

# /questions/, /discussions/ ... : the kind, its heading, and the sorts that make sense for it.
KINDS = {
    "questions": (ThreadKind.QUESTION, _("Questions"), ALL_SORTS),
    "discussions": (ThreadKind.DISCUSSION, _("Discussions"), [Sort.LATEST, Sort.NEWEST, Sort.UNANSWERED, Sort.TOP]),
    "ideas": (ThreadKind.IDEA, _("Ideas"), [Sort.LATEST, Sort.NEWEST, Sort.TOP]),
    "articles": (ThreadKind.ARTICLE, _("Articles"), [Sort.LATEST, Sort.NEWEST, Sort.TOP]),
}


@dataclass(frozen=True)
class RowsFragment:
    html: str
    next_cursor: str | None
    previous_cursor: str | None


def thread_rows_fragment(request: HttpRequest, *, heading_level: int = 3, **list_args) -> RowsFragment:
    """A list's rows rendered, shared by everyone who may see the same spaces, until a thread changes.

    Rows carry nothing personal (the viewer only decides which spaces count),
    so members get them from the cache as visitors do; the page around them is
    rendered per request. Their "5 minutes ago" can lag by up to LIST_SECONDS.
    """
    space = list_args.get("space")
    params = {**list_args, "space": space.pk if space else None}
    raw = f"{sorted(params.items())}|{permissions.visibility_key(request.user)}|{get_language()}|{heading_level}"
    key = f"rows:{raw}"

    def build() -> RowsFragment:
        page = thread_list(user=request.user, **list_args)
        html = render_to_string(
            "community/partials/thread_rows.html", {"rows": page.items, "heading_level": heading_level}
        )
        return RowsFragment(html, page.next_cursor, page.previous_cursor)

    return caching.cached(caching.THREADS_SCOPE, key, build, timeout=LIST_SECONDS)


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


def _query(params: dict[str, str]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v}) if any(params.values()) else "?"


def _list_response(
    request: HttpRequest,
    *,
    heading: str,
    sorts: list[Sort],
    template: str = "community/thread_list.html",
    space: Space | None = None,
    tag: str | None = None,
    kind: str | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    sort = request.GET.get("sort", Sort.LATEST)
    if sort not in sorts:
        sort = Sort.LATEST
    period = request.GET.get("period", "all")
    if period not in PERIODS:
        period = "all"
    status = request.GET.get("status", "") if kind == ThreadKind.IDEA else ""
    if status not in IdeaStatus.values:
        status = ""

    page = thread_rows_fragment(
        request,
        sort=sort,
        period=period,
        space=space,
        tag=tag,
        kind=kind,
        idea_status=status or None,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )

    # Links keep the list's filters and drop the cursor: a new sort starts from the top.
    kept = {"sort": "" if sort == Sort.LATEST else sort, "period": period if sort == Sort.TOP else "", "status": status}
    sort_label = SORT_LABELS
    if kind == ThreadKind.IDEA:
        sort_label = {**SORT_LABELS, Sort.TOP: _("Most voted")}
    sort_tabs = [
        Tab(sort_label[s], _query({**kept, "sort": "" if s == Sort.LATEST else s, "period": ""}), s == sort)
        for s in sorts
    ]
    period_tabs = (
        [Tab(label, _query({**kept, "period": p}), p == period) for p, label in PERIOD_LABELS.items()]
        if sort == Sort.TOP
        else []
    )
    status_tabs = (
        [Tab(_("Any status"), _query({**kept, "status": ""}), not status)]
        + [Tab(label, _query({**kept, "status": value}), value == status) for value, label in IdeaStatus.choices]
        if kind == ThreadKind.IDEA
        else []
    )
    context = {
        "heading": heading,
        "rows_html": page.html,
        "next_url": _query({**kept, "after": page.next_cursor}) if page.next_cursor else None,
        "previous_url": _query({**kept, "before": page.previous_cursor}) if page.previous_cursor else None,
        "first_url": _query(kept),
        "is_later_page": bool(request.GET.get("after") or request.GET.get("before")),
        "sort_tabs": sort_tabs,
        "period_tabs": period_tabs,
        "status_tabs": status_tabs,
        "space": space,
        "ask_label": ASK_LABELS[kind or (space.default_kind if space else ThreadKind.QUESTION)],
        "ask_query": _query({"space": space.slug if space else "", "kind": kind or ""}),
        **(extra or {}),
    }
    return render(request, template, context)


def cached_list(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """A list page, from the cache for visitors until a thread changes."""
    return visitor_page(request, caching.THREADS_SCOPE, render, timeout=LIST_SECONDS)


@require_safe
def all_threads(request: HttpRequest) -> HttpResponse:
    return cached_list(request, lambda: _list_response(request, heading=_("All threads"), sorts=ALL_SORTS))


@require_safe
def kind_list(request: HttpRequest, kind: str) -> HttpResponse:
    thread_kind, heading, sorts = KINDS[kind]
    return cached_list(request, lambda: _list_response(request, heading=heading, sorts=sorts, kind=thread_kind))


@require_safe
def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    space = space_get_for_user(user=request.user, slug=slug)
    follow = {
        "follow_url": reverse("space_follow", args=[space.slug]),
        "can_follow": request.user.is_authenticated,
        "following": member_follows(member=request.user, space=space),
    }
    return cached_list(
        request, lambda: _list_response(request, heading=space.name, sorts=ALL_SORTS, space=space, extra=follow)
    )


@require_safe
def tag_detail(request: HttpRequest, tag: str) -> HttpResponse:
    # Tags are stored lower-cased and composed: /tags/C++/ is /tags/c++/.
    if tag != normalize_tag(tag):
        return redirect("tag_detail", normalize_tag(tag), permanent=True)
    # A name the tag rules refuse can never gain threads: an empty 200 page would be a soft 404 to crawlers.
    if tag_problem(tag):
        raise Http404(_("No such tag."))
    return cached_list(request, lambda: _tag_page(request, tag))


def _tag_page(request: HttpRequest, tag: str) -> HttpResponse:
    # A #tag link in a post may point at a tag nobody has used yet: an empty list, not a 404.
    count = tag_thread_count(user=request.user, tag=tag)
    extra = {"tag": tag, "tag_count": count}
    if count:
        details = tag_details(name=tag, user=request.user)
        extra |= {
            "tag_description": details.description,
            "tag_followers": details.followers,
            "follow_url": reverse("tag_follow", args=[tag]),
            "can_follow": request.user.is_authenticated,
            "following": details.following,
        }
    return _list_response(request, heading=tag, sorts=ALL_SORTS, tag=tag, extra=extra)


@require_safe
def tag_index(request: HttpRequest) -> HttpResponse:
    """Every tag in use, most used first or by name, filtered by a part of its name."""
    return cached_list(request, lambda: _tag_index_page(request))


def _tag_index_page(request: HttpRequest) -> HttpResponse:
    # Not "q": the site's search box in the header shows that one.
    query = request.GET.get("filter", "").strip()[:100]
    sort = request.GET.get("sort", TagSort.POPULAR)
    if sort not in {option.value for option in TagSort}:
        sort = TagSort.POPULAR
    directory = tag_directory(user=request.user, query=query, sort=sort, page=page_number(request))

    def link(**changes) -> str:
        params = {"filter": query, "sort": sort if sort != TagSort.POPULAR else "", **changes}
        return reverse("tag_index") + "?" + urlencode({key: value for key, value in params.items() if value})

    context = {
        "directory": directory,
        "query": query,
        "sorts": [
            (TagSort.POPULAR, _("Popular"), link(sort="", page="")),
            (TagSort.NAME, _("Name"), link(sort=TagSort.NAME, page="")),
        ],
        "sort": sort,
        "previous_url": link(page=directory.page - 1) if directory.page > 1 else None,
        "next_url": link(page=directory.page + 1) if directory.page < directory.pages else None,
    }
    return render(request, "community/tag_index.html", context)


@require_safe
def space_list(request: HttpRequest) -> HttpResponse:
    return render(request, "community/space_list.html", {"spaces": space_list_for_user(user=request.user)})
