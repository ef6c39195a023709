from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import caching
from community.models import Comment, MeToo, Post, Space, Thread, Visibility
from community.selectors import threads as threads_selectors
from community.services.posts import comment_create, comment_edit, post_edit
from community.services.votes import answer_accept, vote_cast
from moderation.services.threads import thread_close_as_duplicate
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db

LIST_QUERY_BUDGET = 8
THREAD_QUERY_BUDGET = 12


def html_of(response) -> str:
    return response.content.decode()


def count_queries(client, url: str) -> int:
    """Queries of one request that renders the page, as after any write: pages cached for visitors are stale.

    What outlives writes (the visible spaces, tag ids) stays cached, as it does on a running site.
    """
    caching.content_changed(*Thread.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def space():
    return SpaceFactory(name="Wallets", slug="wallets", description="Setting up and recovering wallets.")


@pytest.fixture
def question(member, space):
    return ask(member, space, title="How do I reset my wallet password?", tags=("wallet", "password"))


# --- Lists --------------------------------------------------------------------------------

LIST_URLS = [
    "/",
    "/threads/",
    "/threads/?sort=newest",
    "/threads/?sort=unanswered",
    "/threads/?sort=unsolved",
    "/threads/?sort=top&period=week",
    "/questions/",
    "/discussions/",
    "/ideas/?sort=top&status=new",
    "/articles/",
    "/s/wallets/",
    "/tags/wallet/",
    "/spaces/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_show_the_visible_threads(client, question, url):
    response = client.get(url)
    assert response.status_code == 200
    if url not in {"/discussions/", "/articles/", "/spaces/", "/ideas/?sort=top&status=new"}:
        assert question.title in html_of(response)


def test_a_list_row_shows_title_kind_space_tags_author_counts_and_time(client, question, other_member):
    reply = answer(other_member, question)
    answer_accept(thread=question, answer=reply, actor=question.author)
    vote_cast(voter=other_member, post=question.posts.get(kind="opening"), value=1)
    question.author.profile.display_name = "Alice Martin"
    question.author.profile.save()

    html = html_of(client.get("/threads/"))

    assert f'<a href="/t/{question.pk}/{question.slug}/">{question.title}</a>' in html
    assert 'class="badge badge-kind badge-question">Question<' in html
    assert '<a class="thread-space" href="/s/wallets/">Wallets</a>' in html
    assert '<a class="tag" href="/tags/password/">password</a>' in html
    assert '<a href="/u/alice/">Alice Martin</a>' in html
    assert "<strong>1</strong> vote<" in html
    assert "<strong>1</strong> answer<" in html
    assert "stat-solved" in html
    assert ">Solved<" in html
    assert "0 views" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[\d:.]+\+00:00">', html)


@pytest.mark.parametrize(
    ("persona", "visibility", "status"),
    [
        ("anonymous", Visibility.MEMBERS, 404),
        ("member", Visibility.MEMBERS, 200),
        ("member", Visibility.STAFF, 404),
        ("staff", Visibility.STAFF, 200),
    ],
)
def test_a_private_space_page_is_not_found_by_those_who_cannot_see_it(request, client, persona, visibility, status):
    SpaceFactory(slug="private", visibility=visibility)
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get("/s/private/").status_code == status


def test_lists_never_show_private_threads_to_visitors(client, staff):
    ask(staff, SpaceFactory(visibility=Visibility.MEMBERS), title="Members only: the wallet beta", tags=("beta",))
    ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff only: release checklist", tags=("beta",))

    for url in ("/", "/threads/", "/questions/", "/tags/beta/", "/spaces/"):
        html = html_of(client.get(url))
        assert "Members only" not in html, url
        assert "Staff only" not in html, url


def test_the_tag_page_names_the_tag_and_counts_the_threads_the_reader_may_see(client, member, staff, space):
    ask(member, space, title="First wallet question with a tag", tags=("sync",))
    ask(member, space, title="Second wallet question with a tag", tags=("sync",))
    ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff wallet question", tags=("sync",))

    html = html_of(client.get(reverse("tag_detail", args=["sync"])))

    assert '<span class="tag tag-large">sync</span>' in html
    assert "2 threads with this tag" in html
    client.force_login(staff)
    assert "3 threads with this tag" in html_of(client.get("/tags/sync/"))


def test_a_tag_nobody_used_yet_shows_an_empty_list_not_an_error(client):
    response = client.get("/tags/brand-new/")
    assert response.status_code == 200
    assert "0 threads with this tag" in html_of(response)


@pytest.mark.parametrize("name", ["€", "wallet€", "---", "x" * 36])
def test_a_tag_page_for_a_name_no_tag_can_have_answers_404(client, name):
    response = client.get(reverse("tag_detail", args=[name]))
    assert response.status_code == 404
    assert "threads with this tag" not in html_of(response)


def test_a_tag_page_for_a_valid_name_with_symbols_and_another_script_still_answers(client):
    for name in ("c#", "node.js", "кошелёк", "x" * 35):
        response = client.get(reverse("tag_detail", args=[name]))
        assert response.status_code == 200, name
        assert "0 threads with this tag" in html_of(response)


def test_next_and_previous_links_walk_the_list_without_repeats(client, member, space):
    for n in range(35):
        ask(member, space, title=f"Wallet question number {n:02d} here")

    first = html_of(client.get("/threads/?sort=newest"))
    next_url = unescape(re.search(r'rel="next" href="([^"]+)"', first)[1])
    second = html_of(client.get("/threads/" + next_url))
    previous_url = unescape(re.search(r'rel="prev" href="([^"]+)"', second)[1])
    back = html_of(client.get("/threads/" + previous_url))

    shown = re.findall(r"Wallet question number (\d\d) here", first + second)
    assert len(shown) == 35
    assert len(set(shown)) == 35
    assert "sort=newest" in next_url
    assert 'rel="next"' not in second
    assert re.findall(r"number (\d\d)", back) == re.findall(r"number (\d\d)", first)


def test_the_home_page_lists_the_latest_activity_and_keeps_the_hero_for_visitors(client, member, question):
    html = html_of(client.get("/"))
    assert 'class="hero"' in html
    assert question.title in html

    client.force_login(member)
    html = html_of(client.get("/"))
    assert 'class="hero"' not in html
    assert f'href="{reverse("ask")}"' in html
    assert question.title in html


def _fill_list(space, author, count: int) -> None:
    tags = ("wallet", "sync", "backup")
    for n in range(count - Thread.objects.count()):
        thread = ask(author, space, title=f"Wallet question number {n} in the list", tags=tags[: 1 + n % 3])
        if n % 2:
            answer(UserFactory(), thread)


@pytest.mark.parametrize("url", ["/", "/threads/", "/threads/?sort=top", "/questions/", "/s/wallets/", "/tags/wallet/"])
@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_list_pages_take_the_same_queries_for_one_thread_and_thirty(request, client, space, staff, url, persona):
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    _fill_list(space, staff, 1)
    client.get(url)  # warm the per-process caches (content types)
    one = count_queries(client, url)
    _fill_list(space, staff, 30)
    thirty = count_queries(client, url)

    assert one == thirty <= LIST_QUERY_BUDGET


# --- The thread page -----------------------------------------------------------------------


def test_the_thread_page_shows_the_question_then_the_accepted_answer_then_by_score(
    client, question, member, other_member
):
    answer(other_member, question, body="First answer, plain and simple.")
    popular = answer(UserFactory(), question, body="Second answer, which people liked.")
    accepted = answer(UserFactory(), question, body="Third answer, the one that worked.")
    vote_cast(voter=member, post=popular, value=1)
    answer_accept(thread=question, answer=accepted, actor=member)

    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))

    order = [
        html.index(text) for text in ("I forgot it", "the one that worked", "which people liked", "plain and simple")
    ]
    assert order == sorted(order)
    assert "Accepted answer" in html
    assert "3 answers" in html


