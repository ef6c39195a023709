"""Shared helpers for services that store user-written content."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from community.rendering import extract_mentions, render_markdown

TAG_MAX_LENGTH = 35
# Beside letters and digits, as on Stack Overflow: "c++", "c#", ".net", "node.js", "wallet-sync".
TAG_SYMBOLS = "-+#."
# How a list of tags is split: what the help texts say.
TAG_SEPARATORS = re.compile(r"[,\s]+")
_SPACES = re.compile(r"\s+")


def _is_letter_or_digit(char: str) -> bool:
    # Letters, digits and the marks some scripts write letters with, in any script.
    return unicodedata.category(char)[0] in "LNM"


def normalize_tag(raw: str) -> str:
    """The form a tag is stored and looked up in: trimmed, composed (NFC), lower-cased. Not checked.

    Spaces inside (a tag given as one item of a list: "Wallet Sync") become
    hyphens, as Stack Overflow does; in typed text spaces separate tags.
    """
    return _SPACES.sub("-", unicodedata.normalize("NFC", raw.strip()).lower())


def tag_problem(name: str) -> str | None:
    """Why `name` (normalised) cannot be a tag, naming it, or None when it can.

    A tag is never cut or re-spelt to fit: what does not fit is refused, so the
    writer sees what was wrong rather than finding a different tag saved.
    """
    if len(name) > TAG_MAX_LENGTH:
        message = _("The tag “%(tag)s” is too long: at most %(max)d characters (it has %(n)d).")
        return message % {"tag": name, "max": TAG_MAX_LENGTH, "n": len(name)}
    refused = "".join(dict.fromkeys(c for c in name if not (_is_letter_or_digit(c) or c in TAG_SYMBOLS)))
    if refused:
        message = _("The tag “%(tag)s” contains “%(chars)s”: tags hold only letters, digits and - + # .")
        return message % {"tag": name, "chars": refused}
    if not any(_is_letter_or_digit(c) for c in name):
        return _("The tag “%(tag)s” needs at least one letter or digit.") % {"tag": name}
    return None


def is_tag(name: str) -> bool:
    """Whether `name` is a tag exactly as stored (normalised and valid)."""
    return name == normalize_tag(name) and tag_problem(name) is None


def clean_tags(raw_tags: list[str] | str) -> list[str]:
    """Normalised, unique tags in the order given; ValidationError on "tags" naming every tag refused."""
    if isinstance(raw_tags, str):
        raw_tags = TAG_SEPARATORS.split(raw_tags)
    tags: list[str] = []
    problems: list[str] = []
    for raw in raw_tags:
        tag = normalize_tag(raw)
        if not tag or tag in tags:
            continue
        problem = tag_problem(tag)
        if problem:
            problems.append(problem)
        else:
            tags.append(tag)
    if problems:
        raise ValidationError({"tags": problems})
    limit = settings.RAPPORT_MAX_TAGS
    if len(tags) > limit:
        raise ValidationError(
            {"tags": ngettext("Use at most %(n)d tag.", "Use at most %(n)d tags.", limit) % {"n": limit}}
        )
    return tags


def tags_help_text() -> str:
    """The one description of how tags are written, for every form that takes them."""
    return ngettext(
        "Up to %(n)d tag, separated by commas or spaces (so a tag has no space: write wallet-sync). "
        "Letters, digits and - + # . only, at most %(max)d characters: c++, c#, .net, node.js.",
        "Up to %(n)d tags, separated by commas or spaces (so a tag has no space: write wallet-sync). "
        "Letters, digits and - + # . only, at most %(max)d characters: c++, c#, .net, node.js.",
        settings.RAPPORT_MAX_TAGS,
    ) % {"n": settings.RAPPORT_MAX_TAGS, "max": TAG_MAX_LENGTH}


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


def check_body(body: str, *, comment: bool = False) -> str:
    """A post's text (a comment's, with `comment`) stripped, once its length is within the configured limits."""
    if comment:
        limits = (settings.RAPPORT_COMMENT_MIN_LENGTH, settings.RAPPORT_COMMENT_MAX_LENGTH, _("The comment"))
    else:
        limits = (settings.RAPPORT_BODY_MIN_LENGTH, settings.RAPPORT_BODY_MAX_LENGTH, _("The text"))
    minimum, maximum, label = limits
    check_length("body", body, minimum=minimum, maximum=maximum, label=label)
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
        return reverse("tag_detail", args=[tag]) if is_tag(tag) else None

    return render_markdown(source, mention_url=mention_url, tag_url=tag_url)


def thread_slug(title: str) -> str:
    return slugify(title)[:150] or "thread"
