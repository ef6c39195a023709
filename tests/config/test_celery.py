"""Every task fits under the broker's visibility timeout, so a task still running is never handed to a second worker."""

from __future__ import annotations

from django.conf import settings

from config.celery import app, tasks_over_visibility_timeout


def _rapport_tasks() -> dict[str, int]:
    app.loader.import_default_modules()
    return {
        name: task.time_limit or app.conf.task_time_limit
        for name, task in app.tasks.items()
        if name.startswith("rapport.")
    }


def test_every_task_s_hard_time_limit_plus_a_minute_fits_under_the_visibility_timeout():
    assert settings.VISIBILITY_TIMEOUT_MARGIN >= 60
    assert tasks_over_visibility_timeout() == []


def test_every_outbox_handler_s_hard_time_limit_fits_too():
    # A delivery's task runs under its handler's own limits (community/outbox.py), not the task's.
    from community import outbox

    limits = {f"outbox handler {name}": spec.time_limit for name, spec in outbox.handlers().items()}
    assert limits  # the handlers are registered, so the check below has something to check
    assert tasks_over_visibility_timeout(extra=limits) == []


def test_the_check_sees_every_rapport_task_including_those_on_the_default_limit():
    # Guards the test above: it passes because the tasks fit, not because it found none to check.
    tasks = _rapport_tasks()
    assert {"rapport.views.flush", "rapport.email.digests", "rapport.ops.heartbeat"} <= tasks.keys()
    assert all(limit for limit in tasks.values())


def test_the_check_reports_a_task_whose_limit_does_not_fit():
    longest = max(_rapport_tasks().items(), key=lambda item: item[1])
    name, limit = longest
    # Exactly the limit plus the margin fits; a second less does not.
    assert tasks_over_visibility_timeout(visibility_timeout=limit + 60, margin=60) == []
    assert name in tasks_over_visibility_timeout(visibility_timeout=limit + 59, margin=60)


def test_the_check_reports_an_extra_named_limit_that_does_not_fit():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    over = tasks_over_visibility_timeout(extra={"email retry countdown": timeout, "a short wait": 10})
    assert over == ["email retry countdown"]


def test_a_task_without_a_hard_limit_never_fits(monkeypatch):
    flush = app.tasks["rapport.views.flush"]
    monkeypatch.setattr(flush, "time_limit", None)
    assert "rapport.views.flush" not in tasks_over_visibility_timeout()  # control: the default limit applies
    monkeypatch.setitem(app.conf, "task_time_limit", None)
    assert "rapport.views.flush" in tasks_over_visibility_timeout()
