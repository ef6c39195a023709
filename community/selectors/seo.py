"""What search engines and link previews read: canonical addresses, Open Graph and
Twitter card tags, and schema.org JSON-LD.

Everything here works from data a page has already loaded (a ThreadPage, a
list's space or tag), so adding the tags to a page costs no query; a thread's
tags are cached with its version, since building them reads every post's text. Absolute
addresses come from RAPPORT_BASE_URL, not from the request's Host header: the
canonical link, the sitemap, the feeds and the JSON-LD then all name the same
public address, whichever host a crawler or a proxy used to reach us.

The reads behind feeds and sitemaps are in community.selectors.syndication.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community import caching
from community.models import Space, ThreadKind, Visibility
from community.pages.threads import PostItem, ThreadPage
from community.rendering import excerpt
from community.selectors.spaces import SPACES_SCOPE

DESCRIPTION_LENGTH = 200  # what search results and link previews show of a description
JSON_LD_TEXT_LENGTH = 3000  # enough for almost every post, bounded for the 32k-character ones
SUGGESTED_ANSWERS = 5
META_SECONDS = 10 * 60  # as long as the thread's posts are cached

# --- Addresses -------------------------------------------------------------------


def site_path(path: str) -> str:
    """`path` relative to the base URL: without the base URL's own path when reverse() already added it.

    A site served under a prefix (RAPPORT_BASE_URL=https://example.com/community,
    SCRIPT_NAME=/community) reverses to "/community/t/1/..." inside a request
    and to "/t/1/..." outside one; both must end up as one absolute address.
    """
    prefix = urlsplit(settings.RAPPORT_BASE_URL).path.rstrip("/")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        return path[len(prefix) :] or "/"
    return path


def absolute_url(path: str) -> str:
    """The public absolute address of a site path ("/t/1/slug/")."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.RAPPORT_BASE_URL + site_path(path)


# --- JSON-LD -----------------------------------------------------------------------

# The characters that could end the <script> element or open a comment in it.
# Escaped as JSON \u sequences, the data parses to the same value.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element holding `data`, safe whatever strings it contains.

    A data block (a non-JavaScript type) is never executed, so the CSP's
    script-src does not apply to it and it needs no nonce.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    # The escaped text contains no markup-significant character, so it is safe as HTML.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text.translate(_SCRIPT_ESCAPES)))  # noqa: S308


def _person(name: str, url: str | None) -> dict | None:
    if not url:  # an erased member: no name or profile to point at
        return None
    return {"@type": "Person", "name": name, "url": absolute_url(url)}


def _with_author(data: dict, name: str, url: str | None) -> dict:
    person = _person(name, url)
    if person:
        data["author"] = person
    return data


def _answer(item: PostItem, page_url: str) -> dict:
    post = item.post
    return _with_author(
        {
            "@type": "Answer",
            "text": excerpt(post.body_html, JSON_LD_TEXT_LENGTH),
            "upvoteCount": post.score,  # net score: Google asks for one aggregate when there are down votes
            "url": f"{page_url}#{item.anchor}",
            "dateCreated": item.created_iso,
        },
        item.author_name,
        item.author_url,
    )


def _qa_page(page: ThreadPage, page_url: str) -> dict | None:
    """schema.org QAPage, as Google's Q&A guidelines describe it; None for a question with no answer yet.

    Google requires an accepted or a suggested answer, so an unanswered
    question carries no Q&A markup until its first answer.
    """
    thread = page.thread
    answers = [item for item in page.answers if not item.is_deleted]
    accepted = next((item for item in answers if item.is_accepted), None)
    # page.answers is already accepted first, then by score.
    suggested = [item for item in answers if not item.is_accepted][:SUGGESTED_ANSWERS]
    if accepted is None and not suggested:
        return None
    question = _with_author(
        {
            "@type": "Question",
            "name": thread.title,
            "text": excerpt(page.opening.post.body_html, JSON_LD_TEXT_LENGTH),
            "answerCount": thread.answer_count,
            "upvoteCount": thread.score,
            "dateCreated": page.created_iso,
        },
        page.author_name,
        page.author_url,
    )
    if accepted is not None:
        question["acceptedAnswer"] = _answer(accepted, page_url)
    if suggested:
        question["suggestedAnswer"] = [_answer(item, page_url) for item in suggested]
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question}