def test_a_wrong_or_missing_slug_redirects_permanently_to_the_canonical_address(client, question):
    canonical = f"/t/{question.pk}/{question.slug}/"

    for url in (f"/t/{question.pk}/", f"/t/{question.pk}/an-old-title/"):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == canonical
    response = client.get(f"/t/{question.pk}/old/?page=2")
    assert response["Location"] == canonical + "?page=2"


def test_a_thread_without_a_slug_still_has_one_address(client, question):
    Thread.objects.filter(pk=question.pk).update(slug="")

    response = client.get(f"/t/{question.pk}/")

    assert response["Location"] == f"/t/{question.pk}/thread/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 404), ("member", 404), ("staff", 200)])
def test_a_thread_in_a_staff_space_is_not_found_by_others(request, client, staff, persona, status):
    thread = ask(staff, SpaceFactory(visibility=Visibility.STAFF))
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(f"/t/{thread.pk}/{thread.slug}/").status_code == status
    assert client.get(f"/t/{thread.pk}/").status_code in {status, 301}


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 404), ("member", 404), ("staff", 200)])
def test_a_deleted_thread_is_gone_except_for_staff(request, client, question, persona, status):
    Thread.objects.filter(pk=question.pk).update(deleted_at=timezone.now())
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(f"/t/{question.pk}/{question.slug}/").status_code == status


