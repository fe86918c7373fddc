"""The database poll that brings other processes' posts to this process's pages, when there is no Redis.

Without SOCIALDESK_REDIS_URL each process has its own in-memory bus: a post stored by `socialdesk
import`, `socialdesk worker` or a second web process would never reach this one's open pages. The
feed closes that gap: every `interval` seconds it reads the posts stored (and the posts triaged) since
its last look and publishes `post.created` / `post.updated` and `case.updated` for them, skipping what
this process already published itself.

Ids are handed out before commit, so a transaction can commit a lower id after a higher one became
visible; the feed therefore keeps looking at every id newer than its `window` and remembers which it
announced, instead of trusting "the highest id so far". What it cannot see: changes made by bulk
statements, and case fields another process changed without touching a post (an assignment made in
another web process, say): for those, run Redis (docs/live-updates.md).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from socialdesk.bus import Bus, Event
from socialdesk.bus.base import CASE_UPDATED, POST_CREATED, POST_UPDATED, EventData
from socialdesk.core.clock import utcnow
from socialdesk.pipeline.events import recently_published
from socialdesk.store.db import Database
from socialdesk.store.repos.changes import PostChange, newest_post_id, posts_after

log = logging.getLogger(__name__)


class ChangeFeed:
    def __init__(
        self,
        db: Database,
        bus: Bus,
        interval: float,
        *,
        window: timedelta = timedelta(seconds=30),
        triage_span: int = 5000,
    ) -> None:
        self.db = db
        self.bus = bus
        self.interval = interval
        self.window = window
        self.triage_span = triage_span  # how many of the newest posts are watched for triage results
        self._floor = 0  # every post id up to here is older than the window and was dealt with
        self._newest = 0
        self._seen: set[int] = set()
        self._triaged: dict[tuple[int, datetime], None] = {}
        self._since = utcnow()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def prime(self) -> None:
        """Start from now: posts stored before this are not news."""
        with self.db.read() as session:
            self._floor = self._newest = newest_post_id(session)
        self._since = utcnow()

    def poll_once(self) -> int:
        """Look once; returns how many events were published."""
        now = utcnow()
        with self.db.read() as session:
            fresh = posts_after(session, self._floor)
            triaged = posts_after(
                session,
                max(0, max(self._newest, self._floor) - self.triage_span),
                enriched_since=self._since - self.window,
            )
        published = sum(self._announce_new(change) for change in fresh)
        settled = now - self.window
        for change in fresh:
            if change.received_at >= settled:
                break
            self._floor = change.post_id
        self._seen = {i for i in self._seen if i > self._floor}
        published += sum(self._announce_triage(change) for change in triaged)
        self._triaged = {k: None for k in self._triaged if k[1] >= settled}
        self._since = now
        return published

    def _announce_new(self, change: PostChange) -> int:
        self._newest = max(self._newest, change.post_id)
        if change.post_id in self._seen:
            return 0
        self._seen.add(change.post_id)
        if recently_published(self.bus, POST_CREATED, change.post_id):
            return 0
        return self._publish(POST_CREATED, change)

    def _announce_triage(self, change: PostChange) -> int:
        assert change.enriched_at is not None
        key = (change.post_id, change.enriched_at)
        if key in self._triaged:
            return 0
        self._triaged[key] = None
        if recently_published(self.bus, POST_UPDATED, change.post_id):
            return 0
        return self._publish(POST_UPDATED, change)

    def _publish(self, name: str, change: PostChange) -> int:
        post: EventData = {
            "post_id": change.post_id,
            "conversation_id": change.conversation_id,
            "direction": change.direction.value,
            "agent_id": change.agent_id,
            "changed": [] if name == POST_CREATED else ["enriched_at"],
            "via": "poll",
        }
        self.bus.publish(Event(name, change.workspace_id, post))
        if change.case_id is None:
            return 1
        case: EventData = {
            "case_id": change.case_id,
            "conversation_id": change.conversation_id,
            "changed": [],
            "via": "poll",
        }
        self.bus.publish(Event(CASE_UPDATED, change.workspace_id, case))
        return 2

    def start(self) -> None:
        self.prime()
        self._thread = threading.Thread(target=self._run, name="socialdesk-change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll_once()
            except Exception:  # the database is away for a moment: say so once, keep trying
                if not self._failing:
                    log.exception("live change feed: reading the database failed; retrying")
                self._failing = True
            else:
                self._failing = False