def _article(page: ThreadPage, page_url: str) -> dict:
    thread, opening = page.thread, page.opening.post
    return _with_author(
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": thread.title[:110],  # Google shows at most 110 characters of a headline
            "description": excerpt(opening.body_html, DESCRIPTION_LENGTH),
            "url": page_url,
            "mainEntityOfPage": page_url,
            "datePublished": page.created_iso,
            "dateModified": (opening.edited_at or thread.created_at).isoformat(),
            "keywords": [tag.name for tag in page.tags],
        },
        page.author_name,
        page.author_url,
    )


def _forum_posting(page: ThreadPage, page_url: str) -> dict:
    """DiscussionForumPosting for discussions and ideas: the opening post and its first replies."""
    thread = page.thread
    replies = [item for item in page.answers if not item.is_deleted][:SUGGESTED_ANSWERS]
    return _with_author(
        {
            "@context": "https://schema.org",
            "@type": "DiscussionForumPosting",
            "headline": thread.title,
            "text": excerpt(page.opening.post.body_html, JSON_LD_TEXT_LENGTH),
            "url": page_url,
            "datePublished": page.created_iso,
            "interactionStatistic": [
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/LikeAction",
                    "userInteractionCount": thread.score,
                },
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/CommentAction",
                    "userInteractionCount": thread.answer_count,
                },
            ],
            "comment": [
                _with_author(
                    {
                        "@type": "Comment",
                        "text": excerpt(item.post.body_html, JSON_LD_TEXT_LENGTH),
                        "url": f"{page_url}#{item.anchor}",
                        "datePublished": item.created_iso,
                    },
                    item.author_name,
                    item.author_url,
                )
                for item in replies
            ],
        },
        page.author_name,
        page.author_url,
    )


def thread_structured_data(page: ThreadPage, *, page_url: str) -> dict | None:
    """The JSON-LD for a thread page, by the thread's kind; `page_url` is its absolute canonical address."""
    kind = page.thread.kind
    if kind == ThreadKind.QUESTION:
        return _qa_page(page, page_url)
    if kind == ThreadKind.ARTICLE:
        return _article(page, page_url)
    return _forum_posting(page, page_url)


# --- Page metadata -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    rss_url: str
    atom_url: str


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the seo_meta partial prints into <head>."""

    title: str
    description: str
    canonical_url: str
    og_type: str
    site_name: str
    image_url: str = ""
    noindex: bool = False
    feeds: list[FeedLink] = field(default_factory=list)
    json_ld: str = ""  # a whole, already escaped <script> element


def _image_url() -> str:
    logo = settings.RAPPORT_LOGO_URL
    return absolute_url(logo) if logo.startswith(("/", "http://", "https://")) else ""


def feed_title_latest() -> str:
    return _("%(site)s: latest threads") % {"site": settings.RAPPORT_SITE_NAME}


def feed_title_space(space: Space) -> str:
    return _("%(site)s: latest in %(space)s") % {"site": settings.RAPPORT_SITE_NAME, "space": space.name}


def feed_title_tag(tag: str) -> str:
    return _("%(site)s: latest tagged %(tag)s") % {"site": settings.RAPPORT_SITE_NAME, "tag": tag}


def feed_links_latest() -> list[FeedLink]:
    return [
        FeedLink(
            title=feed_title_latest(),
            rss_url=absolute_url(reverse("feed_latest")),
            atom_url=absolute_url(reverse("feed_latest_atom")),
        )
    ]


def feed_links_space(space: Space) -> list[FeedLink]:
    """The space's feeds, or none for a space the public cannot see (its feed would be a 404)."""
    if space.visibility != Visibility.PUBLIC:
        return []
    return [
        FeedLink(
            title=feed_title_space(space),
            rss_url=absolute_url(reverse("feed_space", args=[space.slug])),
            atom_url=absolute_url(reverse("feed_space_atom", args=[space.slug])),
        )
    ]


