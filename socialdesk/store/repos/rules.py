"""Reading a workspace's routing rules, and the teams and agents their forms offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.store.models import Agent, RoutingRule, RoutingRun, Team
from socialdesk.store.repos.views import Option


@dataclass(frozen=True, slots=True)
class RuleView:
    id: int
    position: int
    name: str
    enabled: bool
    match: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    stop: bool
    hit_count: int
    last_hit_at: datetime | None
    updated_at: datetime


def _view(row: RoutingRule) -> RuleView:
    return RuleView(
        id=row.id,
        position=row.position,
        name=row.name,
        enabled=row.enabled,
        match=row.match,
        conditions=list(row.conditions),
        actions=list(row.actions),
        stop=row.stop,
        hit_count=row.hit_count,
        last_hit_at=row.last_hit_at,
        updated_at=row.updated_at,
    )


def list_rules(session: Session, workspace_id: int) -> list[RuleView]:
    """The workspace's rules in the order they run."""
    rows = session.scalars(
        select(RoutingRule)
        .where(RoutingRule.workspace_id == workspace_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return [_view(r) for r in rows]


def get_rule(session: Session, workspace_id: int, rule_id: int) -> RuleView | None:
    row = session.scalars(
        select(RoutingRule).where(RoutingRule.workspace_id == workspace_id, RoutingRule.id == rule_id)
    ).first()
    return _view(row) if row else None


def agent_options(session: Session, workspace_id: int) -> list[Option]:
    """The workspace's active agents, for "assign to"."""
    agents = session.scalars(
        select(Agent)
        .where(Agent.workspace_id == workspace_id, Agent.is_active.is_(True))
        .order_by(Agent.name)
    )
    return [Option(a.id, a.name) for a in agents]


def team_names(session: Session, workspace_id: int) -> dict[int, str]:
    rows = session.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id))
    return {row[0]: row[1] for row in rows}


def agent_names(session: Session, workspace_id: int) -> dict[int, str]:
    rows = session.execute(select(Agent.id, Agent.name).where(Agent.workspace_id == workspace_id))
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class RunView:
    post_id: int
    rules: list[str]  # the names of the rules that matched ("a deleted rule" once one is gone)
    applied: list[str]
    created_at: datetime


def case_runs(session: Session, workspace_id: int, case_id: int) -> list[RunView]:
    """What the routing rules did on a case, oldest first."""
    rows = session.scalars(
        select(RoutingRun)
        .where(RoutingRun.workspace_id == workspace_id, RoutingRun.case_id == case_id)
        .order_by(RoutingRun.id)
    ).all()
    ids = {rule_id for run in rows for rule_id in run.rule_ids}
    names = {
        row[0]: row[1]
        for row in session.execute(
            select(RoutingRule.id, RoutingRule.name).where(
                RoutingRule.workspace_id == workspace_id, RoutingRule.id.in_(ids)
            )
        )
    }
    unknown = "a deleted rule"
    return [
        RunView(r.post_id, [names.get(i, unknown) for i in r.rule_ids], list(r.applied), r.created_at)
        for r in rows
    ]
