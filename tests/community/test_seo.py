"""What search engines and feed readers see: JSON-LD, canonical and Open Graph tags,
sitemaps, robots.txt, and RSS/Atom feeds."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import Post, Thread, Visibility
from community.selectors.seo import absolute_url
from community.services.votes import answer_accept, vote_cast
from community.sitemaps import ThreadSitemap
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db

BASE = "https://community.example.com"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
FEED_QUERY_BUDGET = 5
SITEMAP_QUERY_BUDGET = 5


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.RAPPORT_BASE_URL = BASE
    settings.RAPPORT_SITE_NAME = "Acme"


@pytest.fixture
def space():
    return SpaceFactory(name="Wallets", slug="wallets", description="Setting up and recovering wallets.")


@pytest.fixture
def question(member, space):
    return ask(
        member,
        space,
        title="How do I reset my wallet password?",
        body="I forgot it and the **recovery phrase** screen is greyed out. What now?",
        tags=("wallet", "password"),
    )


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def meta(html: str, key: str) -> str | None:
    """The content of <meta property=key> or <meta name=key>."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return unescape(found[1]) if found else None


def link_href(html: str, rel: str, type_: str | None = None) -> list[str]:
    pattern = rf'<link rel="{rel}"' + (rf' type="{re.escape(type_)}"' if type_ else "") + r'[^>]* href="([^"]*)">'
    return [unescape(href) for href in re.findall(pattern, html)]


def parse_xml(content: bytes) -> ET.Element:
    # Our own server's output in a test, not untrusted input.
    return ET.fromstring(content)  # noqa: S314


def canonical_of(thread: Thread) -> str:
    return f"{BASE}/t/{thread.pk}/{thread.slug}/"


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


# --- Absolute addresses -----------------------------------------------------------------------


def test_absolute_addresses_keep_the_base_urls_path_whether_or_not_reverse_added_it(settings):
    settings.RAPPORT_BASE_URL = "https://example.com/community"

    assert absolute_url("/t/1/x/") == "https://example.com/community/t/1/x/"
    assert absolute_url("/community/t/1/x/") == "https://example.com/community/t/1/x/"
    assert absolute_url("/communityfoo/") == "https://example.com/community/communityfoo/"
    assert absolute_url("https://cdn.example.com/logo.png") == "https://cdn.example.com/logo.png"


def test_sitemaps_and_feeds_use_the_base_url_with_its_path(client, settings, question):
    settings.RAPPORT_BASE_URL = "https://example.com/community"
    expected = f"https://example.com/community/t/{question.pk}/{question.slug}/"

    assert _sitemap_locations(client, "/sitemap-threads.xml") == [expected]
    assert [i.findtext("link") for i in _rss_items(client, "/feed/")] == [expected]


# --- JSON-LD -------------------------------------------------------------------------------


def test_a_question_page_describes_itself_as_a_qa_page_with_accepted_and_suggested_answers(
    client, question, member, other_member
):
    first = answer(other_member, question, body="Update the app first, then try the recovery screen again.")
    liked = answer(UserFactory(username="carol"), question, body="Restore from the recovery phrase instead.")
    accepted = answer(UserFactory(username="dave"), question, body="Ask support to unlock the recovery screen.")
    vote_cast(voter=member, post=liked, value=1)
    vote_cast(voter=other_member, post=question.posts.get(kind="opening"), value=1)
    answer_accept(thread=question, answer=accepted, actor=member)

    (data,) = json_ld(html_of(client.get(canonical_of(question))))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "QAPage"
    q = data["mainEntity"]
    assert q["@type"] == "Question"
    assert q["name"] == "How do I reset my wallet password?"
    assert q["text"] == "I forgot it and the recovery phrase screen is greyed out. What now?"  # plain text
    assert q["answerCount"] == 3
    assert q["upvoteCount"] == 1
    assert q["dateCreated"] == question.created_at.isoformat()
    assert q["author"] == {"@type": "Person", "name": "alice", "url": f"{BASE}/u/alice/"}
    assert q["acceptedAnswer"] == {
        "@type": "Answer",
        "text": "Ask support to unlock the recovery screen.",
        "upvoteCount": 0,
        "url": f"{canonical_of(question)}#post-{accepted.pk}",
        "dateCreated": accepted.created_at.isoformat(),
        "author": {"@type": "Person", "name": "dave", "url": f"{BASE}/u/dave/"},
    }
    # The others, best first.
    assert [a["url"].rsplit("#", 1)[1] for a in q["suggestedAnswer"]] == [f"post-{liked.pk}", f"post-{first.pk}"]
    assert q["suggestedAnswer"][0]["upvoteCount"] == 1
    assert q["suggestedAnswer"][1]["author"]["name"] == "bob"