def feed_links_tag(tag: str) -> list[FeedLink]:
    return [
        FeedLink(
            title=feed_title_tag(tag),
            rss_url=absolute_url(reverse("feed_tag", args=[tag])),
            atom_url=absolute_url(reverse("feed_tag_atom", args=[tag])),
        )
    ]


def thread_meta(page: ThreadPage) -> PageMeta:
    """Head metadata for a thread page. Answer pages after the first name themselves and carry no JSON-LD.

    The same for every reader, and it reads every post's text: cached until the thread or a space changes.
    """
    scopes, key = thread_meta_entry(page.thread.pk, page.answers_page)
    return caching.cached(scopes, key, lambda: _thread_meta(page), timeout=META_SECONDS)


def thread_meta_entry(thread_id: int, answers_page: int) -> tuple[tuple[str, ...], str]:
    """(scopes, key) of a thread page's head metadata in the cache.

    Whether it may be indexed and which feeds it names depend on the thread
    (its version is bumped when it is deleted) and on its space (the spaces'
    version is bumped when one changes its visibility or name).
    """
    return (caching.thread_scope(thread_id), SPACES_SCOPE), f"meta:{answers_page}:{get_language()}"


def _thread_meta(page: ThreadPage) -> PageMeta:
    thread = page.thread
    canonical = absolute_url(page.url)
    if page.answers_page > 1:
        canonical = f"{canonical}?page={page.answers_page}"
    structured = thread_structured_data(page, page_url=canonical) if page.answers_page == 1 else None
    public = thread.space.visibility == Visibility.PUBLIC and thread.deleted_at is None
    return PageMeta(
        title=thread.title,
        description=excerpt(page.opening.post.body_html, DESCRIPTION_LENGTH),
        canonical_url=canonical,
        og_type="article",
        site_name=settings.RAPPORT_SITE_NAME,
        image_url=_image_url(),
        noindex=not public,
        feeds=feed_links_space(thread.space) if public else [],
        json_ld=json_ld_script(structured) if structured else "",
    )


def list_meta(
    *,
    path: str,
    heading: str,
    space: Space | None = None,
    tag: str | None = None,
    tag_count: int | None = None,
    is_later_page: bool = False,
) -> PageMeta:
    """Head metadata for a thread list.

    Sorts and cursors show the same threads in another order, so every
    variant names the list's own address as canonical. Later pages and private
    or empty lists are kept out of the index (crawlers reach every thread
    through the sitemap); "follow" still lets them walk the links.
    """
    site = settings.RAPPORT_SITE_NAME
    if space is not None:
        description = space.description or _("Questions and discussions in %(space)s on %(site)s.") % {
            "space": space.name,
            "site": site,
        }
        feeds = feed_links_space(space)
        private = space.visibility != Visibility.PUBLIC
    elif tag:
        heading = _("Threads tagged %(tag)s") % {"tag": tag}
        description = _("Threads tagged %(tag)s on %(site)s.") % {"tag": tag, "site": site}
        feeds = feed_links_tag(tag)
        private = False
    else:
        description = settings.RAPPORT_TAGLINE or _("Questions, answers and ideas from the %(site)s community.") % {
            "site": site
        }
        feeds = feed_links_latest()
        private = False
    return PageMeta(
        title=heading,
        description=Truncator(" ".join(description.split())).chars(DESCRIPTION_LENGTH),
        canonical_url=absolute_url(path),
        og_type="website",
        site_name=site,
        image_url=_image_url(),
        noindex=private or is_later_page or tag_count == 0,
        feeds=feeds,
    )
