"""Tag names: Unicode letters and the symbols Stack Overflow keeps (c++, c#, .net, node.js), refused
rather than cut or re-spelt, and the same tag reached by every URL, page, feed and search that names it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote, unquote

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse
from taggit.models import Tag

from community.models import Follow, Thread
from community.selectors.links import Links
from community.services.content import TAG_MAX_LENGTH, clean_tags
from tests.factories import SpaceFactory, ask

SYMBOLIC = ["c++", "c#", ".net", "node.js", "ünïcödé", "日本語", "wallet-sync"]


def refusal(raw: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        clean_tags(raw)
    return caught.value.message_dict["tags"]


# --- The rules ---------------------------------------------------------------------------------


def test_letters_of_any_script_and_the_symbols_stack_overflow_keeps_are_kept_as_written(settings):
    settings.RAPPORT_MAX_TAGS = len(SYMBOLIC)
    assert clean_tags(SYMBOLIC) == SYMBOLIC
    assert clean_tags("C++, C#  .NET,Node.JS ÜNÏCÖDÉ") == ["c++", "c#", ".net", "node.js", "ünïcödé"]


def test_c_plus_plus_c_sharp_and_c_are_three_different_tags():
    assert clean_tags("c++ c# c") == ["c++", "c#", "c"]


def test_a_decomposed_accent_is_the_same_tag_as_a_composed_one():
    assert clean_tags("cafe\u0301 café") == ["café"]


def test_an_emoji_is_refused_naming_the_tag_and_the_character_not_dropped():
    assert refusal("wallet, émoji🚀") == ["The tag “émoji🚀” contains “🚀”: tags hold only letters, digits and - + # ."]


def test_a_long_tag_is_refused_naming_it_not_cut():
    long_tag = "a" * 120
    assert refusal(f"wallet {long_tag}") == [
        f"The tag “{long_tag}” is too long: at most {TAG_MAX_LENGTH} characters (it has 120)."
    ]
    assert clean_tags("a" * TAG_MAX_LENGTH) == ["a" * TAG_MAX_LENGTH]  # the longest allowed is kept whole


@pytest.mark.parametrize("raw", ["++", ".", "..", "#", "-"])
def test_a_tag_of_symbols_alone_is_refused(raw):
    assert refusal(raw) == [f"The tag “{raw}” needs at least one letter or digit."]


def test_every_refused_tag_is_named_at_once():
    assert len(refusal("wallet_sync a/b ok")) == 2


# --- Forms -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_asking_with_a_refused_tag_shows_a_form_error_naming_it_and_saves_nothing(client, member):
    SpaceFactory(slug="dev")
    client.force_login(member)
    form = {"space": "dev", "title": "How do I sign a transaction?", "body": "Which library signs it for me?"}

    refused = client.post(reverse("ask"), {**form, "tags": "cardano, émoji🚀"})

    assert refused.status_code == 200
    assert "The tag “émoji🚀” contains “🚀”" in refused.content.decode()
    assert not Thread.objects.exists()
    accepted = client.post(reverse("ask"), {**form, "tags": "C#, .NET, cardano"})
    assert accepted.status_code == 302
    assert sorted(Thread.objects.get().tags.names()) == [".net", "c#", "cardano"]


@pytest.mark.django_db
def test_the_ask_and_edit_forms_say_how_tags_are_separated_and_written(client, member, space):
    thread = ask(member, space)
    client.force_login(member)
    help_text = "separated by commas or spaces (so a tag has no space: write wallet-sync)"
    assert help_text in client.get(reverse("ask")).content.decode()
    edit_page = client.get(reverse("post_edit", args=[thread.posts.get(kind="opening").pk])).content.decode()
    assert help_text in edit_page
    assert "Letters, digits and - + # . only, at most 35 characters: c++, c#, .net, node.js." in edit_page


@pytest.fixture
def space():
    return SpaceFactory(slug="dev", name="Developers")


# --- URLs, pages, feeds, search, the directory ------------------------------------------------


@pytest.mark.parametrize("name", SYMBOLIC)
def test_tag_urls_reverse_and_resolve_back_to_the_same_tag(name):
    url = reverse("tag_detail", args=[name])
    assert "#" not in url  # a "#" would end the path: the rest would be a fragment
    assert url == "/tags/" + quote(name, safe="+.") + "/"
    assert Links().tag(name) == url
    match = resolve(unquote(url))  # the server decodes the path before resolving it
    assert (match.url_name, match.kwargs) == ("tag_detail", {"tag": name})


@pytest.fixture
def c_threads(member, space):
    return {
        name: ask(member, space, title=f"A question about {name} here", tags=(name,))
        for name in ["c++", "c#", "c", ".net"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["c++", "c#", "c", ".net"])
def test_each_tag_page_lists_its_own_threads_only(client, c_threads, name):
    html = client.get(reverse("tag_detail", args=[name])).content.decode()
    shown = {other for other, thread in c_threads.items() if f'href="/t/{thread.pk}/' in html}
    assert shown == {name}


@pytest.mark.django_db
def test_a_tag_url_in_capitals_redirects_to_the_tag(client, c_threads):
    response = client.get("/tags/C%23/")
    assert response.status_code == 301
    assert response["Location"] == "/tags/c%23/"


@pytest.mark.django_db
def test_the_thread_page_and_lists_link_each_tag_to_its_own_page(client, c_threads):
    thread = c_threads["c#"]
    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()
    assert 'href="/tags/c%23/"' in html
    assert 'href="/tags/c%2B%2B/"' not in html
    assert 'href="/tags/c/"' not in html
    assert 'href="/tags/c%23/"' in client.get("/threads/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["c#", "c++"])
def test_a_tag_feed_carries_that_tag_only_and_links_back_to_it(client, c_threads, name):
    response = client.get(reverse("feed_tag", args=[name]))
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own feed)
    assert [item.findtext("title") for item in channel.findall("item")] == [c_threads[name].title]
    assert channel.findtext("link").endswith(reverse("tag_detail", args=[name]))
    tag_page = client.get(reverse("tag_detail", args=[name])).content.decode()
    assert reverse("feed_tag", args=[name]) in tag_page


@pytest.mark.django_db
def test_search_filtered_by_a_symbolic_tag_finds_only_its_threads(client, c_threads):
    html = client.get(reverse("search"), {"q": "question", "tag": "C#"}).content.decode()
    found = {name for name, thread in c_threads.items() if f'href="/t/{thread.pk}/' in html}
    assert found == {"c#"}


@pytest.mark.django_db
def test_the_tag_directory_lists_and_links_symbolic_tags_apart(client, c_threads):
    html = client.get(reverse("tag_index"), {"filter": "c"}).content.decode()
    for name in ["c++", "c#", "c"]:
        assert f'href="{reverse("tag_detail", args=[name])}"' in html
    assert set(Tag.objects.values_list("name", flat=True)) >= {"c++", "c#", "c", ".net"}


@pytest.mark.django_db
def test_following_the_c_sharp_tag_comes_back_to_its_page(client, member, c_threads):
    client.force_login(member)
    response = client.post(reverse("tag_follow", args=["c#"]), {"on": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/tags/c%23/"
    assert Follow.objects.filter(member=member, tag__name="c#").exists()
    assert not Follow.objects.filter(member=member, tag__name="c").exists()


@pytest.mark.django_db
def test_suggestions_complete_the_tag_after_the_last_space_as_after_the_last_comma(client, member, c_threads):
    client.force_login(member)
    for typed, head in [("wallet c+", "wallet, "), ("wallet, c", "wallet, "), ("wallet\tC", "wallet, "), ("C+", "")]:
        html = client.get(reverse("tags_suggest"), {"tags": typed}).content.decode()
        assert f'<option value="{head}c++">' in html, typed
