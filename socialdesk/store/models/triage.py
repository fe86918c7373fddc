"""What agents teach triage: their corrections, and the workspace's own topic models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class TriageFeedback(Base):
    """An agent's correction of one triage field of one post; `socialdesk triage train` can learn from it."""

    __tablename__ = "triage_feedback"
    __table_args__ = (Index("ix_triage_feedback_workspace_field", "workspace_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(16))  # sentiment | intent | topic
    model_value: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicModel(Base):
    """A workspace's topic model (the file `socialdesk triage train-topics` writes), kept in the store so
    that every worker process uses the same one."""

    __tablename__ = "topic_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    labels: Mapped[str] = mapped_column(String(4000))  # one per line, for display and corrections
    model: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
