"""Pages cached for visitors: served from the cache, and never stale after a write that changes them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import caching
from community.models import Thread, Visibility
from community.services.posts import answer_create, comment_create
from community.services.threads import thread_create
from community.services.view_counts import view_counts_flush
from community.services.votes import answer_accept, vote_cast
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def space():
    return SpaceFactory(name="Wallets", slug="wallets")


@pytest.fixture
def question(member, space):
    return ask(member, space, title="How do I reset my wallet password?", tags=("wallet",))


def url_of(thread: Thread) -> str:
    return f"/t/{thread.pk}/{thread.slug}/"


def get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(captured.captured_queries)


def test_a_visitor_gets_the_thread_page_from_the_cache_without_a_query(client, question):
    first, rendered = get(client, url_of(question))
    again, cached = get(client, url_of(question))

    assert again == first
    # The thread's row is cached too, under versions that its deletion or its space's change bump (tested below).
    assert cached == 0 < rendered


# The space page first looks the space up: it may have been made private since.
@pytest.mark.parametrize(
    ("url", "queries"), [("/", 0), ("/threads/", 0), ("/questions/", 0), ("/s/wallets/", 1), ("/tags/wallet/", 0)]
)
def test_a_visitor_gets_list_pages_from_the_cache(client, question, url, queries):
    first, rendered = get(client, url)
    again, cached = get(client, url)

    assert again == first
    assert cached == queries < rendered


def test_visitor_pages_carry_no_token_and_their_vote_buttons_lead_to_sign_in(client, question, other_member):
    answer(other_member, question)

    html, _ = get(client, url_of(question))

    assert "csrfmiddlewaretoken" not in html
    assert "X-CSRFToken" not in html
    assert 'href="/accounts/login/?next=' in html
    assert 'name="value"' not in html  # no vote form


def test_a_member_always_gets_their_own_fresh_page(client, question, other_member):
    get(client, url_of(question))  # cached for visitors
    client.force_login(other_member)

    html, _ = get(client, url_of(question))

    assert "csrfmiddlewaretoken" in html
    assert 'name="value"' in html  # vote forms of their own


def test_an_answer_shows_at_once_on_the_visitors_cached_thread_and_lists(client, question, other_member):
    get(client, url_of(question))
    get(client, "/threads/")

    answer_create(author=other_member, thread=question, body="Open settings, then choose restore from phrase.")

    assert "choose restore from phrase" in get(client, url_of(question))[0]
    assert ">1</strong> answer<" in get(client, "/threads/")[0]


def test_votes_accepts_and_comments_show_at_once_to_visitors(client, question, member, other_member):
    reply = answer(other_member, question)
    get(client, url_of(question))

    vote_cast(voter=member, post=reply, value=1)
    assert '<span class="visually-hidden">Score: </span>1</span>' in get(client, url_of(question))[0]

    answer_accept(thread=question, answer=reply, actor=member)
    assert "post-accepted" in get(client, url_of(question))[0]

    comment_create(author=member, post=reply, body="Thanks, that worked on my phone too.")
    assert "that worked on my phone too" in get(client, url_of(question))[0]


def test_new_threads_reach_the_visitors_cached_lists_at_once(client, member, space, question):
    get(client, "/")
    thread_create(
        author=member, space=space, kind="question", title="Can I move my wallet to a new phone?", body="x" * 40
    )
    assert "Can I move my wallet to a new phone?" in get(client, "/")[0]


def test_a_view_count_flush_leaves_the_visitors_cached_lists_and_pages_hitting(client, question, other_member):
    get(client, "/threads/")
    get(client, url_of(question))  # counts this visitor's view

    assert view_counts_flush() == 1

    # Lists may show a view count up to their lifetime old: a flush every minute must not empty them.
    assert get(client, "/threads/")[1] == 0
    assert get(client, url_of(question))[1] == 0
    # The thread's next change brings the count along.
    answer_create(author=other_member, thread=question, body="Open settings, then choose restore from phrase.")
    assert "1 view" in get(client, url_of(question))[0]
    assert "1 view" in get(client, "/threads/")[0]


def test_a_space_made_private_disappears_from_the_visitors_cached_lists_and_its_threads_404(client, question, space):
    assert question.title in get(client, "/threads/")[0]

    space.visibility = Visibility.MEMBERS
    space.save()

    assert question.title not in get(client, "/threads/")[0]
    assert client.get(url_of(question)).status_code == 404


def test_a_thread_deleted_in_the_admin_leaves_the_visitors_cached_lists_and_its_page_404s(
    client, admin_client, question
):
    assert question.title in get(client, "/threads/")[0]
    assert question.title in get(client, url_of(question))[0]

    admin_action(admin_client, "delete_threads", question)

    assert question.title not in get(client, "/threads/")[0]
    assert client.get(url_of(question)).status_code == 404


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page_that_shows_it(client, member, question):
    get(client, url_of(question))  # cached for visitors, without any message
    client.force_login(member)

    client.post("/accounts/logout/")  # leaves "You have signed out." for the next page
    html, _ = get(client, url_of(question))

    assert "You have signed out." in html
    assert "You have signed out." not in get(client, url_of(question))[0]


def test_list_rows_cached_for_staff_never_reach_a_member_or_a_visitor(client, member, staff, question):
    hidden = ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff only: the wallet launch plan")
    client.force_login(staff)
    assert hidden.title in get(client, "/threads/")[0]

    client.force_login(member)
    assert hidden.title not in get(client, "/threads/")[0]
    assert question.title in get(client, "/threads/")[0]
    client.logout()
    assert hidden.title not in get(client, "/threads/")[0]


def test_a_member_sees_new_threads_and_answers_in_lists_at_once(client, member, other_member, space, question):
    client.force_login(member)
    get(client, "/threads/")

    answer_create(author=other_member, thread=question, body="Open settings, then choose restore from phrase.")
    fresh = ask(other_member, space, title="Which wallet works offline?")

    html, _ = get(client, "/threads/")
    assert fresh.title in html
    assert ">1</strong> answer<" in html


def test_an_import_reaches_lists_cached_for_visitors_at_once(client):
    from tests.community.test_import_stackexchange import CARDANO, dump_dir, run_import

    directory = dump_dir(CARDANO)
    SpaceFactory(name="Cardano", slug="cardano")  # already there: the import creates no space to signal
    assert "No threads match" in get(client, "/threads/")[0]  # cached, without the imported threads

    run_import(directory, space="cardano")

    html = get(client, "/threads/")[0]
    newest = Thread.objects.order_by("-last_activity_at", "-pk").first()
    assert f'href="/t/{newest.pk}/' in html


# --- Nothing hidden outlives its hiding -----------------------------------------------
# A's cached page shows B's title (related: they share a tag). Hiding B anywhere must reach
# A's page at once; a change that hides nothing must leave it in the cache.


@pytest.fixture
def related(other_member, space):
    return ask(other_member, space, title="Where is the recovery phrase stored on Android?", tags=("wallet",))


@pytest.fixture
def admin_client(db):
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return admin


def cached_page_of(client, thread: Thread) -> str:
    """The visitor's page of `thread`, asked for until it comes from the cache."""
    get(client, url_of(thread))
    html, queries = get(client, url_of(thread))
    assert queries == 0
    return html


