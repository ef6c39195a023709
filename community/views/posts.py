"""Actions on one post: vote, accept, comment, edit, delete, and its history with rollback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community import permissions
from community.forms import CommentForm, PostEditForm, ToggleForm, VoteForm
from community.models import Post, PostKind
from community.pages.threads import post_item_for_user, thread_page
from community.selectors.links import Links
from community.selectors.posts import post_get_for_user, post_history, revision_get
from community.services.posts import answer_delete, comment_create, post_body_for_editing, post_edit, post_rollback
from community.services.votes import answer_accept, vote_cast
from community.views.labels import post_context
from community.views.respond import Done, confirmed_action, form_action, refuse, sign_in_first
from community.views.threads import render_thread

PARTIAL_VOTE = "community/partials/vote.html"
PARTIAL_ACCEPT = "community/partials/accept.html"


def _post_url(post: Post) -> str:
    return f"{Links().thread(post.thread_id, post.thread.slug)}#post-{post.pk}"


@require_POST
def post_vote(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    back = _post_url(post)
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = VoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("A vote is up or down."))
        vote_cast(voter=request.user, post=post, value=form.cleaned_data["value"])
    except (PermissionDenied, ValidationError) as error:
        post.refresh_from_db(fields=["score"])
        item = post_item_for_user(user=request.user, post=post)
        return refuse(
            request, error, back_to=back, partial=PARTIAL_VOTE, context={"item": item, **post_context(request)}
        )
    if not request.htmx:
        messages.success(request, _("Thanks, your vote is counted."))
        return redirect(back)
    post.refresh_from_db(fields=["score"])
    item = post_item_for_user(user=request.user, post=post)
    return render(request, PARTIAL_VOTE, {"item": item, "announce": True, **post_context(request)})


@require_POST
def post_accept(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    thread = post.thread
    back = _post_url(post)
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = ToggleForm(request.POST)
    previous_id = thread.accepted_answer_id
    try:
        if not form.is_valid():
            raise ValidationError(_("Say whether to accept the answer or not."))
        on = form.cleaned_data["on"]
        if not on and previous_id != post.pk:
            raise ValidationError(_("This answer is not the accepted one."))
        answer_accept(thread=thread, answer=post if on else None, actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        item = post_item_for_user(user=request.user, post=post)
        return refuse(
            request, error, back_to=back, partial=PARTIAL_ACCEPT, context={"item": item, **post_context(request)}
        )
    if not request.htmx:
        messages.success(request, _("You accepted this answer.") if on else _("The answer is no longer accepted."))
        return redirect(back)
    context = {
        "item": post_item_for_user(user=request.user, post=post),
        "announce": True,
        "thread": thread,
        **post_context(request),
    }
    if on and previous_id and previous_id != post.pk:
        # The answer accepted before loses its mark in the same response (an out-of-band swap).
        context["previous_accept_url"] = Links().post_action("post_accept", previous_id)
        context["previous_id"] = previous_id
    return render(request, PARTIAL_ACCEPT, context)


@require_POST
def comment_create_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    back = _post_url(post)
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = CommentForm(request.POST)

    def perform(data: dict) -> Done:
        comment = comment_create(author=request.user, post=post, body=data["body"])
        return Done(f"{back.split('#')[0]}#comment-{comment.pk}", _("Your comment is posted."))

    if response := form_action(request, form, perform, refused_to=back):
        return response
    page = thread_page(user=request.user, thread=post.thread)
    return render_thread(request, page, comment_form=form, comment_post_id=post.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_edit_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied(_("You cannot edit this post."))
    thread = post.thread
    is_opening = post.kind == PostKind.OPENING
    if request.method == "POST":
        form = PostEditForm(request.POST, is_opening=is_opening)

        def perform(data: dict) -> Done:
            revision = post_edit(
                post=post,
                editor=request.user,
                body=data["body"],
                reason=data["reason"],
                title=data.get("title") if is_opening else None,
                tags=data.get("tags") if is_opening else None,
            )
            return _edited(post, revision is not None, _("Your edit is saved."))

        if response := form_action(request, form, perform, refused_to=_post_url(post)):
            return response
    else:
        initial = {"body": post_body_for_editing(post)}
        if is_opening:
            initial |= {"title": thread.title, "tags": ", ".join(sorted(thread.tags.names()))}
        form = PostEditForm(initial=initial, is_opening=is_opening)
    return render(
        request,
        "community/post_edit.html",
        {"form": form, "post": post, "thread": thread, "is_opening": is_opening, "back_url": _post_url(post)},
    )


@require_safe
def post_history_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    return render(request, "community/post_history.html", {"history": post_history(user=request.user, post=post)})


@login_required
@require_POST
def post_rollback_view(request: HttpRequest, post_id: int, number: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    revision = revision_get(post=post, number=number)
    history_url = Links().post_action("post_history", post.pk)

    def perform(_data: dict) -> Done:
        if post_rollback(post=post, revision=revision, editor=request.user) is None:
            return Done(history_url, _("That revision is the current text already."), messages.INFO)
        return _edited(post, True, _("Restored revision %(n)d as a new revision.") % {"n": number})

    return form_action(request, None, perform, refused_to=history_url)


def _edited(post: Post, changed: bool, message: str) -> Done:
    if not changed:
        return Done(_post_url(post), _("Nothing changed, so nothing was saved."), messages.INFO)
    # An edited title gives the thread a new slug, and so its page a new address.
    post.thread.refresh_from_db(fields=["slug"])
    return Done(_post_url(post), message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_delete_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """GET asks to confirm (the page works without JavaScript); POST deletes."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    thread_url = Links().thread(post.thread_id, post.thread.slug)

    def perform(_data: dict) -> Done:
        answer_delete(post=post, actor=request.user)
        return Done(thread_url, _("The answer is deleted."))

    return confirmed_action(
        request,
        perform,
        allowed=permissions.can_delete_post(request.user, post),
        refusal=_("You cannot delete this answer."),
        back_to=_post_url(post),
        page={
            "title": _("Delete this answer?"),
            "explanation": _("It disappears from the thread and from search. Staff can still see it."),
            "quote_html": post.body_html,
        },
    )
