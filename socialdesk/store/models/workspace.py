"""A workspace is one brand; every other row belongs to exactly one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The default service-level targets; per-priority policies replace these later.
    sla_first_response_minutes: Mapped[int] = mapped_column(default=60)
    sla_resolution_minutes: Mapped[int] = mapped_column(default=24 * 60)
    # Which posts the accurate triage tier re-scores: "inbox" (customer posts of unresolved cases),
    # "all" posts, or "off".
    accurate_triage: Mapped[str] = mapped_column(String(8), default="inbox", server_default="inbox")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelAccount(Base):
    """A brand's own handle on one network (@SkylarkAir on X, the Skylark Air Facebook page, ...)."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