def test_the_cached_thread_row_is_refreshed_by_the_writes_that_change_it(client, question, other_member, space):
    client.force_login(UserFactory())  # a member: visitors get whole pages, cached under the thread's version alone
    url = f"/t/{question.pk}/{question.slug}/"
    assert "0 answers" in html_of(client.get(url))  # the row is cached from here on

    answer(other_member, question)
    html = html_of(client.get(url))
    assert "1 answer" in html
    assert "Locked" not in html

    # Saves outside the services (the admin) bump it through model signals.
    question.refresh_from_db()
    question.locked_at = timezone.now()
    question.save()
    assert "This thread is locked" in html_of(client.get(url))

    space.name = "Wallets and keys"
    space.save()
    assert ">Wallets and keys</a>" in html_of(client.get(url))


def test_new_text_of_an_answer_or_a_comment_shows_at_once_without_reloading_the_thread_row(
    client, question, member, other_member, monkeypatch
):
    reply = answer(other_member, question, body="Open the settings and choose reset.")
    remark = comment_create(author=other_member, post=reply, body="This worked for me, thanks a lot.")
    client.force_login(other_member)
    url = f"/t/{question.pk}/{question.slug}/"
    html_of(client.get(url))  # the row and the posts are cached from here on
    loads = []
    thread_load = threads_selectors.thread_load
    monkeypatch.setattr(threads_selectors, "thread_load", lambda pk: loads.append(pk) or thread_load(pk))

    post_edit(post=Post.objects.get(pk=reply.pk), editor=other_member, body="Open the settings, then choose reset.")
    assert "Open the settings, then choose reset." in html_of(client.get(url))
    remark = Comment.objects.select_related("post__thread").get(pk=remark.pk)
    comment_edit(comment=remark, editor=other_member, body="This worked for me too, thanks a lot.")
    assert "This worked for me too, thanks a lot." in html_of(client.get(url))
    assert loads == []

    # The opening post's edit changes the row (its title): read again at once.
    opening = Post.objects.get(thread=question, kind="opening")
    post_edit(post=opening, editor=member, body=opening.body, title="How do I reset a lost wallet password?")
    assert "How do I reset a lost wallet password?" in html_of(client.get(url, follow=True))
    assert loads == [question.pk]


@pytest.mark.parametrize(
    ("visibility", "seen_by"),
    [(Visibility.MEMBERS, {"member", "staff"}), (Visibility.STAFF, {"staff"})],
)
def test_a_private_thread_row_cached_for_one_reader_is_still_refused_to_others(
    request, client, staff, visibility, seen_by
):
    thread = ask(staff, SpaceFactory(visibility=visibility), title="Launch plan for the new wallet")
    url = f"/t/{thread.pk}/{thread.slug}/"
    for persona in ("staff", "member", "anonymous", "staff"):
        user = request.getfixturevalue(persona)
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == (200 if persona in seen_by else 404), persona
        assert (thread.title in html_of(response)) == (persona in seen_by)


def test_a_space_made_private_refuses_its_cached_thread_to_members(client, question, other_member, space):
    client.force_login(other_member)
    url = f"/t/{question.pk}/{question.slug}/"
    assert client.get(url).status_code == 200

    space.visibility = Visibility.STAFF
    space.save()

    assert client.get(url).status_code == 404


def test_a_thread_that_does_not_exist_is_not_found_and_leaves_nothing_in_the_cache(client):
    from django.core.cache import cache

    assert client.get("/t/987654/nothing-here/").status_code == 404
    assert cache.get(caching._version_key(caching.thread_scope(987654))) is None


@pytest.mark.parametrize("persona", ["anonymous", "other_member"])
def test_the_thread_page_reads_its_cache_entries_in_one_round_trip(request, client, question, persona, monkeypatch):
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    answer(UserFactory(), question)
    ask(question.author, question.space, title="Another wallet password question", tags=("wallet",))
    url = f"/t/{question.pk}/{question.slug}/"
    client.get(url)  # everything it shares with others is cached from here on
    lookups = []
    real = caching.lookup_many
    monkeypatch.setattr(caching, "lookup_many", lambda *args, **kwargs: lookups.append(args) or real(*args, **kwargs))

    assert client.get(url).status_code == 200
    assert len(lookups) == 1