def test_an_unanswered_question_carries_no_qa_markup(client, question):
    # Google requires an accepted or a suggested answer on a QAPage.
    assert json_ld(html_of(client.get(canonical_of(question)))) == []


def test_a_title_that_closes_the_script_element_stays_inert_data(client, member, other_member, space):
    attack = "</script><script>alert(1)</script> & <!-- wallet"
    thread = ask(member, space, title=attack, body=f"Body that tries {attack} too, at some length.")
    answer(other_member, thread, body=f"An answer that also says {attack}.")

    html = html_of(client.get(canonical_of(thread)))

    assert "<script>alert(1)" not in html
    assert html.count("<script") == html.count("</script>")
    (data,) = json_ld(html)
    assert data["mainEntity"]["name"] == attack
    assert attack in data["mainEntity"]["text"]
    assert attack in data["mainEntity"]["suggestedAnswer"][0]["text"]


def test_deleted_answers_stay_out_of_the_markup_even_when_staff_see_them(client, question, other_member, staff):
    kept = answer(other_member, question, body="This answer stays on the page for everyone.")
    gone = answer(UserFactory(), question, body="This answer was deleted by a moderator.")
    Post.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    client.force_login(staff)

    (data,) = json_ld(html_of(client.get(canonical_of(question))))

    assert [a["url"] for a in data["mainEntity"]["suggestedAnswer"]] == [f"{canonical_of(question)}#post-{kept.pk}"]


def test_an_erased_author_is_left_out_rather_than_named(client, question, other_member):
    answer(other_member, question)
    Thread.objects.filter(pk=question.pk).update(author=None)
    Post.objects.filter(thread=question, kind="opening").update(author=None)

    (data,) = json_ld(html_of(client.get(canonical_of(question))))

    assert "author" not in data["mainEntity"]
    assert data["mainEntity"]["suggestedAnswer"][0]["author"]["name"] == "bob"


def test_articles_are_articles_and_discussions_are_forum_postings(client, staff, member, other_member, space):
    article = ask(staff, space, kind="article", title="Five ways to keep your wallet safe", tags=("security",))
    discussion = ask(member, space, kind="discussion", title="What do you use the wallet for?")
    reply = answer(other_member, discussion, body="Paying friends back after dinner, mostly.")

    (article_data,) = json_ld(html_of(client.get(canonical_of(article))))
    (discussion_data,) = json_ld(html_of(client.get(canonical_of(discussion))))

    assert article_data["@type"] == "Article"
    assert article_data["headline"] == "Five ways to keep your wallet safe"
    assert article_data["url"] == canonical_of(article)
    assert article_data["datePublished"] == article.created_at.isoformat()
    assert article_data["author"]["url"] == f"{BASE}/u/sam/"
    assert article_data["keywords"] == ["security"]
    assert discussion_data["@type"] == "DiscussionForumPosting"
    assert discussion_data["headline"] == "What do you use the wallet for?"
    assert discussion_data["comment"][0]["url"] == f"{canonical_of(discussion)}#post-{reply.pk}"
    assert discussion_data["comment"][0]["text"] == "Paying friends back after dinner, mostly."


# --- Canonical, Open Graph and Twitter cards on thread pages --------------------------------


def test_a_thread_page_names_its_canonical_address_and_describes_itself_for_link_previews(client, question):
    html = html_of(client.get(f"/t/{question.pk}/{question.slug}/?utm_source=newsletter"))

    assert link_href(html, "canonical") == [canonical_of(question)]
    assert meta(html, "og:url") == canonical_of(question)
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:site_name") == "Acme"
    assert meta(html, "og:title") == "How do I reset my wallet password?"
    assert meta(html, "og:description") == "I forgot it and the recovery phrase screen is greyed out. What now?"
    assert meta(html, "description") == meta(html, "og:description")
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "How do I reset my wallet password?"
    assert meta(html, "robots") is None
    assert link_href(html, "alternate", "application/rss+xml") == [f"{BASE}/s/wallets/feed/"]
    assert link_href(html, "alternate", "application/atom+xml") == [f"{BASE}/s/wallets/feed/atom/"]


