"""Macros: a workspace's canned replies, with variables filled in from the case they answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class Macro(Base):
    __tablename__ = "macros"
    # The shortcut is what agents type in the picker, so it must name one macro in the workspace.
    __table_args__ = (UniqueConstraint("workspace_id", "shortcut"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # None: every team's agents see it; otherwise it is offered on that team's cases only.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    shortcut: Mapped[str] = mapped_column(String(32))
    # Validated when saved: every {{variable}} in it is one SocialDesk knows (pipeline.macro_text).
    body: Mapped[str] = mapped_column(Text)
    # A macro may also close the case once its reply is recorded ("Resolved, thanks for flying").
    resolves_case: Mapped[bool] = mapped_column(default=False, server_default="0")
    tag: Mapped[str | None] = mapped_column(String(100))  # added to the case with the reply
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
