"""The durable job queue: one failing job is isolated, retried with backoff, and finally kept as failed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from socialdesk.core.clock import utcnow
from socialdesk.pipeline import jobs
from socialdesk.store.db import Database
from socialdesk.store.models import Job
from tests import factories as f


def queue(db: Database, *post_ids: int) -> None:
    ws = f.workspace(db)
    with db.write() as s:
        for post_id in post_ids:
            jobs.enqueue(s, ws, "probe", {"post_id": post_id})


def test_a_failing_job_is_rolled_back_alone_and_retried_later(db: Database) -> None:
    queue(db, 1, 2, 3)
    seen: list[int] = []

    def probe(session: object, batch: Sequence[Job]) -> None:
        for job in batch:
            if job.payload["post_id"] == 2:
                raise ValueError("post 2 is cursed")
            seen.append(job.payload["post_id"])

    assert jobs.run_due_jobs(db, {"probe": probe}) == 3
    # The batch failed, so each job ran alone: 1 and 3 succeeded (1 also ran in the failed batch).
    assert seen == [1, 1, 3]
    with db.read() as s:
        [left] = s.scalars(select(Job)).all()
        assert left.payload == {"post_id": 2}
        assert left.attempts == 1
        assert left.last_error == "ValueError: post 2 is cursed"
        assert left.run_after > utcnow()
    assert jobs.run_due_jobs(db, {"probe": probe}) == 0  # not due yet: it waits for its backoff


def test_a_job_that_keeps_failing_is_kept_as_failed(db: Database) -> None:
    queue(db, 7)

    def broken(session: object, batch: Sequence[Job]) -> None:
        raise RuntimeError("still broken")

    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        with db.write() as s:  # let time pass: make the retry due now
            for job in s.scalars(select(Job)):
                job.run_after = utcnow()
        jobs.run_due_jobs(db, {"probe": broken})
        with db.read() as s:
            job = s.scalars(select(Job)).one()
            assert job.attempts == attempt
    assert job.status == "failed"
    assert jobs.drain(db, {"probe": broken}) == 0


def test_a_job_of_an_unknown_kind_is_reported_not_lost(db: Database) -> None:
    queue(db, 9)
    jobs.run_due_jobs(db, {})
    with db.read() as s:
        job = s.scalars(select(Job)).one()
        assert job.last_error == "LookupError: no handler for job kind 'probe'"
