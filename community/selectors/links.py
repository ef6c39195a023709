"""URLs for rows and posts, reversed once per page and then filled in by string formatting.

A list of 30 threads links each thread, its space, its author and its tags:
well over a hundred reversals if every one went through the resolver (or a
{% url %} tag in the loop). Reversing a pattern once with placeholder
arguments and formatting it per row gives the same URLs for a fraction of the
cost. Templates are built on first use, not at import, and kept per script
prefix, because reverse() includes the request's script prefix.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.urls import get_script_prefix, reverse

# Placeholders nobody's slug, tag or id will ever equal.
_INT_BASE = 987_654_320
_STR_SLOT = "zq{}slotqz"
# What reverse() leaves unescaped in a path segment (Django's own set).
_SAFE = "-._~!$&'()*+,;=:@"


class UrlTemplate:
    """A reversed URL with holes: UrlTemplate("thread_detail", int, str).format(12, "my-slug")."""

    __slots__ = ("_pattern",)

    def __init__(self, name: str, *kinds: type) -> None:
        args = [_INT_BASE + i if kind is int else _STR_SLOT.format(i) for i, kind in enumerate(kinds)]
        url = reverse(name, args=args).replace("{", "{{").replace("}", "}}")
        for i, kind in enumerate(kinds):
            url = url.replace(str(_INT_BASE + i) if kind is int else _STR_SLOT.format(i), f"{{{i}}}", 1)
        self._pattern = url

    def format(self, *values: object) -> str:
        return self._pattern.format(*(v if isinstance(v, int) else quote(str(v), safe=_SAFE) for v in values))


# Built once per process and script prefix: URL patterns do not change while it runs.
_TEMPLATES: dict[tuple[str, str], UrlTemplate] = {}


class Links:
    """The URL templates a list or a thread page needs, built lazily and kept for the process."""

    def __init__(self) -> None:
        self._prefix = get_script_prefix()

    def template(self, name: str, *kinds: type) -> UrlTemplate:
        key = (self._prefix, name)
        template = _TEMPLATES.get(key)
        if template is None:
            template = _TEMPLATES[key] = UrlTemplate(name, *kinds)
        return template

    def thread(self, thread_id: int, slug: str) -> str:
        return self.template("thread_detail", int, str).format(thread_id, slug or "thread")

    def space(self, slug: str) -> str:
        return self.template("space_detail", str).format(slug)

    def tag(self, name: str) -> str:
        return self.template("tag_detail", str).format(name)

    def member(self, username: str) -> str:
        return self.template("member_profile", str).format(username)

    def thread_action(self, name: str, thread_id: int) -> str:
        """answer_create, thread_me_too."""
        return self.template(name, int).format(thread_id)

    def post_action(self, name: str, post_id: int) -> str:
        """post_vote, post_accept, post_edit, post_history, comment_create."""
        return self.template(name, int).format(post_id)

    def sign_in(self, next_url: str) -> str:
        """The sign-in page, coming back to `next_url` afterwards."""
        return f"{self.template('account_login').format()}?{urlencode({'next': next_url})}"
