"""Trainees' reply drafts waiting for a supervisor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.core.types import DraftStatus
from socialdesk.store.models.base import Base, str_enum


class ReplyDraft(Base):
    """A trainee's reply, held here (never in `posts`, so the outbox cannot see it) until a supervisor
    approves it, which writes the outbound post through the ordinary reply path, or rejects it."""

    __tablename__ = "reply_drafts"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "workspace_id"),
        Index("ix_reply_drafts_queue", "workspace_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)  # as the trainee wrote it; an edit lives on the post
    status: Mapped[DraftStatus] = mapped_column(str_enum(DraftStatus), default=DraftStatus.PENDING)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    # The outbound post an approval queued for delivery.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
