"""Posts rendered once and reused while nothing they show has changed.

A post's HTML is a function of its PostItem (what the selector decided for
this reader: their vote, what they may do) and the language. The cache key is
a digest of exactly those values, so an entry can never be stale and nothing
needs invalidating: a vote, an edit or a new comment makes a new key. Members
with the same rights on a post share its entry; the CSRF token, which differs
per request, is put in after the cache.

The key takes every field of the PostItem and of its CommentItems, and of the
Post itself the POST_FIELDS the partials read (item.post.<field>). A partial
that starts reading another field of the post must have it added there:
tests/community/test_post_fragments.py fails until it is.
"""

from __future__ import annotations

from dataclasses import fields

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from community import caching
from community.pages.threads import CommentItem, PostItem

POST_TEMPLATE = "community/partials/post.html"
SECONDS = 10 * 60
# Stands in for the token in cached HTML; a post's own text can never contain it (bodies are escaped).
CSRF_SLOT = "\x00csrf-slot\x00"

ITEM_FIELDS = tuple(f.name for f in fields(PostItem) if f.name not in ("post", "comments"))
# Plain values all: read as they are (dataclasses.astuple deep-copies each one first).
COMMENT_FIELDS = tuple(f.name for f in fields(CommentItem))
# What the post partials read of the Post itself.
POST_FIELDS = ("pk", "score", "is_official", "body_html", "edited_at")


def _post_value(post, name: str):
    value = getattr(post, name)
    # The body can be long: its digest stands in for it.
    return caching.digest(value) if name == "body_html" else value


def _digest(item: PostItem, language: str) -> str:
    parts = [
        language,
        *(getattr(item, name) for name in ITEM_FIELDS),
        *(_post_value(item.post, name) for name in POST_FIELDS),
        *(tuple(getattr(comment, name) for name in COMMENT_FIELDS) for comment in item.comments),
    ]
    return "rapport:post:" + caching.digest(repr(parts))


def render_posts(
    items: list[PostItem], *, labels: dict, csrf_input: str, comment_form=None, comment_post_id: str | None = None
) -> list[SafeString]:
    """The HTML of each post, from the cache where the same post was rendered the same way before.

    The post whose comment came back with errors (`comment_post_id`) is rendered
    afresh with `comment_form`, showing what was typed.
    """
    language = get_language() or ""
    keys = [_digest(item, language) for item in items]
    found = cache.get_many(keys)
    missing = {}
    html = []
    for key, item in zip(keys, items, strict=True):
        if comment_post_id is not None and item.key == comment_post_id:
            context = {
                "item": item,
                "labels": labels,
                "csrf_input": csrf_input,
                "comment_form": comment_form,
                "comment_post_id": comment_post_id,
            }
            html.append(render_to_string(POST_TEMPLATE, context))
            continue
        fragment = found.get(key)
        if fragment is None:
            fragment = render_to_string(
                POST_TEMPLATE, {"item": item, "labels": labels, "csrf_input": SafeString(CSRF_SLOT)}
            )
            missing[key] = fragment
        html.append(SafeString(fragment.replace(CSRF_SLOT, csrf_input)))
    if missing:
        cache.set_many(missing, SECONDS)
    return html