def admin_action(admin_client, action: str, *threads: Thread) -> None:
    response = admin_client.post(
        "/admin/community/thread/", {"action": action, "_selected_action": [t.pk for t in threads]}
    )
    assert response.status_code == 302


def admin_save_thread(admin_client, thread: Thread, **changes) -> None:
    # The lock and close dates are not fields there: the moderation services change them.
    data = {"space": thread.space_id, "is_featured": "", **changes}
    response = admin_client.post(f"/admin/community/thread/{thread.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def admin_save_space(admin_client, space, **changes) -> None:
    data = {
        "name": space.name,
        "slug": space.slug,
        "description": space.description,
        "parent": space.parent_id or "",
        "position": space.position,
        "visibility": space.visibility,
        "default_kind": space.default_kind,
        "sla_first_response_hours": "",
        **changes,
    }
    response = admin_client.post(f"/admin/community/space/{space.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_thread_deleted_in_the_admin_leaves_other_threads_cached_visitor_pages(
    client, admin_client, question, related
):
    assert related.title in cached_page_of(client, question)

    admin_action(admin_client, "delete_threads", related)

    assert Thread.objects.get(pk=related.pk).deleted_at is not None
    assert related.title not in get(client, url_of(question))[0]
    assert client.get(url_of(related)).status_code == 404


def test_a_thread_edited_in_the_admin_without_hiding_it_leaves_other_cached_visitor_pages_hitting(
    client, admin_client, question, related
):
    assert related.title in cached_page_of(client, question)

    admin_save_thread(admin_client, related, is_featured="on")

    assert Thread.objects.get(pk=related.pk).is_featured
    html, queries = get(client, url_of(question))
    assert queries == 0
    assert related.title in html


def test_a_thread_restored_in_the_admin_reappears_on_other_threads_cached_visitor_pages(
    client, admin_client, question, related
):
    admin_action(admin_client, "delete_threads", related)
    assert related.title not in cached_page_of(client, question)

    admin_action(admin_client, "restore_threads", related)

    assert related.title in get(client, url_of(question))[0]
    assert client.get(url_of(related)).status_code == 200


def test_restoring_a_thread_that_was_not_deleted_leaves_the_cached_visitor_pages_hitting(
    client, admin_client, question, related
):
    assert related.title in cached_page_of(client, question)

    admin_action(admin_client, "restore_threads", related)

    assert get(client, url_of(question))[1] == 0


def test_a_thread_moved_to_a_private_space_in_the_admin_leaves_other_threads_cached_visitor_pages(
    client, admin_client, question, related
):
    private = SpaceFactory(name="Staff room", visibility=Visibility.STAFF)
    assert related.title in cached_page_of(client, question)
    assert related.title in get(client, "/threads/")[0]

    admin_save_thread(admin_client, related, space=private.pk)

    assert Thread.objects.get(pk=related.pk).space == private
    assert related.title not in get(client, url_of(question))[0]
    assert related.title not in get(client, "/threads/")[0]
    assert client.get(url_of(related)).status_code == 404


def test_a_thread_saved_in_the_admin_in_the_same_space_leaves_other_cached_visitor_pages_hitting(
    client, admin_client, question, related
):
    assert related.title in cached_page_of(client, question)

    admin_save_thread(admin_client, related, is_featured="on")

    assert Thread.objects.get(pk=related.pk).is_featured is True
    assert get(client, url_of(question))[1] == 0


@pytest.fixture
def elsewhere(db):
    return SpaceFactory(name="Exchanges", slug="exchanges")


@pytest.fixture
def related_elsewhere(member, elsewhere):
    return ask(member, elsewhere, title="Which exchange sends coins to a wallet fastest?", tags=("wallet",))


def test_a_space_made_staff_only_in_the_admin_leaves_other_spaces_cached_visitor_pages(
    client, admin_client, question, elsewhere, related_elsewhere
):
    related = related_elsewhere
    assert related.title in cached_page_of(client, question)

    admin_save_space(admin_client, elsewhere, visibility=Visibility.STAFF)

    assert related.title not in get(client, url_of(question))[0]
    assert client.get(url_of(related)).status_code == 404


def test_a_space_described_in_the_admin_leaves_other_spaces_cached_visitor_pages_hitting(
    client, admin_client, question, elsewhere, related_elsewhere
):
    assert related_elsewhere.title in cached_page_of(client, question)

    admin_save_space(admin_client, elsewhere, description="Buying, selling and moving coins.")

    # Only the thread's row is read again (it carries its space, whose version any change bumps);
    # the page itself still comes from the cache.
    assert get(client, url_of(question))[1] == 1


def test_a_tag_only_a_deleted_thread_carried_leaves_the_visitors_cached_tag_directory(
    client, admin_client, member, space
):
    spam = ask(member, space, title="Cheap followers for your wallet account", tags=("cheap-followers",))
    assert "cheap-followers" in get(client, "/tags/")[0]

    admin_action(admin_client, "delete_threads", spam)

    assert "cheap-followers" not in get(client, "/tags/")[0]


VISITOR_PAGES = ["/", "/threads/", "/questions/", "/s/wallets/", "/tags/wallet/", "/tags/"]


@pytest.mark.parametrize("url", [*VISITOR_PAGES, "thread"])
def test_every_visitor_page_is_rebuilt_when_visibility_changes_and_only_then(client, question, url):
    url = url_of(question) if url == "thread" else url

    def rendered() -> bool:
        # The test client lists the templates a response rendered: none when it came from the cache.
        return bool(client.get(url).templates)

    assert rendered()
    assert not rendered()

    caching.bump(caching.thread_scope(question.pk + 1000))  # another thread's page: not this one's business
    assert not rendered()

    caching.bump(caching.VISIBILITY_SCOPE)  # alone, as visibility_changed bumps it
    assert rendered()
