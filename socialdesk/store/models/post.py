"""Posts: every message in or out, on any network, normalised."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.core.types import DeliveryStatus, Direction, Intent, Sentiment
from socialdesk.store.models.base import Base, str_enum


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # A network's own id makes a delivery idempotent: the same post delivered twice is stored once.
        # In these indexes the selective column leads: a planner without statistics (as during a first
        # import) could otherwise pick any index starting with workspace_id and filter thousands of rows.
        UniqueConstraint("external_id", "network", "workspace_id"),
        UniqueConstraint("idempotency_key", "workspace_id"),
        # Threading looks up the stored replies to a newly arrived post.
        Index("ix_posts_reply_lookup", "in_reply_to", "network", "workspace_id"),
        Index("ix_posts_conversation_created", "conversation_id", "created_at"),
        # The outbox: replies waiting to be sent, soonest first.
        Index("ix_posts_outbox", "delivery_status", "next_send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    # None only for an agent's reply that no connector has sent yet.
    external_id: Mapped[str | None] = mapped_column(String(512))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    author_external_id: Mapped[str] = mapped_column(String(320))
    author_handle: Mapped[str] = mapped_column(String(320))
    author_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    in_reply_to: Mapped[str | None] = mapped_column(String(512))
    is_private: Mapped[bool] = mapped_column(default=False)
    declared_language: Mapped[str | None] = mapped_column(String(8))  # as the network labelled it
    language: Mapped[str | None] = mapped_column(String(8))  # as SocialDesk detected it
    geo_lat: Mapped[float | None] = mapped_column(Float)
    geo_lon: Mapped[float | None] = mapped_column(Float)
    user_location: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None]  # the author's reach when the post was made, where known
    raw: Mapped[dict[str, Any] | None]
    # Triage, filled in by the worker (fast tier first, the accurate tier may re-score it).
    sentiment: Mapped[Sentiment | None] = mapped_column(str_enum(Sentiment))
    sentiment_scores: Mapped[dict[str, Any] | None]
    intent: Mapped[Intent | None] = mapped_column(str_enum(Intent))
    is_complaint: Mapped[bool | None]
    urgency: Mapped[float | None] = mapped_column(Float)
    triage: Mapped[dict[str, Any] | None]  # the rest of the triage record: topics, places, PII spans, scores
    triage_tier: Mapped[str | None] = mapped_column(String(16))
    delivery_status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.RECEIVED
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    enriched_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]  # the network told us the author edited it
    deleted_at: Mapped[datetime | None]  # the author deleted it: its text and payload are gone too
    # The outbox: the key the network (or our own check before a retry) dedupes sends by, how often a
    # send was tried, when to try next, when it was handed to the network, and why it failed for good.
    delivery_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    send_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_send_at: Mapped[datetime | None]
    send_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    send_error: Mapped[str | None] = mapped_column(Text)
    send_outcome_unknown: Mapped[bool] = mapped_column(default=False, server_default="0")
