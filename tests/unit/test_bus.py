"""The bus protocol, on the in-memory bus and on a real Redis (127.0.0.1:6379, or SOCIALDESK_TEST_REDIS)."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator

import pytest

from socialdesk.bus import Bus, Event, MemoryBus, Presence
from socialdesk.bus.base import LEFT, TYPING, VIEWING

REDIS = os.environ.get("SOCIALDESK_TEST_REDIS", "redis://127.0.0.1:6379/15")


def _redis_bus(keep: int) -> Iterator[Bus]:
    redis = pytest.importorskip("redis")
    from socialdesk.bus.redis_streams import RedisStreamsBus

    prefix = f"socialdesk-test-{secrets.token_hex(4)}"
    bus = RedisStreamsBus(REDIS, prefix=prefix, keep=keep)
    try:
        bus.ping()
    except redis.ConnectionError:
        pytest.skip(
            f"no Redis answers at {REDIS} (apt-get install redis-server, or set SOCIALDESK_TEST_REDIS)"
        )
    try:
        yield bus
    finally:
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
        bus.close()


@pytest.fixture(params=["memory", "redis"])
def bus(request: pytest.FixtureRequest) -> Iterator[Bus]:
    if request.param == "memory":
        yield MemoryBus()
    else:
        yield from _redis_bus(keep=10_000)


def test_events_are_read_in_order_after_the_cursor(bus: Bus) -> None:
    start = bus.last_id()
    ids = [bus.publish(Event("post.created", 1, {"post_id": n})) for n in range(3)]
    batch = bus.read(start, timeout=0.1)
    assert not batch.gap
    assert [e.id for e in batch.events] == ids
    assert [e.data["post_id"] for e in batch.events] == [0, 1, 2]
    assert batch.events[0] == Event("post.created", 1, {"post_id": 0}, ids[0])
    assert bus.read(ids[0], timeout=0.1).events[0].id == ids[1]
    assert bus.last_id() == ids[-1]


def test_a_reader_waits_for_the_next_event_and_wakes_at_once(bus: Bus) -> None:
    start = bus.last_id()
    assert bus.read(start, timeout=0.05).events == []
    timer = threading.Timer(0.2, lambda: bus.publish(Event("case.updated", 7, {"case_id": 3})))
    timer.start()
    began = time.monotonic()
    batch = bus.read(start, timeout=5)
    waited = time.monotonic() - began
    timer.join()
    assert [e.name for e in batch.events] == ["case.updated"]
    assert 0.15 < waited < 2.5, waited  # woken by the publish, not by the 5 s timeout


def test_a_cursor_the_bus_no_longer_covers_is_a_gap(bus: Bus) -> None:
    assert bus.read("not-an-id", timeout=0).gap
    assert bus.read("99999999999999-0", timeout=0).gap  # from a newer (since replaced) stream


def test_presence_expires_renews_and_leaves(bus: Bus) -> None:
    now = time.time()
    bus.set_presence(Presence(1, 10, 5, "Noor Haddad", VIEWING, now + 30))
    bus.set_presence(Presence(1, 10, 6, "Demo Agent", TYPING, now + 30))
    bus.set_presence(Presence(1, 10, 7, "Gone Already", VIEWING, now - 1))
    bus.set_presence(Presence(2, 10, 8, "Other Workspace", VIEWING, now + 30))
    assert [(p.agent_name, p.state) for p in bus.presence(1, 10)] == [
        ("Demo Agent", TYPING),
        ("Noor Haddad", VIEWING),
    ]
    bus.set_presence(Presence(1, 10, 5, "Noor Haddad", TYPING, now + 30))
    bus.set_presence(Presence(1, 10, 6, "Demo Agent", LEFT, now + 30))
    assert [(p.agent_id, p.state) for p in bus.presence(1, 10)] == [(5, TYPING)]
    assert bus.presence(1, 11) == []
    assert [p.agent_id for p in bus.presence(2, 10)] == [8]


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_trimmed_events_are_reported_as_a_gap(kind: str) -> None:
    buses = iter([MemoryBus(keep=3)]) if kind == "memory" else _redis_bus(keep=3)
    bus = next(buses)
    try:
        first = bus.publish(Event("post.created", 1, {"post_id": 0}))
        for n in range(1, 200):  # Redis trims approximately: well past `keep`
            bus.publish(Event("post.created", 1, {"post_id": n}))
        if kind == "redis":
            # An exact trim, as the approximate one only drops whole internal nodes.
            bus._redis.xtrim(bus._stream, maxlen=3)  # type: ignore[attr-defined]
        batch = bus.read(first, timeout=0)
        assert batch.gap
        assert batch.events[-1].data["post_id"] == 199
        assert not bus.read(batch.events[-2].id, timeout=0).gap
    finally:
        for _ in buses:
            pass


def test_a_memory_cursor_from_another_run_is_a_gap() -> None:
    earlier, now = MemoryBus(), MemoryBus()
    cursor = earlier.publish(Event("post.created", 1, {}))
    now.publish(Event("post.created", 1, {}))
    assert now.read(cursor, timeout=0).gap
