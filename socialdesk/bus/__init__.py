"""The event bus: how writers tell open pages that something changed (see docs/live-updates.md).

`open_bus` is the only place that picks an implementation: Redis Streams when a Redis URL is
configured, otherwise the in-memory bus of this process.
"""

from __future__ import annotations

from socialdesk.bus.base import Batch, Bus, Event, Presence
from socialdesk.bus.memory import MemoryBus


def open_bus(redis_url: str = "") -> Bus:
    if not redis_url:
        return MemoryBus()
    from socialdesk.bus.redis_streams import RedisStreamsBus

    return RedisStreamsBus(redis_url)


__all__ = ["Batch", "Bus", "Event", "MemoryBus", "Presence", "open_bus"]