def test_a_long_opening_post_is_cut_to_a_short_description(client, member, space):
    thread = ask(member, space, title="A very detailed wallet question", body="word " * 300)
    description = meta(html_of(client.get(canonical_of(thread))), "og:description")
    assert len(description) <= 200
    assert description.endswith("\u2026")


def test_later_answer_pages_name_themselves_and_leave_the_markup_to_the_first(
    client, question, other_member, monkeypatch
):
    monkeypatch.setattr("community.selectors.threads.ANSWERS_PER_PAGE", 1)
    answer(other_member, question, body="First page answer, the only one there.")
    answer(UserFactory(), question, body="Second page answer, on its own page.")

    html = html_of(client.get(canonical_of(question).replace(BASE, "") + "?page=2"))

    assert link_href(html, "canonical") == [canonical_of(question) + "?page=2"]
    assert json_ld(html) == []


def test_a_members_only_thread_is_kept_out_of_the_index_and_advertises_no_feed(client, member, other_member):
    thread = ask(other_member, SpaceFactory(visibility=Visibility.MEMBERS), title="Members only: the wallet beta")
    client.force_login(member)

    html = html_of(client.get(canonical_of(thread)))

    assert meta(html, "robots") == "noindex, follow"
    assert link_href(html, "alternate", "application/rss+xml") == []


# --- List pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical", "feed"),
    [
        ("/threads/?sort=top&period=week", "/threads/", "/feed/"),
        ("/questions/", "/questions/", "/feed/"),
        ("/s/wallets/?sort=newest", "/s/wallets/", "/s/wallets/feed/"),
        ("/tags/wallet/", "/tags/wallet/", "/tags/wallet/feed/"),
    ],
)
def test_list_pages_name_their_canonical_address_and_advertise_their_feed(client, question, url, canonical, feed):
    html = html_of(client.get(url))

    assert link_href(html, "canonical") == [BASE + canonical]
    assert meta(html, "og:url") == BASE + canonical
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:site_name") == "Acme"
    assert meta(html, "og:title")
    assert meta(html, "og:description")
    assert meta(html, "twitter:card") == "summary"
    assert link_href(html, "alternate", "application/rss+xml") == [BASE + feed]
    assert link_href(html, "alternate", "application/atom+xml") == [BASE + feed + "atom/"]
    assert meta(html, "robots") is None


@pytest.mark.parametrize(
    ("tag", "address"), [("c#", "/tags/c%23/"), ("c++", "/tags/c++/"), ("日本", "/tags/%E6%97%A5%E6%9C%AC/")]
)
def test_a_tag_page_names_its_address_percent_encoded_so_a_hash_is_no_fragment(client, member, space, tag, address):
    ask(member, space, title="Which languages do you call the API from?", tags=(tag,))

    html = html_of(client.get(address))

    assert link_href(html, "canonical") == [BASE + address]
    assert meta(html, "og:url") == BASE + address
    assert link_href(html, "alternate", "application/rss+xml") == [BASE + address + "feed/"]


def test_a_space_page_describes_itself_with_the_space_description(client, question):
    html = html_of(client.get("/s/wallets/"))
    assert meta(html, "og:title") == "Wallets"
    assert meta(html, "og:description") == "Setting up and recovering wallets."


def test_a_private_space_page_advertises_no_feed_and_is_not_indexed(client, member):
    SpaceFactory(slug="beta", visibility=Visibility.MEMBERS)
    client.force_login(member)

    html = html_of(client.get("/s/beta/"))

    assert link_href(html, "alternate", "application/rss+xml") == []
    assert meta(html, "robots") == "noindex, follow"


def test_later_list_pages_and_empty_tags_are_not_indexed(client, member, space):
    for n in range(31):
        ask(member, space, title=f"Wallet question number {n:02d} here")
    first = html_of(client.get("/threads/"))
    next_url = unescape(re.search(r'rel="next" href="([^"]+)"', first)[1])

    assert meta(first, "robots") is None
    assert meta(html_of(client.get("/threads/" + next_url)), "robots") == "noindex, follow"
    assert meta(html_of(client.get("/tags/nobody-uses-this/")), "robots") == "noindex, follow"


