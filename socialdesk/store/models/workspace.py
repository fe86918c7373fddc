"""A workspace is one brand; every other row belongs to exactly one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
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
    # The network's id of the account (X user id, Page id, DID, mailbox address): tells the brand's own
    # posts from its customers' in what the network sends.
    external_id: Mapped[str | None] = mapped_column(String(320))
    # "archive": known from imports only, no connector runs; "active"; "paused" by an admin.
    status: Mapped[str] = mapped_column(String(16), default="archive", server_default="archive")
    # The credentials as one Fernet token (SOCIALDESK_CREDENTIALS_KEY), never in the clear.
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What is not secret: the API address, listening queries, polling interval.
    settings: Mapped[dict[str, Any] | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A poller holds the account until then, so that two worker processes never poll it at once.
    poll_lease_until: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelCursor(Base):
    """How far a poller has read one source of a channel (X's since_id, an IMAP UID, a page token).

    Advanced in the transaction that stores the posts read up to it, so a crash in between re-reads
    them, and ingest drops what is already stored.
    """

    __tablename__ = "channel_cursors"
    __table_args__ = (UniqueConstraint("channel_account_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
