from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from community.models import IdeaStatusChange, Notification, Thread
from community.services.emails import notification_email_send
from community.services.notifications import notify_idea_status_changed
from community.services.votes import vote_cast
from moderation.services.ideas import idea_status_set
from tests.community.test_signals import sent_never_on_rollback, sent_once_after_commit, signals_received
from tests.factories import UserFactory, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(member):
    return ask(member, kind="idea", title="Let me export my order history as CSV")


def test_staff_move_an_idea_with_a_note_and_each_step_is_kept(idea, staff):
    change = idea_status_set(thread=idea, status="planned", actor=staff, note="Scheduled for the spring release.")
    assert (change.from_status, change.to_status) == ("new", "planned")
    assert idea_status_set(thread=idea, status="planned", actor=staff, note="Again") is None
    idea_status_set(thread=idea, status="delivered", actor=staff, note="Shipped in **2.4**.")
    assert Thread.objects.get(pk=idea.pk).idea_status == "delivered"
    steps = list(IdeaStatusChange.objects.values_list("from_status", "to_status"))
    assert steps == [("new", "planned"), ("planned", "delivered")]
    assert "<strong>2.4</strong>" in IdeaStatusChange.objects.last().note_html


def test_members_cannot_change_an_idea_status(idea, member):
    with pytest.raises(PermissionDenied):
        idea_status_set(thread=idea, status="planned", actor=member, note="I'd like this planned.")
    assert Thread.objects.get(pk=idea.pk).idea_status == "new"


@pytest.mark.parametrize(("status", "note", "field"), [("planned", "  ", "note"), ("someday", "Why not", "status")])
def test_a_status_change_needs_a_known_status_and_a_note(idea, staff, status, note, field):
    with pytest.raises(ValidationError) as excinfo:
        idea_status_set(thread=idea, status=status, actor=staff, note=note)
    assert field in excinfo.value.message_dict
    assert not IdeaStatusChange.objects.exists()


def test_only_ideas_have_a_status(member, staff):
    with pytest.raises(ValidationError):
        idea_status_set(thread=ask(member), status="planned", actor=staff, note="Not an idea")


def test_members_vote_for_an_idea_once_and_never_against(idea, other_member):
    opening = idea.posts.get()
    vote_cast(voter=other_member, post=opening, value=1)
    vote_cast(voter=other_member, post=opening, value=1)
    with pytest.raises(ValidationError, match="not against"):
        vote_cast(voter=other_member, post=opening, value=-1)
    assert Thread.objects.get(pk=idea.pk).score == 1


def test_voters_and_the_author_hear_about_a_status_change_with_the_note(idea, member, staff):
    voters = [UserFactory() for _ in range(3)]
    for voter in voters:
        vote_cast(voter=voter, post=idea.posts.get(), value=1)
    change = idea_status_set(thread=idea, status="planned", actor=staff, note="Coming in the spring release.")
    ids = notify_idea_status_changed(change_id=change.pk)
    assert notify_idea_status_changed(change_id=change.pk) == ids  # rerun: nothing new
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {member.pk, *(v.pk for v in voters)}
    notification_email_send(notification_id=Notification.objects.get(recipient=member).pk)
    assert "Coming in the spring release." in mail.outbox[0].body
    assert "An idea you voted for moved" in mail.outbox[0].subject


def test_staff_change_an_idea_status_from_the_thread_page_and_voters_see_the_note(client, idea, staff, other_member):
    from django.urls import reverse

    url = reverse("thread_detail", args=[idea.pk, idea.slug])
    client.force_login(other_member)
    assert b"Change the status" not in client.get(url).content
    response = client.post(reverse("idea_status", args=[idea.pk]), {"status": "planned", "note": "Sneaky"})
    assert response.status_code == 302
    assert Thread.objects.get(pk=idea.pk).idea_status == "new"

    client.force_login(staff)
    assert b"Change the status" in client.get(url).content
    response = client.post(reverse("idea_status", args=[idea.pk]), {"status": "planned", "note": ""})
    assert Thread.objects.get(pk=idea.pk).idea_status == "new"  # a note is required
    response = client.post(reverse("idea_status", args=[idea.pk]), {"status": "planned", "note": "Spring release."})
    assert response.status_code == 302
    client.force_login(other_member)
    page = client.get(url).content.decode()
    assert "Spring release." in page
    assert "Planned" in page


def test_an_idea_page_keeps_its_query_budget(client, idea, staff, django_assert_max_num_queries):
    from django.urls import reverse

    for n in range(3):
        idea_status_set(thread=idea, status=["planned", "in_progress", "delivered"][n], actor=staff, note=f"Step {n}")
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        client.get(reverse("thread_detail", args=[idea.pk, idea.slug]))


def setting_a_status(member, other_member, staff):
    idea = ask(member, kind="idea", title="Let me pay with a gift card as well")

    def sent(change):
        return (
            "idea_status_changed",
            IdeaStatusChange,
            {"change_id": change.pk, "thread_id": idea.pk, "status": "planned"},
        )

    return (lambda: idea_status_set(thread=idea, status="planned", actor=staff, note="Planned for spring.")), sent


@pytest.mark.parametrize("check", [sent_once_after_commit, sent_never_on_rollback])
def test_a_status_change_is_announced_once_after_commit_and_never_when_rolled_back(
    check, django_capture_on_commit_callbacks, member, other_member, staff
):
    with signals_received() as received:
        check(setting_a_status, received, django_capture_on_commit_callbacks, member, other_member, staff)
