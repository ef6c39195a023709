"""config.cache.RedisCache: Django's Redis backend with one client per connection pool."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings

from config.cache import RedisCache


def _backend(location: str = "redis://127.0.0.1:6379/0") -> RedisCache:
    # Its own key prefix: these tests never read or clear what other tests cached.
    return RedisCache(location, {"KEY_PREFIX": f"test-config-cache-{uuid.uuid4().hex}"})


def test_every_call_gets_the_same_client_over_the_same_pool():
    backend = _backend()  # redis connects lazily: no server is needed to build clients
    first = backend._cache.get_client("a", write=True)
    assert backend._cache.get_client("b") is first
    assert backend._cache.get_client(None, write=True) is first
    assert first.connection_pool is backend._cache._get_connection_pool(write=True)


def test_threads_racing_for_the_first_client_all_get_the_same_one():
    backend = _backend()
    clients = []
    start = threading.Barrier(8)

    def first_call():
        start.wait()
        clients.append(backend._cache.get_client(write=True))

    workers = [threading.Thread(target=first_call) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({id(client) for client in clients}) == 1
    assert len(backend._cache._pools) == 1


@pytest.mark.redis
def test_values_round_trip_through_the_reused_client():
    backend = _backend(settings.CACHES["default"]["LOCATION"])
    try:
        backend.set("tuple", ("v1", {"answers": [1, 2]}), 30)
        assert backend.get("tuple") == ("v1", {"answers": [1, 2]})
        assert backend.add("tuple", "other", 30) is False
        assert backend.add("fresh", b"\x00bytes", 30) is True
        backend.set_many({"one": 1, "two": "2"}, 30)
        assert backend.get_many(["one", "two", "missing", "fresh"]) == {"one": 1, "two": "2", "fresh": b"\x00bytes"}
        assert backend.incr("one", 4) == 5
        assert backend.delete("two") is True
        assert backend.get("two", "gone") == "gone"
        assert backend.get_or_set("made", lambda: [3], 30) == [3]
    finally:
        backend.delete_many(["tuple", "fresh", "one", "two", "made"])


@pytest.mark.redis
def test_the_reused_client_serves_concurrent_threads():
    backend = _backend(settings.CACHES["default"]["LOCATION"])
    errors = []

    def work(n: int):
        try:
            for i in range(50):
                backend.set(f"k{n}", (n, i), 30)
                if backend.get(f"k{n}") != (n, i):
                    errors.append((n, i))
        except Exception as error:  # noqa: BLE001 - collected and asserted below, on the test's thread
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    backend.delete_many([f"k{n}" for n in range(6)])
    assert errors == []
