"""Importing an archive file through the same ingest path that live posts take."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from socialdesk.core.types import InboundPost, RowError
from socialdesk.importers import ArchiveReader
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.pipeline.worker import run_pending
from socialdesk.store.db import Database

BATCH_SIZE = 250
KEEP_REJECTIONS = 1000  # per-row reasons kept for the report; the counts cover every row


@dataclass
class ImportSummary:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[RowError] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        self.reasons[_reason_kind(error.reason)] += 1
        if len(self.rejections) < KEEP_REJECTIONS:
            self.rejections.append(error)

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejections": [{"line": e.line, "reason": e.reason} for e in self.rejections],
        }


def _reason_kind(reason: str) -> str:
    """Group reasons that differ only in the quoted value ("tweet_id 'x' is not ..." -> one kind)."""
    head = reason.split("'", 1)[0].split(":", 1)[0]
    return head.strip() or reason


def import_rows(
    db: Database,
    workspace_id: int,
    rows: Iterable[tuple[int, InboundPost | RowError]],
    on_progress: Callable[[int], object] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Ingest `rows` in batches, running each batch's triage before the next, and count what happened."""
    summary = ImportSummary()
    batch: list[tuple[int, InboundPost]] = []

    def flush() -> None:
        results = ingest_posts(db, workspace_id, [post for _, post in batch])
        for (line, _), result in zip(batch, results, strict=True):
            if result.outcome is Outcome.STORED:
                summary.stored += 1
            elif result.outcome is Outcome.DUPLICATE:
                summary.duplicates += 1
            else:
                summary.reject(RowError(line, result.reason or "not stored"))
        run_pending(db)
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    for line, row in rows:
        summary.read += 1
        if isinstance(row, RowError):
            summary.reject(row)
            if on_progress:
                on_progress(1)
            continue
        batch.append((line, row))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    run_pending(db)
    return summary


def import_archive(
    db: Database,
    workspace_id: int,
    archive: ArchiveReader,
    on_progress: Callable[[int], object] | None = None,
) -> ImportSummary:
    return import_rows(db, workspace_id, archive.rows(), on_progress)
