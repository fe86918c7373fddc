"""The durable job queue: jobs are rows, written in the transaction that makes them necessary.

A job runs inside a write transaction and is deleted in that same transaction, so a worker killed
midway leaves the job queued and its effects unwritten; it simply runs again. On PostgreSQL several
worker processes share the queue through `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.store.db import Database
from socialdesk.store.models import Job

log = logging.getLogger(__name__)

TRIAGE_POST = "triage_post"
ACCURATE_TRIAGE = "accurate_triage"
MAX_ATTEMPTS = 5
BATCH = 250

# A handler takes a batch of jobs of its kind and does all their work in the caller's transaction.
Handler = Callable[[Session, Sequence[Job]], None]

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

    Jobs of one kind run together in a savepoint. Should that fail, each job is run again alone in its
    own savepoint, so one bad job is rolled back by itself, counted as an attempt and retried later
    with exponential backoff, and kept as `failed` after MAX_ATTEMPTS.
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
        by_kind: dict[str, list[Job]] = defaultdict(list)
        for job in due:
            by_kind[job.kind].append(job)
        done: list[int] = []
        for kind, batch in by_kind.items():
            handler = handlers.get(kind)
            if handler is None:
                for job in batch:
                    _failed(job, LookupError(f"no handler for job kind {kind!r}"))
                continue
            try:
                with session.begin_nested():
                    handler(session, batch)
                done += [job.id for job in batch]
                continue
            except Exception:
                log.warning("a batch of %d %s jobs failed; running them one by one", len(batch), kind)
            for job in batch:
                try:
                    with session.begin_nested():
                        handler(session, [job])
                    done.append(job.id)
                except Exception as exc:
                    log.exception("job %s (%s) failed", job.id, kind)
                    _failed(job, exc)
        if done:
            session.execute(
                delete(Job).where(Job.id.in_(done)), execution_options={"synchronize_session": False}
            )
        return len(due)


def _failed(job: Job, exc: Exception) -> None:
    job.attempts += 1
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    job.run_after = utcnow() + timedelta(seconds=2**job.attempts)
    if job.attempts >= MAX_ATTEMPTS:
        job.status = "failed"


def drain(db: Database, handlers: dict[str, Handler]) -> int:
    """Run jobs until none is due; return how many ran. Jobs waiting for a retry are left."""
    total = 0
    while True:
        taken = run_due_jobs(db, handlers)
        total += taken
        if taken == 0:
            return total
