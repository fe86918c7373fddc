"""Routing rules over the API: read them, try a sample post (any agent); change them (admins)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.routing_rules import create_rule, delete_rule, move_rule, update_rule
from socialdesk.pipeline.rule_dry_runs import dry_run
from socialdesk.store.repos.rules import RuleView, get_rule, list_rules
from socialdesk.web.deps import ApiAgent, Context, require_admin

router = APIRouter(prefix="/api/v1/rules", tags=["routing rules"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such rule in the caller's workspace."}
}
_RULE_BODY = Body(
    description="A rule: name, enabled, match (all|any), conditions [{field, op, value, key?}], "
    "actions [{type, ...}], stop. See docs/routing.md.",
    examples=[
        {
            "name": "Stranded travellers",
            "match": "all",
            "conditions": [
                {"field": "text", "op": "contains_any", "value": ["stranded", "missed connection"]},
                {"field": "is_complaint", "op": "is", "value": True},
            ],
            "actions": [{"type": "escalate"}],
            "stop": False,
        }
    ],
)


def _admin(agent: Principal) -> None:
    require_admin(agent, "Only admins change routing rules.")


def _rule(context: Context, agent: Principal, rule_id: int) -> RuleView:
    with context.db.read() as session:
        rule = get_rule(session, agent.workspace_id, rule_id)
    if rule is None:
        raise HTTPException(404, "No such routing rule in your workspace.")
    return rule


@router.get("", response_model=list[RuleView])
def rules(agent: ApiAgent, context: Context) -> list[RuleView]:
    """The workspace's rules, in the order they run."""
    with context.db.read() as session:
        return list_rules(session, agent.workspace_id)


@router.post("", response_model=RuleView, status_code=201)
def create(agent: ApiAgent, context: Context, body: Annotated[dict[str, Any], _RULE_BODY]) -> RuleView:
    """Add a rule at the end of the list."""
    _admin(agent)
    try:
        rule_id = create_rule(context.db, agent.workspace_id, agent.agent_id, body)
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _rule(context, agent, rule_id)


class DryRunIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    network: str = Field(default="x", min_length=1, max_length=32)
    customer_handle: str | None = Field(default=None, max_length=320)
    private: bool = False


class ConditionOut(BaseModel):
    condition: str
    passed: bool
    actual: Any


class RuleResultOut(BaseModel):
    rule_id: int
    name: str
    matched: bool
    skipped: str | None
    conditions: list[ConditionOut]


class DryRunOut(BaseModel):
    triage: dict[str, Any]
    results: list[RuleResultOut]
    matched: list[int]
    outcome: dict[str, Any]


def _plain(value: object) -> Any:
    if isinstance(value, frozenset | set | tuple | list):
        return (
            sorted(_plain(v) for v in value)
            if isinstance(value, frozenset | set)
            else [_plain(v) for v in value]
        )
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


@router.post("/dry-run", response_model=DryRunOut)
async def try_rules(agent: ApiAgent, context: Context, body: DryRunIn) -> DryRunOut:
    """Triage a sample post with the real fast triage and run the rules on it. Writes nothing."""
    try:
        trial = await run_in_threadpool(
            dry_run,
            context.db,
            agent.workspace_id,
            body.text,
            body.network,
            body.customer_handle,
            body.private,
        )
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    facts = trial.facts
    outcome = trial.evaluation.outcome
    return DryRunOut(
        triage={
            "language": facts.language,
            "sentiment": _plain(facts.sentiment),
            "intent": _plain(facts.intent),
            "is_complaint": facts.is_complaint,
            "urgency": facts.urgency,
            "topic": facts.topic,
            "place_name": facts.place_name,
            "place_country": facts.place_country,
            "customer_found": trial.customer_found,
        },
        results=[
            RuleResultOut(
                rule_id=r.rule.id,
                name=r.rule.spec.name,
                matched=r.matched,
                skipped=r.skipped,
                conditions=[
                    ConditionOut(condition=c.condition.describe(), passed=c.passed, actual=_plain(c.actual))
                    for c in r.conditions
                ],
            )
            for r in trial.evaluation.results
        ],
        matched=list(outcome.rule_ids),
        outcome={
            "team_id": outcome.team_id,
            "priority": _plain(outcome.priority),
            "tags": list(outcome.tags),
            "assignee_id": outcome.assignee_id,
            "acknowledgement": outcome.acknowledgement,
            "spam": outcome.spam,
        },
    )


@router.get("/{rule_id}", response_model=RuleView, responses=_NOT_FOUND)
def read(rule_id: int, agent: ApiAgent, context: Context) -> RuleView:
    return _rule(context, agent, rule_id)


@router.put("/{rule_id}", response_model=RuleView, responses=_NOT_FOUND)
def replace(
    rule_id: int, agent: ApiAgent, context: Context, body: Annotated[dict[str, Any], _RULE_BODY]
) -> RuleView:
    """Replace the rule's name, conditions, actions and flags (its place in the order stays)."""
    _admin(agent)
    try:
        update_rule(context.db, agent.workspace_id, rule_id, agent.agent_id, body)
    except NotFound:
        raise HTTPException(404, "No such routing rule in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _rule(context, agent, rule_id)


class MoveIn(BaseModel):
    direction: Literal["up", "down"]


@router.post("/{rule_id}/move", response_model=list[RuleView], responses=_NOT_FOUND)
def move(rule_id: int, body: MoveIn, agent: ApiAgent, context: Context) -> list[RuleView]:
    """Swap the rule with the one above or below it; returns the new order."""
    _admin(agent)
    try:
        move_rule(context.db, agent.workspace_id, rule_id, body.direction)
    except NotFound:
        raise HTTPException(404, "No such routing rule in your workspace.") from None
    return rules(agent, context)


@router.delete("/{rule_id}", status_code=204, responses=_NOT_FOUND)
def delete(rule_id: int, agent: ApiAgent, context: Context) -> Response:
    _admin(agent)
    try:
        delete_rule(context.db, agent.workspace_id, rule_id)
    except NotFound:
        raise HTTPException(404, "No such routing rule in your workspace.") from None
    return Response(status_code=204)
