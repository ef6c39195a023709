from __future__ import annotations

import copy

import pytest
from django.db import connections

from config import health, heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_and_names_the_database_when_it_is_unreachable(client, monkeypatch):
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = "/nonexistent-directory/rapport.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens on port 1
    unreachable = connections["default"].__class__(settings_dict, alias="unreachable")
    monkeypatch.setattr(health, "get_connection", lambda: unreachable)
    try:
        response = client.get("/readyz")
    finally:
        unreachable.close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["cache"]["ok"] is True


def test_readyz_is_503_when_the_cache_fails(client, monkeypatch):
    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    cache_check = response.json()["checks"]["cache"]
    assert (cache_check["ok"], cache_check["error"]) == (False, "ConnectionError: cache down")


@pytest.mark.postgres
@pytest.mark.redis
def test_readyz_checks_the_real_postgres_and_redis(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_the_heartbeat_task_run_twice_leaves_one_fresh_timestamp():
    from datetime import datetime

    from django.core.cache import cache

    from config.celery import heartbeat as heartbeat_task

    heartbeat_task.run(queue="interactive")
    first = datetime.fromisoformat(cache.get(heartbeat.HEARTBEAT_KEY.format(queue="interactive")))
    heartbeat_task.run(queue="interactive")
    second = datetime.fromisoformat(cache.get(heartbeat.HEARTBEAT_KEY.format(queue="interactive")))
    assert second >= first
    assert heartbeat.heartbeats()["interactive"] == second.isoformat()
    assert heartbeat.heartbeats()["mining"] is None
