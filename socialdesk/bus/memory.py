"""The in-process bus: a bounded log of recent events and a table of presence, both in memory.

Writers (request handlers, the worker thread) and the readers (the web app's relay thread) share one
process, so a condition variable wakes readers the moment an event is published.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections import deque

from socialdesk.bus.base import LEFT, Batch, Event, Presence

DEFAULT_KEEP = 10_000


class MemoryBus:
    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        # Ids are "<run>-<sequence>": a cursor from before a restart names another run, which `read`
        # reports as a gap rather than mistaking its sequence number for one of this run's.
        self._run = secrets.token_hex(4)
        self._seq = 0
        self._log: deque[Event] = deque(maxlen=keep)
        self._changed = threading.Condition()
        self._presence: dict[tuple[int, int], dict[int, Presence]] = {}

    def publish(self, event: Event) -> str:
        with self._changed:
            self._seq += 1
            event_id = f"{self._run}-{self._seq}"
            self._log.append(dataclasses.replace(event, id=event_id))
            self._changed.notify_all()
        return event_id

    def last_id(self) -> str:
        with self._changed:
            return f"{self._run}-{self._seq}"

    def _sequence(self, cursor: str) -> int | None:
        run, _, seq = cursor.rpartition("-")
        if run != self._run or not seq.isdigit():
            return None
        return int(seq)

    def read(self, after: str, timeout: float, limit: int = 500) -> Batch:
        deadline = time.monotonic() + timeout
        with self._changed:
            seq = self._sequence(after)
            if seq is None or seq > self._seq:
                return Batch([], gap=True)
            while self._seq <= seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Batch([])
                self._changed.wait(remaining)
            oldest = self._seq - len(self._log) + 1  # the sequence number of self._log[0]
            gap = seq + 1 < oldest
            start = max(seq + 1, oldest) - oldest
            events = [self._log[i] for i in range(start, min(len(self._log), start + limit))]
            return Batch(events, gap=gap)

    def set_presence(self, presence: Presence) -> None:
        with self._changed:
            on_case = self._presence.setdefault((presence.workspace_id, presence.case_id), {})
            if presence.state == LEFT:
                on_case.pop(presence.agent_id, None)
            else:
                on_case[presence.agent_id] = presence

    def presence(self, workspace_id: int, case_id: int) -> list[Presence]:
        now = time.time()
        with self._changed:
            on_case = self._presence.get((workspace_id, case_id), {})
            for agent_id in [a for a, p in on_case.items() if p.expires_at <= now]:
                del on_case[agent_id]
            if not on_case:
                self._presence.pop((workspace_id, case_id), None)
            return sorted(on_case.values(), key=lambda p: p.agent_name)

    def close(self) -> None:
        with self._changed:
            self._changed.notify_all()
