"""The in-process worker of the embedded default: a thread that runs queued jobs as they appear."""

from __future__ import annotations

import logging
import threading

from socialdesk.pipeline import jobs
from socialdesk.pipeline.enrichment import HANDLERS
from socialdesk.store.db import Database

log = logging.getLogger(__name__)


class InProcessWorker:
    def __init__(self, db: Database, poll_seconds: float = 1.0) -> None:
        self._db = db
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="socialdesk-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        jobs.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                jobs.drain(self._db, HANDLERS)
            except Exception:  # keep serving: a broken database connection is retried next round
                log.exception("worker round failed")
            jobs.wait_for_work(self._poll)


def run_pending(db: Database) -> int:
    """Run every due job now, in this thread (the CLI's way of finishing its own work)."""
    return jobs.drain(db, HANDLERS)