# --- Sitemaps -------------------------------------------------------------------------------


def _sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response.content)
    return [loc.text for loc in root.iterfind(".//sm:loc", SITEMAP_NS)]


def test_the_sitemap_index_points_at_each_section_by_its_public_address(client, question):
    root = parse_xml(client.get("/sitemap.xml").content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [loc.text for loc in root.iterfind(".//sm:loc", SITEMAP_NS)] == [
        f"{BASE}/sitemap-spaces.xml",
        f"{BASE}/sitemap-threads.xml",
    ]
    assert root.find(".//sm:lastmod", SITEMAP_NS) is not None


def test_the_sitemap_lists_public_threads_only(client, member, staff, question, space):
    members_only = ask(staff, SpaceFactory(visibility=Visibility.MEMBERS), title="Members only: the wallet beta")
    staff_only = ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff only: release checklist")
    deleted = ask(member, space, title="A wallet question someone deleted")
    Thread.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    client.force_login(staff)  # even a staff member's request lists only what the public sees

    locations = _sitemap_locations(client, "/sitemap-threads.xml")

    assert locations == [canonical_of(question)]
    for hidden in (members_only, staff_only, deleted):
        assert f"/t/{hidden.pk}/" not in "".join(locations)


def test_a_thread_in_the_sitemap_is_dated_by_its_last_activity(client, question):
    Thread.objects.filter(pk=question.pk).update(last_activity_at=datetime(2024, 5, 17, 12, tzinfo=UTC))
    root = parse_xml(client.get("/sitemap-threads.xml").content)
    assert root.find(".//sm:url/sm:lastmod", SITEMAP_NS).text == "2024-05-17"


def test_the_spaces_sitemap_lists_public_spaces_only(client, space):
    SpaceFactory(slug="beta", visibility=Visibility.MEMBERS)
    SpaceFactory(slug="staff-room", visibility=Visibility.STAFF)

    assert _sitemap_locations(client, "/sitemap-spaces.xml") == [f"{BASE}/s/wallets/"]


def test_a_large_sitemap_is_split_into_pages_listed_in_the_index(client, member, space, monkeypatch):
    monkeypatch.setattr(ThreadSitemap, "limit", 2)
    threads = [ask(member, space, title=f"Wallet question number {n} here") for n in range(3)]

    index = [loc.text for loc in parse_xml(client.get("/sitemap.xml").content).iterfind(".//sm:loc", SITEMAP_NS)]
    assert f"{BASE}/sitemap-threads.xml?p=2" in index
    assert f"{BASE}/sitemap-threads.xml?p=3" not in index
    assert _sitemap_locations(client, "/sitemap-threads.xml") == [canonical_of(t) for t in threads[:2]]
    assert _sitemap_locations(client, "/sitemap-threads.xml?p=2") == [canonical_of(threads[2])]
    assert client.get("/sitemap-threads.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-threads.xml", "/sitemap-spaces.xml"])
def test_sitemaps_take_the_same_queries_for_one_thread_and_thirty(client, member, space, url):
    ask(member, space, title="Wallet question number 0 here")
    client.get(url)  # warm the per-process caches (the current site)
    one = count_queries(client, url)
    for n in range(1, 30):
        ask(member, SpaceFactory(), title=f"Wallet question number {n} here")
    thirty = count_queries(client, url)

    assert one == thirty <= SITEMAP_QUERY_BUDGET


# --- robots.txt -----------------------------------------------------------------------------


