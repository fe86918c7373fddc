"""The durable job queue: jobs are rows, written in the transaction that makes them necessary.

A job runs inside a write transaction and is deleted in that same transaction, so a worker killed
midway leaves the job queued and its effects unwritten; it simply runs again. On PostgreSQL several
worker processes share the queue through `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.store.db import Database
from socialdesk.store.models import Job

log = logging.getLogger(__name__)

TRIAGE_POST = "triage_post"
MAX_ATTEMPTS = 5
BATCH = 100

Handler = Callable[[Session, Job], None]

_wakeup = threading.Event()


def enqueue(session: Session, workspace_id: int, kind: str, payload: dict[str, Any]) -> None:
    session.add(Job(workspace_id=workspace_id, kind=kind, payload=payload))


def notify() -> None:
    """Wake an in-process worker that is waiting for work (called after a commit that queued jobs)."""
    _wakeup.set()


def wait_for_work(timeout: float) -> None:
    _wakeup.wait(timeout)
    _wakeup.clear()


def run_due_jobs(db: Database, handlers: dict[str, Handler], limit: int = BATCH) -> int:
    """Run up to `limit` due jobs in one transaction; return how many were taken.

    Each job runs in a savepoint: one that raises is rolled back alone, counted as an attempt and
    retried later with exponential backoff, and kept as `failed` after MAX_ATTEMPTS.
    """
    with db.write() as session:
        due = session.scalars(
            select(Job)
            .where(Job.status == "queued", Job.run_after <= utcnow())
            .order_by(Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for workspace_id in sorted({job.workspace_id for job in due}):
            db.lock_workspace(session, workspace_id)
        for job in due:
            handler = handlers.get(job.kind)
            try:
                if handler is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                with session.begin_nested():
                    handler(session, job)
            except Exception as exc:
                log.exception("job %s (%s) failed", job.id, job.kind)
                job.attempts += 1
                job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                job.run_after = utcnow() + timedelta(seconds=2**job.attempts)
                if job.attempts >= MAX_ATTEMPTS:
                    job.status = "failed"
                continue
            session.delete(job)
        return len(due)


def drain(db: Database, handlers: dict[str, Handler]) -> int:
    """Run jobs until none is due; return how many ran. Jobs waiting for a retry are left."""
    total = 0
    while True:
        taken = run_due_jobs(db, handlers)
        total += taken
        if taken == 0:
            return total
