"""Conversations (threads) and the cases that track the brand's work on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from socialdesk.core.clock import utcnow
from socialdesk.core.types import CaseStatus, Intent, Priority, Sentiment
from socialdesk.store.models.base import Base, str_enum


class Conversation(Base):
    """A thread: the posts connected by reply chains, or one private conversation (DM, mail thread)."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("external_key", "network", "workspace_id"),)  # selective column first

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    # The network's id for a private conversation; None for public threads, which follow reply chains.
    external_key: Mapped[str | None] = mapped_column(String(512))
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    is_private: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


case_tags = Table(
    "case_tags",
    Base.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The inbox: a workspace's cases by status, newest activity first.
        Index("ix_cases_inbox", "workspace_id", "status", "last_activity_at"),
        Index("ix_cases_team_inbox", "workspace_id", "team_id", "last_activity_at"),
        Index("ix_cases_urgency", "workspace_id", "status", "urgency"),
        # "Mine", and an agent's load when assigning.
        Index("ix_cases_assignee", "workspace_id", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    network: Mapped[str] = mapped_column(String(32))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.NEW)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.NORMAL)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    routed_by: Mapped[str | None] = mapped_column(String(64))  # the rule that chose the team
    opened_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # The answer owed since the customer wrote again after one; None while nothing is owed.
    next_response_due_at: Mapped[datetime | None]
    # Set by the SLA check once a target passed unmet; they stay set (a breach is history).
    first_response_breached: Mapped[bool] = mapped_column(default=False, server_default=false())
    next_response_breached: Mapped[bool] = mapped_column(default=False, server_default=false())
    resolution_breached: Mapped[bool] = mapped_column(default=False, server_default=false())
    escalated_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    # What triage says about the customer's side of the conversation, for the inbox's filters and order:
    # the highest urgency of any customer post, the sentiment of the latest, the intent and language of
    # the first, and the first place found.
    urgency: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[Sentiment | None] = mapped_column(str_enum(Sentiment))
    intent: Mapped[Intent | None] = mapped_column(str_enum(Intent))
    is_complaint: Mapped[bool | None]
    language: Mapped[str | None] = mapped_column(String(8))
    place_name: Mapped[str | None] = mapped_column(String(200))
    place_country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tags: Mapped[list[Tag]] = relationship(secondary=case_tags, order_by="Tag.name")


class Note(Base):
    """An internal note on a case: seen by agents only, never sent to the network."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
