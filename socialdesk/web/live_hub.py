"""The fan-out of the bus to this web process's open live streams.

One relay thread reads the bus (blocking reads suit both the condition variable of the memory bus and
Redis's XREAD BLOCK) and hands each batch to the event loop, which puts every event in the queue of
each stream of its workspace. A stream whose queue is full is marked as lagging; it tells its page to
reload instead of dropping events unnoticed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field

from socialdesk.bus import Bus, Event
from socialdesk.pipeline.change_feed import ChangeFeed

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000


@dataclass(eq=False)
class Subscription:
    workspace_id: int
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    lagging: bool = False

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.lagging = True

    def fell_behind(self) -> bool:
        """Whether events were lost since the last call; if so the queue is emptied, and the stream
        tells its page to look again instead of replaying part of what happened."""
        if not self.lagging:
            return False
        self.lagging = False
        while not self.queue.empty():
            self.queue.get_nowait()
        return True


class Beat:
    """A stream's keep-alive schedule, which events cannot put off.

    Waiting for the next event with the heartbeat as a timeout would start the wait again with every
    event of the workspace, wanted by the stream or not: in a busy workspace (presence heartbeats come
    every 5 s) the keep-alive, and the checks made with it, would never come.
    """

    def __init__(self, every: float) -> None:
        self.every = every
        self._due = time.monotonic() + every

    async def next_event(self, subscription: Subscription) -> Event | None:
        """The next event, or None when the beat is due first (the next one is then scheduled)."""
        left = self._due - time.monotonic()
        if left > 0:
            try:
                return await asyncio.wait_for(subscription.queue.get(), left)
            except TimeoutError:
                pass
        self._due = time.monotonic() + self.every
        return None


class LiveHub:
    def __init__(self, bus: Bus, feed: ChangeFeed | None = None) -> None:
        self.bus = bus
        self.feed = feed
        self._subscriptions: dict[int, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._cursor: str | None = None  # None: not known yet (the bus did not answer)

    def _start(self) -> None:
        """Started by the first stream, on the event loop it runs on (so also without a lifespan)."""
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        # Taken now, before the first stream reads its replay, so that the relay starts no later
        # than any replay ends; if the bus does not answer, the relay takes it when it does.
        try:
            self._cursor = self.bus.last_id()
        except Exception:
            log.exception("live updates: the bus does not answer")
        self._thread = threading.Thread(target=self._relay, name="socialdesk-live-relay", daemon=True)
        self._thread.start()
        if self.feed is not None:
            self.feed.start()

    def subscribe(self, workspace_id: int) -> Subscription:
        self._start()
        subscription = Subscription(workspace_id)
        self._subscriptions.setdefault(workspace_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        streams = self._subscriptions.get(subscription.workspace_id, set())
        streams.discard(subscription)
        if not streams:
            self._subscriptions.pop(subscription.workspace_id, None)

    @property
    def streams(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    def _deliver(self, events: list[Event], gap: bool) -> None:
        for event in events:
            for subscription in self._subscriptions.get(event.workspace_id, ()):
                subscription.offer(event)
        if gap:  # the relay itself fell behind what the bus keeps: every page must reload
            for streams in self._subscriptions.values():
                for subscription in streams:
                    subscription.lagging = True

    def _relay(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                if self._cursor is None:
                    self._cursor = self.bus.last_id()
                batch = self.bus.read(self._cursor, timeout=1.0)
            except Exception:
                if not failing:
                    log.exception("live updates: reading the bus failed; retrying every second")
                failing = True
                self._stop.wait(1.0)
                continue
            failing = False
            if batch.gap and not batch.events:
                self._cursor = self.bus.last_id()
            else:
                self._cursor = batch.last_id or self._cursor
            if not batch.events and not batch.gap:
                continue
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._deliver, batch.events, batch.gap)
            except RuntimeError:  # the loop has closed: the app is shutting down
                return

    def stop(self) -> None:
        self._stop.set()
        if self.feed is not None:
            self.feed.stop()
        if self._thread is not None:
            self._thread.join(5)
