"""Saved inbox views, and the record of duplicate cases merged into another."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base
from socialdesk.store.models.conversation import Case


class SavedView(Base):
    """A named set of inbox filters and a sort: the owner's alone, or shared with the workspace.

    `filters` holds the inbox's own query parameters (`{"status": "open", "tag": "refund"}`), checked
    by the same validation as a typed URL when the view is saved, so applying a view is opening a link.
    """

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("workspace_id", "owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    shared: Mapped[bool] = mapped_column(default=False)
    filters: Mapped[dict[str, Any]]
    sort: Mapped[str] = mapped_column(String(16), default="newest")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseMerge(Base):
    """Case `source` was a duplicate of case `target` and lives on inside it.

    The source case stays (resolved, pointing here) so that links to it keep working; its conversation
    stays its own, and the target's thread, clocks and triage are computed over both conversations'
    posts (`pipeline.cases.refresh_thread`). A case is merged at most once: `source_case_id` is unique.
    """

    __tablename__ = "case_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    target_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


# The inbox's "oldest waiting" order and the urgency order's tie-break, per workspace and status.
Index("ix_cases_waiting", Case.workspace_id, Case.status, Case.last_inbound_at)
