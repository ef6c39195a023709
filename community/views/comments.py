"""A member's own comment: editing it (within the window) and deleting it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community import permissions
from community.forms import CommentForm
from community.models import Comment
from community.selectors.links import Links
from community.selectors.posts import comment_get_for_user
from community.services.posts import comment_delete, comment_edit
from community.views.respond import OWN_CONTENT_PAGE, Done, confirmed_action, form_action, refuse


def _comment_url(comment: Comment) -> str:
    thread = comment.post.thread
    return f"{Links().thread(thread.pk, thread.slug)}#comment-{comment.pk}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_get_for_user(user=request.user, comment_id=comment_id)
    back = _comment_url(comment)
    if request.method == "POST":
        form = CommentForm(request.POST)

        def perform(data: dict) -> Done:
            if comment_edit(comment=comment, editor=request.user, body=data["body"]):
                return Done(back, _("Your comment is saved."))
            return Done(back, _("Nothing changed, so nothing was saved."), messages.INFO)

        if response := form_action(request, form, perform, refused_to=back):
            return response
    else:
        if not permissions.can_edit_comment(request.user, comment, comment.post):
            return refuse(request, PermissionDenied(_("You cannot edit this comment.")), back_to=back)
        form = CommentForm(initial={"body": comment.body})
    return render(
        request,
        OWN_CONTENT_PAGE,
        {"title": _("Edit your comment"), "form": form, "back_url": back, "submit": _("Save the comment")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET asks to confirm (the page works without JavaScript); POST deletes."""
    comment = comment_get_for_user(user=request.user, comment_id=comment_id)
    back = _comment_url(comment)
    post_url = back.replace(f"#comment-{comment.pk}", f"#post-{comment.post_id}")

    def perform(_data: dict) -> Done:
        comment_delete(comment=comment, actor=request.user)
        return Done(post_url, _("The comment is deleted."))

    return confirmed_action(
        request,
        perform,
        allowed=permissions.can_delete_comment(request.user, comment, comment.post),
        refusal=_("You cannot delete this comment."),
        back_to=back,
        page={"title": _("Delete this comment?"), "quote_html": comment.body_html},
    )
