from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from community.selectors.display import answers_label, time_ago, views_label, votes_label

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "label"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=29), "29 days ago"),
    ],
)
def test_recent_moments_read_as_time_ago(ago, label):
    assert time_ago(NOW - ago, NOW) == label


def test_older_moments_read_as_the_date(settings):
    settings.TIME_ZONE = "UTC"
    with translation.override("en"):
        assert time_ago(datetime(2021, 4, 27, 14, 55, tzinfo=UTC), NOW) == "April 27, 2021"


def test_counts_pick_singular_or_plural():
    assert [votes_label(n) for n in (-1, 0, 1, 2)] == ["votes", "votes", "vote", "votes"]
    assert (answers_label(1, question=True), answers_label(3, question=False)) == ("answer", "replies")
    assert (views_label(1), views_label(1234)) == ("1 view", "1234 views")


def test_older_dates_follow_the_language_and_time_zone_in_force(settings):
    settings.TIME_ZONE = "UTC"
    moment = datetime(2021, 4, 27, 23, 30, tzinfo=UTC)
    with translation.override("en"):
        assert time_ago(moment, NOW) == "April 27, 2021"
    with translation.override("de"):
        assert time_ago(moment, NOW) == "27. April 2021"
    with translation.override("en"):
        assert time_ago(moment, NOW) == "April 27, 2021"
    settings.TIME_ZONE = "Asia/Tokyo"  # already the next day there
    with translation.override("en"):
        assert time_ago(moment, NOW) == "April 28, 2021"


def test_answer_counts_read_as_the_templates_said_them():
    from community.selectors.display import answer_count_label

    assert [answer_count_label(n) for n in (0, 1, 2)] == ["0 answers", "1 answer", "2 answers"]
