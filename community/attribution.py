"""Who wrote imported content, where, and under which licence: what CC BY-SA asks us to show.

Stack Exchange content is licensed CC BY-SA. Reusing it requires naming the
author, linking to the original and naming the licence, so every imported
post shows all three, on its page and in feeds. Everything here is derived
from the post's own columns and its (already loaded) author: no query runs.

The site is read from the post's source, which the importer writes as
"stackexchange:<site>". The licence is the one the dump states for the post
(its ContentLicense); a post imported without one gets the version Stack
Exchange applied on the date it was written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from community.models import Comment, Post, PostKind

SOURCE_PREFIX = "stackexchange:"
# A host name, so a malformed source can never produce a link elsewhere than the site itself.
_SITE_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_LICENSE_RE = re.compile(r"CC BY-SA (2\.5|3\.0|4\.0)")
# When Stack Exchange moved new contributions to a later version of CC BY-SA.
_LICENSE_SINCE = (
    (dt.datetime(2018, 5, 2, tzinfo=dt.UTC), "4.0"),
    (dt.datetime(2011, 4, 8, tzinfo=dt.UTC), "3.0"),
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Plain values only: it is part of a post's cache key (community.views.fragments)."""

    author_name: str
    author_url: str  # the author's profile on the site; "" when the dump names no member
    site: str
    source_url: str
    license_name: str
    license_url: str


def source_site(source: str) -> str | None:
    """'stackexchange:cardano.stackexchange.com' -> 'cardano.stackexchange.com'; None for anything else."""
    if not source.startswith(SOURCE_PREFIX):
        return None
    site = source.removeprefix(SOURCE_PREFIX).lower()
    return site if _SITE_RE.fullmatch(site) else None


def license_version(stated: str, written_at: dt.datetime) -> str:
    """The CC BY-SA version: the one the dump states, else the one in force when the post was written."""
    found = _LICENSE_RE.fullmatch(stated.strip())
    if found:
        return found.group(1)
    for since, version in _LICENSE_SINCE:
        if written_at >= since:
            return version
    return "2.5"


def _source_author(content: Post | Comment, site: str, named_in_dump: str) -> tuple[str, str]:
    """The author's name and profile on the site, when the author was imported from the same site."""
    author = content.author
    if author is not None and author.source == content.source and author.source_id is not None:
        return author.public_name, f"https://{site}/users/{author.source_id}"
    return named_in_dump or _("an anonymous user"), ""


def _attribution(author: tuple[str, str], *, site: str, source_url: str, version: str) -> Attribution:
    return Attribution(
        author_name=author[0],
        author_url=author[1],
        site=site,
        source_url=source_url,
        license_name=f"CC BY-SA {version}",
        license_url=f"https://creativecommons.org/licenses/by-sa/{version}/",
    )


def post_attribution(post: Post) -> Attribution | None:
    """The attribution an imported post shows; None for a post written here.

    `post.author` must be loaded (select_related), as it is wherever posts are listed.
    """
    site = source_site(post.source)
    if site is None or post.source_id is None:
        return None
    path = "q" if post.kind == PostKind.OPENING else "a"
    return _attribution(
        _source_author(post, site, post.source_author),
        site=site,
        source_url=f"https://{site}/{path}/{post.source_id}",
        version=license_version(post.source_license, post.created_at),
    )


def comment_attribution(comment: Comment, *, author_name: str, author_source_id: int | None) -> Attribution | None:
    """The attribution an imported comment shows; None for a comment written here.

    Comments are CC BY-SA like posts. The importer keeps no licence for them, so
    the version is the one in force on the day the comment was written. The
    author's name and id on the site are given: the thread page loads comments
    without their authors' rows (community.selectors.threads). Without them, the
    name the dump gave (`source_author`) is credited, unlinked.
    """
    site = source_site(comment.source)
    if site is None or comment.source_id is None:
        return None
    if author_source_id is not None and author_name:
        author = (author_name, f"https://{site}/users/{author_source_id}")
    else:
        author = (comment.source_author or _("an anonymous user"), "")
    return _attribution(
        author,
        site=site,
        source_url=f"https://{site}/posts/comments/{comment.source_id}",
        version=license_version("", comment.created_at),
    )
