"""What the per-post templates repeat, worked out once per response instead of once per post.

A thread page with 50 answers would otherwise run the same dozen {% translate %}
tags, and three {% csrf_token %} tags, 50 times each; looking a string up in a
dict is much cheaper.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils.translation import gettext as _


def post_context(request: HttpRequest) -> dict:
    """Context every post partial needs: `labels`, and `csrf_input` (the hidden token field, built once).

    Visitors' posts have no forms, and their pages are cached: no token for them.
    """
    token = csrf_input(request) if request.user.is_authenticated else ""
    return {"labels": post_labels(), "csrf_input": token}


def post_labels() -> dict[str, str]:
    return {
        "accept": _("Accept this answer"),
        "accepted": _("Accepted answer"),
        "add_comment": _("Add a comment"),
        "comment": _("Your comment"),
        "comments": _("Comments"),
        "delete": _("Delete"),
        "deleted": _("Deleted"),
        "edit": _("Edit"),
        "edited": _("edited"),
        "former_member": _("a former member"),
        "link": _("Link"),
        "official": _("Official"),
        "post_comment": _("Add comment"),
        "score": _("Score:"),
        "unaccept": _("Unaccept"),
        "vote_down": _("Vote down"),
        "vote_down_hint": _("This is not useful"),
        "vote_up": _("Vote up"),
        "vote_up_hint": _("This is useful"),
    }
