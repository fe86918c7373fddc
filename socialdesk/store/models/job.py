"""Durable background work, written in the same transaction as the rows it is about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class Job(Base):
    """A unit of work for the worker. Finished jobs are deleted; failed ones stay with their error."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | failed
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
