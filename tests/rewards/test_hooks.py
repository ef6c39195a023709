"""Rewards fills in the hooks community offers, and community works without them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from community import profiles
from community.importers.stackexchange import importer
from rewards import selectors, stackexchange
from rewards.models import Badge, BadgeAward

pytestmark = pytest.mark.django_db


def test_rewards_registers_its_profile_section_once_however_often_it_is_ready():
    apps.get_app_config("rewards").ready()
    assert profiles._BUILDERS.count(selectors.badges_section) == 1


def test_the_import_runs_the_badges_step_rewards_names():
    assert importer.side_steps() == [("Badges.xml", stackexchange.import_badges)]


def test_without_rewards_hooks_the_profile_shows_no_badges_and_still_works(client, member, monkeypatch):
    BadgeAward.objects.create(badge=Badge.objects.create(name="Teacher"), member=member, awarded_at=timezone.now())
    url = reverse("member_profile", args=[member.username])
    assert 'id="badges-title"' in client.get(url).content.decode()

    monkeypatch.setattr(profiles, "_BUILDERS", [])
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="badges-title"' not in response.content.decode()
