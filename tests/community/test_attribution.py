"""Imported Stack Exchange content credits its author, links its original and names its licence (CC BY-SA)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.template.loader import render_to_string

from community.attribution import Attribution, license_version, post_attribution, source_site
from community.pages.threads import post_item
from community.selectors.links import Links
from community.views.fragments import render_posts
from tests.community.stackexchange_sample import import_cardano_questions, imported_post, original_row, original_user
from tests.factories import UserFactory, ask

pytestmark = pytest.mark.django_db

SITE = "https://cardano.stackexchange.com"
ATOM = "{http://www.w3.org/2005/Atom}"


def attribution_of(html: str) -> list[str]:
    """Each attribution paragraph of a page, as text with its links written [text](href)."""
    paragraphs = re.findall(r'<p class="post-attribution[^"]*">(.*?)</p>', html, flags=re.DOTALL)
    return [" ".join(unescape(re.sub(r'<a href="([^"]*)"[^>]*>(.*?)</a>', r"[\2](\1)", p)).split()) for p in paragraphs]


@pytest.fixture
def imported(tmp_path):
    # 4281: a question with one answer (4282); 2568: asked by someone the dump names but has no member for.
    return import_cardano_questions(tmp_path, 4281, 2568)


def test_an_imported_question_and_its_answer_credit_author_original_and_licence(client, imported):
    thread = imported[4281]
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()

    asker = original_user(original_row(4281)["OwnerUserId"])["DisplayName"]
    answerer_id = original_row(4282)["OwnerUserId"]
    answerer = original_user(answerer_id)["DisplayName"]
    assert attribution_of(html) == [
        f"Originally posted by [{asker}]({SITE}/users/4405) on [cardano.stackexchange.com]({SITE}/q/4281)"
        " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)",
        f"Originally posted by [{answerer}]({SITE}/users/{answerer_id}) on [cardano.stackexchange.com]({SITE}/a/4282)"
        " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)",
    ]


def test_an_author_the_dump_has_no_member_for_is_credited_by_the_name_it_gives(client, imported):
    thread = imported[2568]
    assert original_row(2568)["OwnerDisplayName"] == "user2878"
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()
    assert attribution_of(html)[0] == (
        f"Originally posted by user2878 on [cardano.stackexchange.com]({SITE}/q/2568)"
        " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)"
    )


def test_a_post_written_here_shows_no_attribution(client, member, imported):
    thread = ask(member, imported[4281].space, title="How do I register a stake pool?", tags=("staking",))
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()
    assert attribution_of(html) == []
    assert "Originally posted" not in html


def test_the_rss_feed_credits_imported_threads_and_not_native_ones(client, member, imported):
    ask(member, imported[4281].space, title="How do I register a stake pool?", tags=("staking",))
    channel = ET.fromstring(client.get("/feed/").content).find("channel")  # noqa: S314 (our own feed)
    descriptions = {item.findtext("title"): item.findtext("description") for item in channel.findall("item")}

    imported_item = descriptions[imported[4281].title]
    assert attribution_of(imported_item) == [
        f"Originally posted by [{imported[4281].author.public_name}]({SITE}/users/4405)"
        f" on [cardano.stackexchange.com]({SITE}/q/4281)"
        " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)"
    ]
    assert attribution_of(descriptions["How do I register a stake pool?"]) == []


def test_the_atom_feed_credits_imported_threads_too(client, imported):
    root = ET.fromstring(client.get("/feed/atom/").content)  # noqa: S314 (our own feed)
    summaries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") for e in root.findall(f"{ATOM}entry")}
    assert f"{SITE}/q/2568" in attribution_of(summaries[imported[2568].title])[0]


def test_the_feed_still_reads_its_items_in_a_fixed_number_of_queries(client, imported, django_assert_num_queries):
    client.get("/feed/")  # warm up what is cached once per process (site, URL templates)
    with django_assert_num_queries(3):
        client.get("/feed/")


def test_the_licence_is_the_one_the_dump_states_else_the_one_in_force_when_written():
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert license_version("CC BY-SA 2.5", at) == "2.5"  # stated: older than its date says (edited later)
    assert license_version("", dt.datetime(2011, 4, 7, tzinfo=dt.UTC)) == "2.5"
    assert license_version("", dt.datetime(2018, 5, 1, 23, tzinfo=dt.UTC)) == "3.0"
    assert license_version("", dt.datetime(2018, 5, 2, tzinfo=dt.UTC)) == "4.0"
    assert license_version("GPL", at) == "4.0"  # anything else is not a stated CC BY-SA version


def test_only_a_stack_exchange_source_naming_a_host_gives_a_site():
    assert source_site("stackexchange:cardano.stackexchange.com") == "cardano.stackexchange.com"
    assert source_site("") is None
    assert source_site("stackexchange:evil.example/@x") is None
    assert source_site("demo:cardano.stackexchange.com") is None


def test_the_cached_html_of_a_post_changes_with_its_attribution(imported, member):
    post = imported_post(4282)
    item = post_item(user=member, post=post, thread=post.thread, links=Links())
    (before,) = render_posts([item], labels={}, csrf_input="")
    post.source_license = "CC BY-SA 3.0"  # nothing else about the post changes
    item = post_item(user=member, post=post, thread=post.thread, links=Links())
    (after,) = render_posts([item], labels={}, csrf_input="")
    assert "CC BY-SA 4.0" in before
    assert "CC BY-SA 3.0" in after


def test_a_post_whose_author_is_a_local_member_credits_the_name_the_dump_gave_when_there_is_one(imported):
    post = imported_post(4282)
    post.author = UserFactory()  # e.g. reassigned: not the site's member any more
    post.source_author = "Someone on Stack Exchange"
    assert post_attribution(post).author_name == "Someone on Stack Exchange"
    assert post_attribution(post).author_url == ""


def test_the_author_name_is_escaped_where_it_is_shown():
    attribution = Attribution(
        author_name='<img src=x onerror="alert(1)">',
        author_url="https://cardano.stackexchange.com/users/1",
        site="cardano.stackexchange.com",
        source_url="https://cardano.stackexchange.com/q/1",
        license_name="CC BY-SA 4.0",
        license_url="https://creativecommons.org/licenses/by-sa/4.0/",
    )
    html = render_to_string("community/partials/attribution.html", {"attribution": attribution})
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# --- Comments -----------------------------------------------------------------------------


def comment_credits(html: str) -> dict[int, str]:
    """The credit under each comment of a page that has one, by comment id."""
    items = re.findall(r'<li class="comment" id="comment-(\d+)">(.*?)</li>', html, flags=re.DOTALL)
    return {int(pk): credit[0] for pk, body in items if (credit := attribution_of(body))}


@pytest.fixture
def commented(tmp_path):
    # 4: a question with four comments, its answer 25 with one; 2568: a comment by someone the dump names only.
    return import_cardano_questions(tmp_path, 4, 2568, comments=True)


def test_imported_comments_credit_their_author_on_the_site_the_comment_and_the_licence(client, commented):
    from community.models import Comment

    thread = commented[4]
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()

    expected = {}
    for source_id in (8, 10, 20, 21, 204):
        comment = Comment.objects.select_related("author").get(source_id=source_id)
        name = unescape(comment.author.public_name)
        expected[comment.pk] = (
            f"Originally posted by [{name}]({SITE}/users/{comment.author.source_id})"
            f" on [cardano.stackexchange.com]({SITE}/posts/comments/{source_id})"
            " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)"
        )
    assert comment_credits(html) == expected
    assert Comment.objects.get(source_id=8).author.source_id == 38


def test_a_comment_whose_author_the_dump_names_only_by_name_credits_that_name(client, commented):
    from community.models import Comment

    thread = commented[2568]
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()

    comment = Comment.objects.get(source_id=1235)
    assert comment.author is None  # the dump has no member for "user2878"
    assert comment_credits(html)[comment.pk] == (
        f"Originally posted by user2878 on [cardano.stackexchange.com]({SITE}/posts/comments/1235)"
        " · [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)"
    )


def test_a_comment_written_here_under_an_imported_post_carries_no_credit(client, member, commented):
    from community.models import Comment
    from community.services.posts import comment_create

    thread = commented[4]
    native = comment_create(post=thread.posts.get(kind="opening"), author=member, body="Thanks, this helped me a lot.")
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()

    credits = comment_credits(html)
    assert f'id="comment-{native.pk}"' in html
    assert native.pk not in credits
    assert set(credits) == set(
        Comment.objects.exclude(source="").filter(post__thread=thread).values_list("pk", flat=True)
    )


def test_crediting_comments_adds_no_query_to_the_thread_page(client, commented):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from community import caching

    counts = []
    for thread in (commented[2568], commented[4]):  # 4 comments on one post; 5 on two posts
        caching.content_changed(thread.pk)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/t/{thread.pk}/{thread.slug}/")
        assert len(comment_credits(response.content.decode())) >= 4
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
