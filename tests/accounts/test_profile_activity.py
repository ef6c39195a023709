"""A member's activity on their public profile, as each viewer may see it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import Post, Thread, Visibility
from community.services.votes import answer_accept, vote_cast
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db

PROFILE_QUERY_BUDGET = 10


def profile_html(client, username: str) -> str:
    response = client.get(reverse("member_profile", args=[username]))
    assert response.status_code == 200
    return response.content.decode()


def stats(html: str) -> str:
    """The activity summary as one line of text."""
    summary = re.search(r'<p class="card-meta profile-stats">(.*?)</p>', html, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", "", summary).split())


@pytest.fixture
def activity(member, staff):
    """Tess, a support engineer, asks in public, answers in public (accepted), members-only and staff
    spaces, and votes in public and staff spaces. Her profile is read by people who see less than she does."""
    tess = UserFactory(username="tess", is_staff=True)
    public = SpaceFactory(slug="wallets")
    staff_space = SpaceFactory(slug="staff-room", visibility=Visibility.STAFF)
    members_space = SpaceFactory(slug="beta", visibility=Visibility.MEMBERS)

    asked = ask(tess, public, title="Why does my card sync take so long?")
    public_question = ask(member, public, title="How do I reset my wallet password?")
    accepted = answer(tess, public_question, body="Restore from the recovery phrase in settings.")
    answer_accept(thread=public_question, answer=accepted, actor=member)
    staff_question = ask(staff, staff_space, title="Staff only: how do we rotate the keys?")
    answer(tess, staff_question, body="Staff only answer: follow the runbook for rotation.")
    members_question = ask(member, members_space, title="Members only: is the beta stable yet?")
    answer(tess, members_question, body="Members only answer: mostly, a few sync bugs left.")

    vote_cast(voter=tess, post=public_question.posts.get(kind="opening"), value=1)
    vote_cast(voter=tess, post=staff_question.posts.get(kind="opening"), value=-1)
    return {"asked": asked, "accepted": accepted, "public_question": public_question}


def test_a_visitor_sees_public_activity_with_counts_and_links(client, activity):
    html = profile_html(client, "tess")

    assert stats(html) == ("1 thread started (1 question) 1 answer 1 accepted answer Votes cast: 1 up, 0 down")
    asked, accepted, question = activity["asked"], activity["accepted"], activity["public_question"]
    assert f'<a href="/t/{asked.pk}/{asked.slug}/">{asked.title}</a>' in html
    assert html.count(f'<a href="/t/{question.pk}/{question.slug}/#post-{accepted.pk}">') == 2  # answers, accepted
    assert "Staff only" not in html
    assert "Members only" not in html


def test_a_member_also_sees_members_only_activity(client, activity, member):
    client.force_login(member)
    html = profile_html(client, "tess")

    assert stats(html) == "1 thread started (1 question) 2 answers 1 accepted answer Votes cast: 1 up, 0 down"
    assert "Members only: is the beta stable yet?" in html
    assert "Staff only" not in html


def test_staff_see_activity_in_staff_spaces_too(client, activity, staff):
    client.force_login(staff)
    html = profile_html(client, "tess")

    assert stats(html) == "1 thread started (1 question) 3 answers 1 accepted answer Votes cast: 1 up, 1 down"
    assert "Staff only: how do we rotate the keys?" in html


def test_deleted_threads_and_answers_leave_the_profile(client, activity, staff):
    Thread.objects.filter(pk=activity["asked"].pk).update(deleted_at=timezone.now())
    Post.objects.filter(pk=activity["accepted"].pk).update(deleted_at=timezone.now())
    client.force_login(staff)

    html = profile_html(client, "tess")

    assert stats(html).startswith("0 threads started 2 answers 0 accepted answers")
    assert activity["asked"].title not in html


def test_a_member_with_no_activity_says_so(client, member):
    html = profile_html(client, member.username)
    assert "Nothing posted here yet." in html
    assert "profile-stats" not in html


def test_only_the_latest_ten_of_each_are_listed_while_counts_cover_all(client, member, other_member):
    space = SpaceFactory()
    for n in range(12):
        thread = ask(member, space, title=f"Wallet question number {n:02d} here")
        answer(other_member, thread)

    html = profile_html(client, "bob")

    assert stats(html).startswith("0 threads started 12 answers")
    assert len(re.findall(r"Wallet question number \d\d here", html)) == 10
    assert "number 11" in html
    assert "number 01" not in html


def _fill(member, other_member, count: int) -> None:
    space = SpaceFactory()
    have = Thread.objects.filter(author=member).count()
    for n in range(have, count):
        own = ask(member, space, title=f"Wallet question number {n} by the member")
        theirs = ask(other_member, space, title=f"Card question number {n} by someone else")
        reply = answer(member, theirs)
        answer_accept(thread=theirs, answer=reply, actor=other_member)
        vote_cast(voter=member, post=answer(other_member, own), value=1)


@pytest.mark.parametrize("persona", ["anonymous", "member", "staff"])
def test_the_profile_takes_the_same_queries_for_one_thread_and_thirty(
    request, client, member, other_member, staff, persona
):
    viewer = request.getfixturevalue(persona)
    if viewer.is_authenticated:
        client.force_login(viewer)
    url = reverse("member_profile", args=[member.username])
    _fill(member, other_member, 1)
    client.get(url)  # warm the per-process caches

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _fill(member, other_member, 30)
    client.get(url)  # the new space makes the cached bell count stale: count it once, as for one thread
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(url)

    assert len(one) == len(thirty) <= PROFILE_QUERY_BUDGET
    assert "30 answers" in stats(response.content.decode())


def test_an_erased_member_is_still_not_found(client):
    UserFactory(username="gone", is_active=False)
    assert client.get(reverse("member_profile", args=["gone"])).status_code == 404


def test_the_profile_takes_the_same_queries_for_one_badge_and_thirty(client, member):
    from rewards.models import Badge, BadgeAward

    url = reverse("member_profile", args=[member.username])

    def award(count: int) -> None:
        for n in range(BadgeAward.objects.count(), count):
            badge = Badge.objects.create(name=f"Helper {n}")
            BadgeAward.objects.create(badge=badge, member=member, awarded_at=timezone.now())

    award(1)
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    award(30)
    with CaptureQueriesContext(connection) as thirty:
        html = client.get(url).content.decode()

    assert len(one) == len(thirty) <= PROFILE_QUERY_BUDGET
    assert html.count('class="earned-badge ') == 30
