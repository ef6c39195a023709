"""Posts rendered once and shared: never another member's token, vote or rights."""

from __future__ import annotations

import re

import pytest
from django.template.loader import get_template
from django.test import Client

from community.models import Vote
from community.views.fragments import COMMENT_FIELDS, CSRF_SLOT, ITEM_FIELDS, POST_FIELDS, POST_TEMPLATE
from tests.factories import UserFactory, answer, ask

pytestmark = pytest.mark.django_db


def thread_url(thread) -> str:
    return f"/t/{thread.pk}/{thread.slug}/"


def test_a_second_member_gets_the_shared_posts_with_their_own_token_and_can_vote(member, other_member):
    thread = ask(member, title="How do I reset my wallet password?")
    reply = answer(other_member, thread)
    first = Client(enforce_csrf_checks=True)
    first.force_login(UserFactory())
    first.get(thread_url(thread))  # renders and caches the posts

    second = Client(enforce_csrf_checks=True)
    second.force_login(UserFactory(username="carol"))
    html = second.get(thread_url(thread)).content.decode()

    assert CSRF_SLOT not in html
    token = re.search(rf'action="/p/{reply.pk}/vote/".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    response = second.post(f"/p/{reply.pk}/vote/", {"value": "1", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code in (200, 302)
    assert Vote.objects.filter(post=reply, voter__username="carol", value=1).exists()


def test_shared_posts_still_show_each_member_their_own_vote_and_edit_link(client, member, other_member):
    thread = ask(member, title="How do I reset my wallet password?")
    reply = answer(other_member, thread)
    voter = UserFactory(username="carol")
    Vote.objects.create(post=reply, voter=voter, value=1, created_at=reply.created_at)

    client.force_login(voter)
    mine = client.get(thread_url(thread)).content.decode()
    client.force_login(UserFactory(username="dave"))
    theirs = client.get(thread_url(thread)).content.decode()
    client.force_login(other_member)
    authors = client.get(thread_url(thread)).content.decode()

    pressed = f'id="vote-{reply.pk}"'
    assert 'aria-pressed="true"' in mine.split(pressed)[1].split("</div>")[0]
    assert 'aria-pressed="true"' not in theirs.split(pressed)[1].split("</div>")[0]
    assert f'href="/p/{reply.pk}/edit/"' in authors
    assert f'href="/p/{reply.pk}/edit/"' not in theirs


# --- The key covers everything the post partials read -----------------------------------


def _reads(source: str) -> tuple[set[str], list[str]]:
    """Dotted names starting at `item` or `comment` that a template's tags read, and the templates it includes."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", source, flags=re.S)
    reads: set[str] = set()
    includes = []
    for tag in re.findall(r"{{.*?}}|{%.*?%}", source, flags=re.S):
        reads |= set(re.findall(r"(?<![\w.])(?:item|comment)(?:\.\w+)+", tag))
        includes += re.findall(r'{%\s*include\s+"([^"]+)"', tag)
    return reads, includes


def _template_reads(name: str) -> set[str]:
    reads, includes = _reads(get_template(name).template.source)
    for included in includes:
        reads |= _template_reads(included)
    return reads


def _not_keyed(reads: set[str]) -> set[str]:
    keyed = (
        {f"item.{name}" for name in ITEM_FIELDS}
        | {f"item.post.{name}" for name in POST_FIELDS}
        | {f"comment.{name}" for name in COMMENT_FIELDS}
        | {"item.comments"}  # each one's fields are keyed as comment.<field>
    )
    return reads - keyed


def test_the_post_cache_key_covers_every_field_the_post_partials_read():
    reads = _template_reads(POST_TEMPLATE)

    assert {"item.post.body_html", "item.post.score", "comment.body_html"} <= reads  # the parse finds reads
    assert _not_keyed(reads) == set()


def test_a_partial_reading_a_field_the_key_does_not_cover_is_caught():
    reads, _includes = _reads(
        "{% if item.post.view_count %}{{ item.post.view_count }}{% endif %}{% for c in x %}{{ comment.author_name }}{% endfor %}"
    )

    assert _not_keyed(reads) == {"item.post.view_count"}


class _Recording:
    """Stands in for a PostItem, its Post or a CommentItem, noting each attribute a template reads."""

    def __init__(self, target, name: str, log: set[str]):
        self._target, self._name, self._log = target, name, log

    def __getattr__(self, attribute: str):
        value = getattr(self._target, attribute)
        if attribute == "post":  # a way through, not a read: what is read of it is noted there
            return _Recording(value, "item.post", self._log)
        self._log.add(f"{self._name}.{attribute}")
        if attribute == "comments":
            return [_Recording(comment, "comment", self._log) for comment in value]
        return value


def test_rendering_posts_every_way_they_show_reads_only_what_the_key_covers(member, other_member, staff):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.utils import timezone

    from community.models import Post
    from community.pages.threads import thread_page
    from community.selectors.threads import thread_get_for_user
    from community.services.posts import comment_create
    from community.services.votes import answer_accept
    from community.views.labels import post_labels

    thread = ask(member, title="How do I reset my wallet password?")
    accepted = answer(other_member, thread)
    comment_create(author=member, post=accepted, body="Thanks, that worked on my phone too.")
    answer_accept(thread=thread, answer=accepted, actor=member)
    Post.objects.filter(pk=accepted.pk).update(is_official=True, edited_at=timezone.now())
    gone = answer(UserFactory(), thread, body="A reply that was deleted later, seen by staff only.")
    Post.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    log: set[str] = set()
    for reader in (AnonymousUser(), member, other_member, staff):
        fresh = thread_get_for_user(user=reader, thread_id=thread.pk)
        page = thread_page(user=reader, thread=fresh)
        for item in [page.opening, *page.answers]:
            context = {"item": _Recording(item, "item", log), "labels": post_labels(), "csrf_input": CSRF_SLOT}
            render_to_string(POST_TEMPLATE, context)

    assert {"item.post.edited_at", "item.post.is_official", "item.is_deleted", "comment.body_html"} <= log
    assert _not_keyed(log) == set()
