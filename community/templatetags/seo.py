"""Head tags for search engines and link previews, from data the page already has.

These tags only format: the ThreadPage and the list's space or tag are loaded
by the view, and nothing here queries. They live in templates so the
<head> of a page is decided by its template, next to its title.
"""

from __future__ import annotations

from django import template
from django.utils.encoding import escape_uri_path

from community.pages.threads import ThreadPage
from community.selectors.seo import PageMeta, list_meta, thread_meta

register = template.Library()

PARTIAL = "community/partials/seo_meta.html"


@register.inclusion_tag(PARTIAL)
def seo_thread_meta(page: ThreadPage) -> dict[str, PageMeta]:
    """{% seo_thread_meta page %}: canonical, Open Graph, Twitter card, feeds and JSON-LD for a thread."""
    return {"meta": thread_meta(page)}


@register.inclusion_tag(PARTIAL, takes_context=True)
def seo_list_meta(context: template.Context) -> dict[str, PageMeta]:
    """{% seo_list_meta %}: the same for a thread list, from the list page's own context."""
    return {
        "meta": list_meta(
            # request.path is decoded: a tag "c#" would end the address at its "#".
            path=escape_uri_path(context["request"].path),
            heading=str(context.get("heading", "")),
            space=context.get("space"),
            tag=context.get("tag"),
            tag_count=context.get("tag_count"),
            is_later_page=bool(context.get("is_later_page")),
        )
    }
