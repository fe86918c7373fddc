"""Agents, their teams, and how they sign in (browser sessions and API tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base

team_members = Table(
    "team_members",
    Base.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    # E-mail is unique across workspaces: it is what an agent signs in with.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")  # admin | supervisor | agent
    # A trainee's replies wait as drafts until an admin or supervisor approves them (pipeline.approvals).
    is_trainee: Mapped[bool] = mapped_column(default=False, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Auto-assignment hands an agent cases only while they are online and hold fewer unresolved
    # cases than this; 0 keeps them out of auto-assignment altogether.
    max_open_cases: Mapped[int] = mapped_column(default=10, server_default="10")
    presence: Mapped[str] = mapped_column(String(8), default="offline", server_default="offline")
    last_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Space-separated ISO 639-1 codes of the languages this team answers in ("es pt").
    languages: Mapped[str] = mapped_column(String(200), default="")
    is_default: Mapped[bool] = mapped_column(default=False)  # takes whatever no rule sends elsewhere
    # Skills besides languages: space-separated ISO country codes, and comma-separated topic names.
    regions: Mapped[str] = mapped_column(String(200), default="", server_default="")
    products: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    assignment_mode: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # {"mon": [["09:00", "17:30"]], ...}; None: the team works around the clock.
    business_hours: Mapped[dict[str, Any] | None]
    # The round-robin pointer: the agent who was given the team's last case.
    round_robin_after: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Agent]] = relationship(secondary=team_members, back_populates="teams")

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()

    @property
    def region_codes(self) -> list[str]:
        return self.regions.split()

    @property
    def product_names(self) -> list[str]:
        return [p.strip() for p in self.products.split(",") if p.strip()]


class AuthSession(Base):
    """A signed-in browser. Only a keyed digest of the cookie's token is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
