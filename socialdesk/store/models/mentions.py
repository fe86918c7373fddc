"""@mentions of agents in internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class Mention(Base):
    """An agent named with @handle in a note. The case is the note's (notes move when cases merge)."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("note_id", "agent_id"),
        # The header's count: one agent's unread mentions.
        Index("ix_mentions_agent_read", "agent_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