def test_follows_and_me_toos_on_a_cached_thread_stay_each_members_own(client, question, member, other_member):
    from community.services.notifications import follow_set
    from community.services.threads import me_too_set

    third = UserFactory()
    url = f"/t/{question.pk}/{question.slug}/"
    client.force_login(other_member)
    client.get(url)  # the row is cached
    follow_set(member=other_member, on=True, thread=question)
    me_too_set(thread=question, member=other_member, on=True)

    html = html_of(client.get(url))
    assert re.search(r'aria-pressed="true">Following<', html)
    assert re.search(r'me-too-button" aria-pressed="true"', html)
    assert "1 person has this question too" in html

    client.force_login(third)
    html = html_of(client.get(url))
    assert re.search(r'aria-pressed="false">Follow<', html)
    assert re.search(r'me-too-button" aria-pressed="false"', html)
    assert "1 person has this question too" in html


def test_a_duplicate_links_prominently_to_its_canonical_thread_which_counts_it(client, question, other_member, staff):
    duplicate = ask(other_member, question.space, title="Wallet password reset is greyed out")
    thread_close_as_duplicate(thread=duplicate, canonical=question, actor=staff)

    html = html_of(client.get(f"/t/{duplicate.pk}/{duplicate.slug}/"))
    assert "This question has been asked before" in html
    assert f'<a class="button button-primary" href="/t/{question.pk}/{question.slug}/">{question.title}' in html

    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))
    assert "1 other question was closed as a duplicate of this one." in html


def test_share_links_carry_the_encoded_address_and_title_and_nothing_else(client, question):
    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))
    url = quote(f"http://testserver/t/{question.pk}/{question.slug}/", safe="")
    title = quote(question.title, safe="")

    assert f'href="https://www.facebook.com/sharer/sharer.php?u={url}"' in html
    assert f'href="https://x.com/intent/post?url={url}&amp;text={title}"' in html
    assert f'href="https://www.linkedin.com/sharing/share-offsite/?url={url}"' in html
    assert f'href="mailto:?subject={title}&amp;body={url}"' in html


def test_related_threads_share_a_tag(client, question, member):
    related = ask(member, question.space, title="Wallet password rules explained", tags=("password",))
    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))
    assert "Related threads" in html
    assert f'href="/t/{related.pk}/{related.slug}/"' in html


def test_the_page_marks_the_members_own_votes_as_pressed(client, question, other_member):
    reply = answer(UserFactory(), question)
    vote_cast(voter=other_member, post=reply, value=1)
    client.force_login(other_member)

    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))

    widget = html[html.index(f'id="vote-{reply.pk}"') :]
    assert re.search(r'value="0" class="vote-button vote-up" aria-pressed="true"', widget)
    assert re.search(r'value="-1" class="vote-button vote-down" aria-pressed="false"', widget)
    assert 'id="action-status"' in html
    assert 'aria-live="polite"' in html


def _grow_thread(thread, answers: int, voter) -> None:
    """Answers, each with a comment, and a vote from `voter` on each."""
    existing = Post.objects.filter(thread=thread, kind="answer").count()
    for n in range(existing, answers):
        reply = answer(UserFactory(), thread, body=f"Answer number {n} with enough words in it.")
        comment_create(author=thread.author, post=reply, body=f"A comment on answer number {n}, thanks.")
        vote_cast(voter=voter, post=reply, value=1 if n % 2 else -1)


@pytest.mark.parametrize("persona", ["anonymous", "other_member"])
def test_the_thread_page_takes_the_same_queries_for_one_answer_and_fifty(request, client, question, persona):
    user = request.getfixturevalue(persona)
    voter = user if user.is_authenticated else UserFactory()
    if user.is_authenticated:
        client.force_login(user)
    ask(question.author, question.space, title="Another wallet password question", tags=("wallet",))
    url = f"/t/{question.pk}/{question.slug}/"
    _grow_thread(question, 1, voter)
    client.get(url)  # warm the per-process caches (content types)
    one = count_queries(client, url)
    _grow_thread(question, 50, voter)
    fifty = count_queries(client, url)

    assert one == fifty <= THREAD_QUERY_BUDGET
    html = html_of(client.get(url))
    assert html.count('<article class="post') == 51
    assert html.count('class="comment"') == 50
    if user.is_authenticated:
        assert html.count('aria-pressed="true"') == 50


