"""The thread page, answering, "me too", and asking a new question."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community import caching
from community.forms import (
    AnswerForm,
    AskForm,
    CommentForm,
    IdeaStatusForm,
    ToggleForm,
    answer_field,
)
from community.models import Thread, ThreadKind
from community.pages.lists import similar_threads
from community.pages.threads import (
    ThreadPage,
    similar_entry,
    thread_get_for_page,
    thread_page,
    thread_page_cache_entries,
    thread_row_entry,
)
from community.selectors.links import Links
from community.selectors.lists import tags_suggest
from community.selectors.notifications import unread_count_entry
from community.selectors.seo import thread_meta_entry
from community.selectors.spaces import spaces_for_posting
from community.selectors.threads import thread_get_for_user
from community.services.content import TAG_SEPARATORS, normalize_tag
from community.services.posts import answer_create
from community.services.threads import me_too_set, thread_create
from community.services.view_counts import thread_view_record, viewer_key
from community.views.cache import THREAD_SECONDS, visitor_page, visitor_page_key, visitor_page_scopes
from community.views.fragments import render_posts
from community.views.labels import post_context
from community.views.params import page_number
from community.views.respond import Done, form_action, refuse, sign_in_first

PARTIAL_ME_TOO = "community/partials/me_too.html"
# What was posted, said as each kind of thread is: an idea is suggested, not asked.
POSTED = {
    ThreadKind.QUESTION: gettext_lazy("Your question is posted."),
    ThreadKind.DISCUSSION: gettext_lazy("Your discussion is started."),
    ThreadKind.IDEA: gettext_lazy("Your idea is posted; others can now vote for it."),
    ThreadKind.ARTICLE: gettext_lazy("Your article is published."),
}


def thread_page_url(thread: Thread) -> str:
    return Links().thread(thread.pk, thread.slug)


def render_thread(
    request: HttpRequest,
    page: ThreadPage,
    *,
    answer_form: AnswerForm | None = None,
    comment_form: CommentForm | None = None,
    comment_post_id: int | None = None,
) -> HttpResponse:
    """The thread page; forms that failed validation come back with what was typed."""
    thread = page.thread
    post_bits = post_context(request)
    posts_html = render_posts(
        [page.opening, *page.answers],
        labels=post_bits["labels"],
        csrf_input=post_bits["csrf_input"],
        comment_form=comment_form,
        comment_post_id=str(comment_post_id) if comment_post_id else None,
    )
    return render(
        request,
        "community/thread_detail.html",
        {
            "page": page,
            "thread": thread,
            # The answer form is written out in its template; the form object only brings errors back.
            "answer_form": answer_form,
            "answer_field": answer_field() if page.can_reply else None,
            "comment_form": comment_form,
            "comment_post_id": str(comment_post_id) if comment_post_id else None,
            "idea_status_form": IdeaStatusForm(initial={"status": thread.idea_status})
            if page.can_set_idea_status
            else None,
            **post_bits,
            "opening_html": posts_html[0],
            "answers_html": posts_html[1:],
            "share_url": request.build_absolute_uri(page.url),
        },
    )


@require_safe
def thread_detail(request: HttpRequest, thread_id: int, slug: str | None = None) -> HttpResponse:
    answers_page = page_number(request)
    # What the page reads from the cache comes in one round trip: for a visitor the thread's row and
    # the whole page; for a member the row and everything shared that their page is built from.
    page_key = visitor_page_key(request)
    if page_key is not None:
        entries = [
            thread_row_entry(thread_id),
            (visitor_page_scopes(caching.thread_scope(thread_id)), page_key),
            # Read only when the page is rendered; named here so that every version a first render creates
            # comes from this one lookup, and the page built under them can be stored.
            similar_entry(user=request.user, thread_id=thread_id),
        ]
    else:
        entries = [
            *thread_page_cache_entries(user=request.user, thread_id=thread_id, answers_page=answers_page),
            thread_meta_entry(thread_id, answers_page),
        ]
        if request.user.is_authenticated:
            entries.append(unread_count_entry(request.user))
    # Nothing is created for an id that turns out not to exist (see thread_get_for_page).
    with caching.prefetched(entries, create=False):
        thread = thread_get_for_page(user=request.user, thread_id=thread_id)
        if slug != (thread.slug or "thread"):
            # Titles change and links live on: always one address per thread.
            url = thread_page_url(thread)
            if request.META.get("QUERY_STRING"):
                url = f"{url}?{request.META['QUERY_STRING']}"
            return HttpResponsePermanentRedirect(url)
        thread_view_record(thread_id=thread.pk, viewer=viewer_key(request))
        return visitor_page(
            request,
            caching.thread_scope(thread.pk),
            lambda: render_thread(request, thread_page(user=request.user, thread=thread, answers_page=answers_page)),
            timeout=THREAD_SECONDS,
        )


@require_POST
def answer_create_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_get_for_user(user=request.user, thread_id=thread_id)
    back = thread_page_url(thread)
    if not request.user.is_authenticated:
        return sign_in_first(request, f"{back}#answer")
    form = AnswerForm(request.POST)

    def perform(data: dict) -> Done:
        post = answer_create(author=request.user, thread=thread, body=data["body"])
        return Done(f"{back}#post-{post.pk}", _("Thanks, your answer is posted."))

    if response := form_action(request, form, perform, refused_to=back):
        return response
    page = thread_page(user=request.user, thread=thread)
    return render_thread(request, page, answer_form=form)


@require_POST
def thread_me_too(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_get_for_user(user=request.user, thread_id=thread_id)
    back = thread_page_url(thread)
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = ToggleForm(request.POST)
    context = {"thread": thread, "me_too_url": request.path, "can_me_too": thread.author_id != request.user.pk}
    if not form.is_valid():
        return refuse(
            request, ValidationError(_("Say yes or no.")), back_to=back, partial=PARTIAL_ME_TOO, context=context
        )
    on = form.cleaned_data["on"]
    try:
        me_too_set(thread=thread, member=request.user, on=on)
    except (PermissionDenied, ValidationError) as error:
        thread.refresh_from_db(fields=["me_too_count"])
        return refuse(request, error, back_to=back, partial=PARTIAL_ME_TOO, context={**context, "my_me_too": not on})
    if not request.htmx:
        messages.success(
            request, _("Noted: you have this question too.") if on else _("Noted: you no longer have this question.")
        )
        return redirect(back)
    thread.refresh_from_db(fields=["me_too_count"])
    return render(request, PARTIAL_ME_TOO, {**context, "my_me_too": on, "announce": True})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    spaces = spaces_for_posting(user=request.user)
    if request.method == "POST":
        form = AskForm(request.POST, spaces=spaces)

        def perform(data: dict) -> Done:
            thread = thread_create(
                author=request.user,
                space=data["space"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
            )
            return Done(thread_page_url(thread), POSTED.get(thread.kind, POSTED[ThreadKind.QUESTION]))

        # Refused here means this space: the reason goes above the form, which keeps what was typed.
        if response := form_action(request, form, perform, refused_to=None):
            return response
    else:
        # Links from a space or a kind's list preselect them.
        initial = {}
        if slug := request.GET.get("space"):
            space = spaces.filter(slug=slug).first()
            if space is not None:
                initial = {"space": space, "kind": space.default_kind}
        if request.GET.get("kind") in ThreadKind.values:
            initial["kind"] = request.GET["kind"]
        form = AskForm(initial=initial, spaces=spaces)
    return render(request, "community/ask.html", {"form": form})


@require_safe
def ask_similar(request: HttpRequest) -> HttpResponse:
    """Threads like the title being typed on the ask page (an htmx partial)."""
    title = request.GET.get("title", "")[:300]
    threads = similar_threads(user=request.user, title=title) if len(title.strip()) >= 8 else []
    return render(request, "community/partials/similar_threads.html", {"threads": threads, "title": title})


@require_safe
def tags_suggest_view(request: HttpRequest) -> HttpResponse:
    """<option>s for the tags field's datalist: what is typed, with its last tag completed."""
    typed = request.GET.get("tags", "")[:300]
    # Tags are separated by commas or spaces (as the field's help says): complete what follows the last one.
    last = TAG_SEPARATORS.split(typed)[-1]
    done = typed[: len(typed) - len(last)].rstrip(", \t\r\n")
    head = f"{done}, " if done else ""
    names = tags_suggest(user=request.user, prefix=normalize_tag(last))
    options = [head + name for name in names]
    return render(request, "community/partials/tag_options.html", {"options": options})
