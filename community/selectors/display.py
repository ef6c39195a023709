"""Display values that selectors work out once per row instead of in template tags.

`{% blocktranslate count %}` and humanize's `naturaltime` cost 60–110 µs each;
a list page has four per row. These do the same job with one ngettext call.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language, gettext, ngettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Past this, a date says more than "41 days ago".
RELATIVE_LIMIT = 30 * DAY


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '12 days ago', then the date itself."""
    now = now or timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < MINUTE:
        return gettext("just now")
    if seconds < HOUR:
        n = seconds // MINUTE
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
    if seconds < DAY:
        n = seconds // HOUR
        return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}
    if seconds < RELATIVE_LIMIT:
        n = seconds // DAY
        return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}
    return _date_label(timezone.localtime(moment).date(), formats.get_format("DATE_FORMAT"), get_language())


@functools.lru_cache(maxsize=4096)
def _date_label(day: date, date_format: str, language: str | None) -> str:
    # A thread page shows dozens of old dates, many of them the same day, and
    # formatting one costs more than the rest of time_ago. The month names
    # follow the language, so it is part of the key with the format.
    return dateformat.format(day, date_format)


def votes_label(n: int) -> str:
    return ngettext("vote", "votes", n)


def answers_label(n: int, *, question: bool) -> str:
    if question:
        return ngettext("answer", "answers", n)
    return ngettext("reply", "replies", n)


def answer_count_label(n: int) -> str:
    """'1 answer', '12 answers': what `{% blocktranslate count counter=n %}{{ counter }} answer…` says, same msgid."""
    return ngettext("%(counter)s answer", "%(counter)s answers", n) % {"counter": formats.localize(n)}


def threads_label(n: int) -> str:
    return ngettext("%(n)s thread", "%(n)s threads", n) % {"n": formats.number_format(n)}


def views_label(n: int) -> str:
    return ngettext("%(n)s view", "%(n)s views", n) % {"n": formats.number_format(n)}


def answers_heading(n: int, *, question: bool) -> str:
    """'3 answers' above a question's answers, '3 replies' above a discussion's."""
    if question:
        return ngettext("%(n)s answer", "%(n)s answers", n) % {"n": formats.number_format(n)}
    return ngettext("%(n)s reply", "%(n)s replies", n) % {"n": formats.number_format(n)}