def test_robots_txt_allows_the_community_keeps_out_private_and_action_urls_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    for path in ("/accounts/", "/settings/", "/notifications/", "/admin/", "/ask/", "/p/", "/threads/*/answers/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines  # never the whole site
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# --- Feeds ----------------------------------------------------------------------------------


def _rss_items(client, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response.content).find("channel")
    return channel.findall("item")


def test_the_latest_feed_lists_public_threads_with_title_link_excerpt_date_author_and_tags(client, question):
    response = client.get("/feed/")
    channel = parse_xml(response.content).find("channel")
    (item,) = channel.findall("item")

    assert channel.findtext("title") == "Acme: latest threads"
    assert channel.findtext("link") == f"{BASE}/threads/"
    assert item.findtext("title") == "How do I reset my wallet password?"
    assert item.findtext("link") == canonical_of(question)
    assert item.findtext("guid") == f"{BASE}/t/{question.pk}/"
    assert item.findtext("description") == "I forgot it and the recovery phrase screen is greyed out. What now?"
    assert item.findtext("pubDate")
    assert item.findtext(DC_CREATOR) == "alice"
    assert sorted(c.text for c in item.findall("category")) == ["password", "wallet"]


def test_a_feed_description_is_the_excerpt_as_text_escaped_for_readers_that_read_html(client, member, space):
    ask(member, space, title="Where is the restore button?", body="Press <Restore> & wait; **then** sign in again.")
    (item,) = _rss_items(client, "/feed/")
    assert item.findtext("description") == "Press &lt;Restore&gt; &amp; wait; then sign in again."


def test_the_atom_feed_carries_the_same_entries(client, question):
    response = client.get("/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = parse_xml(response.content)
    (entry,) = root.findall("atom:entry", ATOM_NS)

    assert entry.findtext("atom:title", namespaces=ATOM_NS) == question.title
    assert entry.find("atom:link", ATOM_NS).get("href") == canonical_of(question)
    assert entry.findtext("atom:author/atom:name", namespaces=ATOM_NS) == "alice"
    assert entry.findtext("atom:updated", namespaces=ATOM_NS)
    assert root.find("atom:link[@rel='self']", ATOM_NS).get("href") == f"{BASE}/feed/atom/"


def test_feeds_never_carry_private_or_deleted_threads(client, member, staff, question, space):
    ask(staff, SpaceFactory(visibility=Visibility.MEMBERS), title="Members only: the wallet beta", tags=("wallet",))
    ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff only: release checklist", tags=("wallet",))
    deleted = ask(member, space, title="A wallet question someone deleted", tags=("wallet",))
    Thread.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    client.force_login(staff)  # feeds are public whoever asks

    for url in ("/feed/", "/s/wallets/feed/", "/tags/wallet/feed/"):
        assert [i.findtext("title") for i in _rss_items(client, url)] == [question.title], url


def test_a_space_feed_lists_that_space_only(client, member, question):
    other = ask(member, SpaceFactory(slug="cards"), title="How do I order a new card?")
    assert [i.findtext("title") for i in _rss_items(client, "/s/cards/feed/")] == [other.title]
    atom = parse_xml(client.get("/s/wallets/feed/atom/").content)
    assert [e.findtext("atom:title", namespaces=ATOM_NS) for e in atom.findall("atom:entry", ATOM_NS)] == [
        question.title
    ]


@pytest.mark.parametrize("visibility", [Visibility.MEMBERS, Visibility.STAFF])
def test_a_private_space_has_no_feed_even_for_those_who_may_read_it(client, staff, visibility):
    SpaceFactory(slug="private", visibility=visibility)
    assert client.get("/s/private/feed/").status_code == 404
    client.force_login(staff)
    assert client.get("/s/private/feed/").status_code == 404
    assert client.get("/s/private/feed/atom/").status_code == 404
    assert client.get("/s/no-such-space/feed/").status_code == 404


def test_a_tag_feed_lists_threads_with_that_tag_and_is_empty_for_an_unused_tag(client, member, question, space):
    ask(member, space, title="How do I export my card statements?", tags=("statements",))

    assert [i.findtext("title") for i in _rss_items(client, "/tags/password/feed/")] == [question.title]
    assert _rss_items(client, "/tags/nobody-uses-this/feed/") == []


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/s/wallets/feed/", "/tags/wallet/feed/"])
def test_feeds_take_the_same_queries_for_one_thread_and_thirty_and_stop_at_thirty(client, member, space, url):
    ask(member, space, title="Wallet question number 0 here", tags=("wallet", "sync"))
    client.get(url)  # warm the per-process caches (the current site, content types)
    one = count_queries(client, url)
    for n in range(1, 31):
        thread = ask(UserFactory(), space, title=f"Wallet question number {n} here", tags=("wallet", "sync"))
        answer(member, thread)
    thirty = count_queries(client, url)

    assert one == thirty <= FEED_QUERY_BUDGET
    body = client.get(url).content
    assert body.count(b"<item>") + body.count(b"<entry>") == 30
