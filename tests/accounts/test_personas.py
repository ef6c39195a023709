"""The persona fixtures every permission test picks from."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_personas_are_distinct_members_and_only_the_staff_one_is_staff(
    member, other_member, staff, moderator, marketer, anonymous
):
    people = [member, other_member, staff, moderator, marketer]
    assert len({person.pk for person in people}) == len(people)
    assert [person.is_staff for person in people] == [False, False, True, False, False]
    assert not anonymous.is_authenticated


def test_the_moderator_and_the_marketer_are_each_in_their_own_group(member, staff, moderator, marketer):
    assert list(moderator.groups.values_list("name", flat=True)) == ["Moderators"]
    assert list(marketer.groups.values_list("name", flat=True)) == ["Marketers"]
    assert not member.groups.exists()
    assert not staff.groups.exists()
