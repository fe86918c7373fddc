"""Routing rules stored as data, and the record of which rules ran on which post."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base, JSONType


class RoutingRule(Base):
    """One rule of a workspace; rules run by `position` (then id), smallest first.

    `conditions` and `actions` are JSON checked by `routing.rule_specs` before every write.
    """

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_workspace_position", "workspace_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    match: Mapped[str] = mapped_column(String(3), default="all")  # all | any
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    stop: Mapped[bool] = mapped_column(default=False)  # a match ends the run: later rules are skipped
    # Who saved it last: an automatic acknowledgement goes out in that agent's name, as the outbox only
    # ever sends what an agent wrote.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    hit_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_hit_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingRun(Base):
    """The rules run on one customer post, written in the transaction that applied their actions.

    Its unique post id is what makes a run idempotent: a job run twice (or again after a crash that
    rolled the first back) finds the row and applies nothing a second time.
    """

    __tablename__ = "routing_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    rule_ids: Mapped[list[int]] = mapped_column(JSONType)  # the rules that matched, in order
    applied: Mapped[list[str]] = mapped_column(JSONType)  # what changed, for agents: "team → Soporte"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