# --- Answering ---------------------------------------------------------------------------------


def test_a_member_answers_and_lands_on_their_answer(client, question, other_member):
    client.force_login(other_member)
    response = client.post(reverse("answer_create", args=[question.pk]), {"body": "Update the app, then restart it."})

    post = Post.objects.get(thread=question, kind="answer")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{question.pk}/{question.slug}/#post-{post.pk}"


def test_the_answer_form_is_labelled_explained_and_carries_the_token(client, question, other_member):
    client.force_login(other_member)
    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/"))

    form = html[html.index('<section id="answer"') :]
    form = form[: form.index("</form>")]
    assert f'<form method="post" action="{reverse("answer_create", args=[question.pk])}"' in form
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">', form)
    assert '<label for="id_body">Text</label>' in form
    assert re.search(r'<textarea name="body" [^>]*required aria-describedby="id_body_helptext" id="id_body">', form)
    assert 'data-image-upload="/uploads/images/"' in form
    assert '<div class="help" id="id_body_helptext">Markdown works:' in form
    assert "aria-invalid" not in form
    assert ">Post your answer</button>" in form


def test_a_visitor_who_answers_is_sent_to_sign_in_first(client, question):
    response = client.post(reverse("answer_create", args=[question.pk]), {"body": "Update the app, then restart."})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not Post.objects.filter(kind="answer").exists()


def test_answering_a_locked_thread_is_refused_with_a_message_and_changes_nothing(client, question, other_member):
    Thread.objects.filter(pk=question.pk).update(locked_at=timezone.now())
    client.force_login(other_member)

    response = client.post(
        reverse("answer_create", args=[question.pk]), {"body": "Update the app, then restart it."}, follow=True
    )

    assert "This thread is closed to new answers." in html_of(response)
    assert not Post.objects.filter(kind="answer").exists()


def test_a_too_short_answer_shows_the_error_and_keeps_what_was_typed(client, question, other_member):
    client.force_login(other_member)
    response = client.post(reverse("answer_create", args=[question.pk]), {"body": "Update it"})

    html = html_of(response)
    assert response.status_code == 200
    assert "must be at least" in html
    assert "Update it</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert not Post.objects.filter(kind="answer").exists()


# --- Me too -----------------------------------------------------------------------------------------


def test_me_too_through_htmx_returns_the_widget_pressed_and_counted(client, question, other_member):
    client.force_login(other_member)
    response = client.post(reverse("thread_me_too", args=[question.pk]), {"on": "1"}, HTTP_HX_REQUEST="true")

    html = html_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert "1 person has this question too" in html
    assert MeToo.objects.filter(thread=question, member=other_member).exists()

    client.post(reverse("thread_me_too", args=[question.pk]), {"on": "0"})
    assert not MeToo.objects.exists()


def test_a_question_nobody_has_seconded_shows_no_me_too_count_and_one_that_has_counts_in_words(
    client, question, other_member
):
    html = html_of(client.get(reverse("thread_short", args=[question.pk]), follow=True))
    assert "have this question too" not in html
    assert "has this question too" not in html

    from community.services.threads import me_too_set

    me_too_set(thread=question, member=other_member, on=True)
    me_too_set(thread=question, member=UserFactory(), on=True)
    html = html_of(client.get(reverse("thread_short", args=[question.pk]), follow=True))
    assert "2 people have this question too" in html


def test_withdrawing_the_only_me_too_through_htmx_leaves_no_zero_count(client, question, other_member):
    client.force_login(other_member)
    client.post(reverse("thread_me_too", args=[question.pk]), {"on": "1"}, HTTP_HX_REQUEST="true")
    response = client.post(reverse("thread_me_too", args=[question.pk]), {"on": "0"}, HTTP_HX_REQUEST="true")

    html = html_of(response)
    assert 'aria-pressed="false"' in html
    assert "0 people" not in html
    assert "this question too</p>" not in html


