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

from community.models import Post, PostKind

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


def post_attribution(post: Post) -> Attribution | None:
    """The attribution an imported post shows; None for a post written here.

    `post.author` must be loaded (select_related), as it is wherever posts are listed.
    """
    site = source_site(post.source)
    if site is None or post.source_id is None:
        return None
    author = post.author
    if author is not None and author.source == post.source and author.source_id is not None:
        author_name, author_url = author.public_name, f"https://{site}/users/{author.source_id}"
    else:
        author_name, author_url = post.source_author or _("an anonymous user"), ""
    path = "q" if post.kind == PostKind.OPENING else "a"
    version = license_version(post.source_license, post.created_at)
    return Attribution(
        author_name=author_name,
        author_url=author_url,
        site=site,
        source_url=f"https://{site}/{path}/{post.source_id}",
        license_name=f"CC BY-SA {version}",
        license_url=f"https://creativecommons.org/licenses/by-sa/{version}/",
    )
