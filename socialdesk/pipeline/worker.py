"""The worker: queued jobs (triage), the outbox (replies to send) and the pollers (channels to read).

The embedded default runs it as a thread of `socialdesk serve`; `socialdesk worker` runs it as a
process of its own, as many as needed: jobs and outbox rows are claimed with row locks, channels with
leases, so workers never do the same work twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

import httpx2 as httpx

from socialdesk.channels.http import client as http_client
from socialdesk.config import Settings
from socialdesk.core.errors import ConfigError
from socialdesk.pipeline import jobs, outbox, polling
from socialdesk.pipeline.assignment import assign_all_waiting, set_idle_agents_away
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.enrichment import HANDLERS
from socialdesk.pipeline.service_levels import check_breaches
from socialdesk.store.db import Database

log = logging.getLogger(__name__)


def channel_vault(settings: Settings) -> Vault | None:
    """The vault for channel credentials, or None (with a warning) when no key is configured."""
    try:
        return Vault(settings.credential_keys())
    except ConfigError as exc:
        log.warning("channels are off: %s", exc)
        return None


@dataclass(frozen=True, slots=True)
class RoundReport:
    jobs: int = 0
    replies: int = 0  # replies the outbox tried to send
    channel_posts: int = 0  # posts and deletions the pollers stored

    @property
    def total(self) -> int:
        return self.jobs + self.replies + self.channel_posts


class Rounds:
    """One round of everything a worker does; `run_once` returns how much it did."""

    def __init__(self, db: Database, settings: Settings, vault: Vault | None) -> None:
        self.db = db
        self.settings = settings
        self.vault = vault
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = http_client()
        return self._http

    def run_once(self) -> RoundReport:
        ran = jobs.drain(self.db, HANDLERS)
        check_breaches(self.db)  # SLA clocks: mark, escalate and record what fell due
        set_idle_agents_away(self.db, timedelta(minutes=self.settings.away_after_minutes))
        assign_all_waiting(self.db)  # cases that waited for someone to come online or free up
        if self.vault is None:
            return RoundReport(jobs=ran)
        lease = timedelta(seconds=self.settings.send_lease_seconds)
        replies = outbox.deliver_due(self.db, self.vault, self.http, lease=lease)
        interval = timedelta(seconds=self.settings.channel_poll_seconds)
        reports = polling.poll_due(self.db, self.vault, self.http, interval)
        # Posts just polled were queued for triage: run it now rather than a round later.
        ran += jobs.drain(self.db, HANDLERS) if reports else 0
        return RoundReport(ran, replies, sum(r.stored + r.deleted for r in reports))

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


class InProcessWorker:
    def __init__(self, db: Database, settings: Settings, vault: Vault | None) -> None:
        self._rounds = Rounds(db, settings, vault)
        self._poll = settings.worker_poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="socialdesk-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        jobs.notify()
        self._thread.join(timeout)
        self._rounds.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._rounds.run_once()
            except Exception:  # keep serving: a broken database connection is retried next round
                log.exception("worker round failed")
            jobs.wait_for_work(self._poll)


def run_pending(db: Database) -> int:
    """Run every due job now, in this thread (the CLI's way of finishing its own work)."""
    return jobs.drain(db, HANDLERS)