def test_the_asker_cannot_say_me_too_and_is_told_why(client, question, member):
    client.force_login(member)
    response = client.post(reverse("thread_me_too", args=[question.pk]), {"on": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "You asked this question." in html_of(response)
    assert not MeToo.objects.exists()


def test_a_visitor_saying_me_too_through_htmx_is_sent_to_sign_in(client, question):
    response = client.post(reverse("thread_me_too", args=[question.pk]), {"on": "1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert not MeToo.objects.exists()


# --- Asking ------------------------------------------------------------------------------------------


def test_a_visitor_who_wants_to_ask_is_sent_to_sign_in(client):
    response = client.get(reverse("ask"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_ask_form_offers_only_the_spaces_the_member_may_post_in(client, member, space):
    SpaceFactory(name="Staff room", visibility=Visibility.STAFF)
    SpaceFactory(name="Beta testers", visibility=Visibility.MEMBERS)
    client.force_login(member)

    html = html_of(client.get(reverse("ask")))

    assert ">Wallets</option>" in html
    assert ">Beta testers</option>" in html
    assert "Staff room" not in html
    assert 'hx-get="/ask/similar/"' in html
    assert 'hx-trigger="keyup changed delay:400ms, search"' in html
    assert "Markdown works" in html


def test_asking_creates_the_thread_with_the_spaces_default_kind(client, member):
    ideas = SpaceFactory(slug="ideas", default_kind="idea")
    client.force_login(member)

    response = client.post(
        reverse("ask"),
        {
            "space": "ideas",
            "kind": "",
            "title": "Dark mode for the tablet app",
            "body": "Tablets only have the light theme.",
            "tags": "Design, Tablets",
        },
    )

    thread = Thread.objects.get()
    assert response["Location"] == f"/t/{thread.pk}/{thread.slug}/"
    assert (thread.space, thread.kind, thread.idea_status) == (ideas, "idea", "new")
    assert sorted(thread.tags.names()) == ["design", "tablets"]


def test_a_space_link_preselects_the_space_and_its_kind(client, member):
    SpaceFactory(slug="ideas", default_kind="idea")
    client.force_login(member)
    html = html_of(client.get(reverse("ask") + "?space=ideas"))
    assert '<option value="ideas" selected>' in html
    assert '<option value="idea" selected>' in html


def test_bad_input_keeps_what_was_typed_and_says_what_to_fix(client, member, space):
    client.force_login(member)
    response = client.post(
        reverse("ask"),
        {"space": "wallets", "kind": "question", "title": "Short", "body": "Too short", "tags": "a,b,c,d,e,f"},
    )

    html = html_of(response)
    assert response.status_code == 200
    assert 'value="Short"' in html
    assert "Too short</textarea>" in html
    assert "The title must be at least" in html
    assert "The text must be at least" in html
    assert "Use at most 5 tags." in html
    assert not Thread.objects.exists()


def test_asking_in_a_space_the_member_cannot_see_is_refused(client, member):
    SpaceFactory(slug="staff", visibility=Visibility.STAFF)
    client.force_login(member)
    response = client.post(
        reverse("ask"), {"space": "staff", "title": "A question for the staff room", "body": "Long enough body here."}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in html_of(response)
    assert not Thread.objects.exists()


def test_similar_questions_appear_for_a_title_being_typed(client, member, staff, question):
    ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff notes: wallet password reset")
    client.force_login(member)

    response = client.get(reverse("ask_similar"), {"title": "reset wallet password"}, HTTP_HX_REQUEST="true")

    html = html_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'<a href="/t/{question.pk}/{question.slug}/"' in html
    assert "Staff notes" not in html
    assert "No similar questions yet." in html_of(
        client.get(reverse("ask_similar"), {"title": "bicycle tyre pressure"})
    )


def test_spaces_page_lists_only_visible_spaces(client, member):
    SpaceFactory(name="Open space")
    SpaceFactory(name="Secret staff space", visibility=Visibility.STAFF)
    client.force_login(member)
    html = html_of(client.get(reverse("space_list")))
    assert "Open space" in html
    assert "Secret staff space" not in html
    assert Space.objects.count() == 2


@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_the_thread_page_takes_the_same_queries_for_one_linked_thread_and_ten(request, client, question, persona):
    from django.utils import timezone

    from community.models import ThreadLink

    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    url = f"/t/{question.pk}/{question.slug}/"

    def link(count: int) -> None:
        for n in range(ThreadLink.objects.count(), count):
            other = ask(question.author, question.space, title=f"Linked wallet question number {n}", tags=("other",))
            ThreadLink.objects.create(from_thread=other, to_thread=question, created_at=timezone.now())

    link(1)
    client.get(url)  # warm the per-process caches (content types)
    one = count_queries(client, url)
    link(10)
    ten = count_queries(client, url)

    assert one == ten <= THREAD_QUERY_BUDGET
    assert html_of(client.get(url)).count("Linked wallet question number") == 10
