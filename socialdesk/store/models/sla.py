"""Service levels: per-priority SLA policies, teams' holidays, and the attainment record analytics reads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.core.types import Priority
from socialdesk.store.models.base import Base, str_enum


class ServiceLevelPolicy(Base):
    """A workspace's targets for cases of one priority (a priority without a row uses the workspace's)."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("workspace_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    first_response_minutes: Mapped[int]
    next_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    # True: the clock runs only in the case's team's business hours; False: around the clock.
    business_hours: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamHoliday(Base):
    """A day a team does not work: its SLA clocks in business hours stand still."""

    __tablename__ = "team_holidays"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(100), default="")


class SlaAttainment(Base):
    """Whether one promise to a customer was kept: written when it is met, or when it is breached.

    One row per (case, target, start of the wait): a next response is owed afresh every time the customer
    writes again after an answer. `met` is final once written as False (a breach stays a breach);
    `met_at` is filled in when the late answer finally comes.
    """

    __tablename__ = "sla_attainments"
    __table_args__ = (
        UniqueConstraint("case_id", "target", "started_at"),
        Index("ix_sla_attainments_report", "workspace_id", "target", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))  # first_response | next_response | resolution
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # When the customer started waiting: with the target, it names the promise, which keeps its row
    # when a changed priority moves its due time.
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    met: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
