"""Changing a workspace's routing rules: create, edit, enable or disable, reorder, delete.

Every write checks the rule with `routing.rule_specs` and checks that the teams, agents, segments and
channel accounts it names belong to the workspace, so the engine never meets a rule it cannot run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.routing.rule_specs import Assign, RuleSpec, SetTeam, parse_rule
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, ChannelAccount, RoutingRule, Segment, Team

# Conditions that name a row of the workspace by id: a rule naming one that is not there never matches.
_NAMED_BY_ID: dict[str, tuple[type[Segment] | type[ChannelAccount], str]] = {
    "segment": (Segment, "segment"),
    "channel_account_id": (ChannelAccount, "channel account"),
}


def checked(session: Session, workspace_id: int, data: Mapping[str, Any]) -> RuleSpec:
    """The rule, parsed and with every team, agent, segment and channel it names found in the workspace."""
    spec = parse_rule(dict(data))
    for index, condition in enumerate(spec.conditions):
        named = _NAMED_BY_ID.get(condition.field)
        if named is None or condition.op == "exists":
            continue
        model, what = named
        ids = condition.value if isinstance(condition.value, list) else [condition.value]
        found = set(
            session.scalars(select(model.id).where(model.workspace_id == workspace_id, model.id.in_(ids)))
        )
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidAction(f"conditions.{index}.value: there is no {what} {missing[0]} here")
    for index, action in enumerate(spec.actions):
        if isinstance(action, SetTeam):
            team = session.get(Team, action.team_id)
            if team is None or team.workspace_id != workspace_id:
                raise InvalidAction(f"actions.{index}.team_id: there is no team {action.team_id} here")
        elif isinstance(action, Assign):
            agent = session.get(Agent, action.agent_id)
            if agent is None or agent.workspace_id != workspace_id or not agent.is_active:
                raise InvalidAction(
                    f"actions.{index}.agent_id: there is no active agent {action.agent_id} here"
                )
    return spec


def _store(row: RoutingRule, spec: RuleSpec, agent_id: int) -> None:
    stored = spec.model_dump(mode="json", exclude_none=True)
    row.name = spec.name
    row.enabled = spec.enabled
    row.match = spec.match
    row.conditions = stored["conditions"]
    row.actions = stored["actions"]
    row.stop = spec.stop
    row.updated_by_id = agent_id
    row.updated_at = utcnow()


def _rule(session: Session, workspace_id: int, rule_id: int) -> RoutingRule:
    row = session.scalars(
        select(RoutingRule).where(RoutingRule.workspace_id == workspace_id, RoutingRule.id == rule_id)
    ).first()
    if row is None:
        raise NotFound(f"routing rule {rule_id} not found")
    return row


def add_rule(session: Session, workspace_id: int, agent_id: int, data: Mapping[str, Any]) -> RoutingRule:
    """A new rule at the end of the list, inside the caller's write transaction."""
    spec = checked(session, workspace_id, data)
    last = session.scalar(
        select(func.max(RoutingRule.position)).where(RoutingRule.workspace_id == workspace_id)
    )
    row = RoutingRule(workspace_id=workspace_id, position=(last or 0) + 1, conditions=[], actions=[])
    _store(row, spec, agent_id)
    session.add(row)
    session.flush()
    return row


def create_rule(db: Database, workspace_id: int, agent_id: int, data: Mapping[str, Any]) -> int:
    with db.write() as session:
        return add_rule(session, workspace_id, agent_id, data).id


def update_rule(
    db: Database, workspace_id: int, rule_id: int, agent_id: int, data: Mapping[str, Any]
) -> None:
    with db.write() as session:
        row = _rule(session, workspace_id, rule_id)
        _store(row, checked(session, workspace_id, data), agent_id)


def set_rule_enabled(db: Database, workspace_id: int, rule_id: int, agent_id: int, enabled: bool) -> None:
    with db.write() as session:
        row = _rule(session, workspace_id, rule_id)
        row.enabled = enabled
        row.updated_by_id = agent_id
        row.updated_at = utcnow()


def move_rule(db: Database, workspace_id: int, rule_id: int, direction: Literal["up", "down"]) -> None:
    """Swap the rule with its neighbour; at either end of the list nothing moves."""
    with db.write() as session:
        db.lock_workspace(session, workspace_id)  # two admins reordering at once take turns
        _rule(session, workspace_id, rule_id)
        rows = list(
            session.scalars(
                select(RoutingRule)
                .where(RoutingRule.workspace_id == workspace_id)
                .order_by(RoutingRule.position, RoutingRule.id)
            )
        )
        index = next(i for i, r in enumerate(rows) if r.id == rule_id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows, start=1):
            row.position = position


def delete_rule(db: Database, workspace_id: int, rule_id: int) -> None:
    with db.write() as session:
        session.delete(_rule(session, workspace_id, rule_id))
