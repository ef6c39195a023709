"""Shared helpers for services that store user-written content."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from community.rendering import extract_mentions, render_markdown

_TAG_INVALID = re.compile(r"[^a-z0-9-]+")
TAG_MAX_LENGTH = 35


def normalize_tag(raw: str) -> str:
    """Lower-case, hyphen-separated: 'Wallet Sync' -> 'wallet-sync'."""
    tag = _TAG_INVALID.sub("-", raw.strip().lower().replace("_", "-"))
    return re.sub(r"-{2,}", "-", tag).strip("-")[:TAG_MAX_LENGTH]


def clean_tags(raw_tags: list[str] | str) -> list[str]:
    if isinstance(raw_tags, str):
        raw_tags = re.split(r"[,\s]+", raw_tags)
    tags: list[str] = []
    for raw in raw_tags:
        tag = normalize_tag(raw)
        if tag and tag not in tags:
            tags.append(tag)
    limit = settings.RAPPORT_MAX_TAGS
    if len(tags) > limit:
        raise ValidationError(
            {"tags": ngettext("Use at most %(n)d tag.", "Use at most %(n)d tags.", limit) % {"n": limit}}
        )
    return tags


def check_length(field: str, value: str, *, minimum: int, maximum: int, label: str) -> None:
    length = len(value.strip())
    if length < minimum:
        message = _("%(label)s must be at least %(min)d characters (it has %(n)d).")
        raise ValidationError({field: message % {"label": label, "min": minimum, "n": length}})
    if length > maximum:
        message = _("%(label)s must be at most %(max)d characters (it has %(n)d).")
        raise ValidationError({field: message % {"label": label, "max": maximum, "n": length}})


def check_title(title: str) -> str:
    check_length(
        "title",
        title,
        minimum=settings.RAPPORT_TITLE_MIN_LENGTH,
        maximum=settings.RAPPORT_TITLE_MAX_LENGTH,
        label=_("The title"),
    )
    return " ".join(title.split())


def check_body(body: str) -> str:
    check_length(
        "body",
        body,
        minimum=settings.RAPPORT_BODY_MIN_LENGTH,
        maximum=settings.RAPPORT_BODY_MAX_LENGTH,
        label=_("The text"),
    )
    return body.strip()


def check_comment(body: str) -> str:
    check_length(
        "body",
        body,
        minimum=settings.RAPPORT_COMMENT_MIN_LENGTH,
        maximum=settings.RAPPORT_COMMENT_MAX_LENGTH,
        label=_("The comment"),
    )
    return body.strip()


def render_body(source: str) -> str:
    """Markdown to sanitised HTML, linking @mentions of members who exist and #tags."""
    mentioned = extract_mentions(source)
    existing = (
        set(User.objects.filter(username__in=mentioned, is_active=True).values_list("username", flat=True))
        if mentioned
        else set()
    )

    def mention_url(username: str) -> str | None:
        return reverse("member_profile", args=[username]) if username in existing else None

    def tag_url(tag: str) -> str | None:
        # Only what could be a real tag becomes a link.
        return reverse("tag_detail", args=[tag]) if tag == normalize_tag(tag) else None

    return render_markdown(source, mention_url=mention_url, tag_url=tag_url)


def thread_slug(title: str) -> str:
    return slugify(title)[:150] or "thread"
