"""Settings → Routing rules: the workspace's rules in order, their form, and the dry-run.

Every agent may read the rules and try a sample post; only admins change them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialdesk.accounts.agents import Principal
from socialdesk.channels import NETWORKS
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import Priority
from socialdesk.pipeline.routing_rules import (
    create_rule,
    delete_rule,
    move_rule,
    set_rule_enabled,
    update_rule,
)
from socialdesk.pipeline.rule_dry_runs import DryRun, dry_run
from socialdesk.routing.rule_specs import (
    ACTION_TYPES,
    CHOICES,
    FIELDS,
    OPS,
    OPS_BY_KIND,
    TEMPLATE_VARIABLES,
    Condition,
)
from socialdesk.store.repos.rules import agent_names, agent_options, get_rule, list_rules, team_names
from socialdesk.store.repos.workspace import team_options, workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, require_admin
from socialdesk.web.rule_forms import form_rows, rule_from_form
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_FIELD = 5000
_DONE = {
    "created": "Rule created.",
    "saved": "Rule saved.",
    "deleted": "Rule deleted.",
    "enabled": "Rule enabled.",
    "disabled": "Rule disabled.",
    "moved": "Rule moved.",
}
ACTION_LABELS = {
    "set_team": "Set team",
    "set_priority": "Set priority",
    "add_tags": "Add tags",
    "assign": "Assign to",
    "auto_acknowledge": "Acknowledge automatically",
    "escalate": "Escalate (urgent + escalated)",
    "mark_spam": "Mark as spam",
}


def admin(agent: PageAgent) -> Principal:
    return require_admin(agent, "Only admins change routing rules.")


Admin = Annotated[Principal, Depends(admin)]


def describe_action(action: dict[str, Any], teams: dict[int, str], agents: dict[int, str]) -> str:
    kind = str(action.get("type", ""))
    if kind == "set_team":
        return f"team → {teams.get(int(action['team_id']), 'a deleted team')}"
    if kind == "set_priority":
        return f"priority → {action['priority']}"
    if kind == "add_tags":
        return "tags + " + ", ".join(action["tags"])
    if kind == "assign":
        return f"assign → {agents.get(int(action['agent_id']), 'a removed agent')}"
    if kind == "auto_acknowledge":
        return f"acknowledge: “{action['text']}”"
    return ACTION_LABELS.get(kind, kind).lower()


def describe_condition(data: dict[str, Any]) -> str:
    try:
        return str(Condition.model_validate(data).describe())
    except ValueError:
        return f"{data.get('field')} {data.get('op')} {data.get('value')} (no longer valid)"


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= MAX_FIELD}


def _list_page(
    request: Request,
    context: Context,
    agent: Principal,
    *,
    notice: str | None = None,
    error: str | None = None,
    trial: DryRun | None = None,
    sample: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        rules = list_rules(session, agent.workspace_id)
        teams = team_names(session, agent.workspace_id)
        agents = agent_names(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "rules.html",
        {
            "agent": agent,
            "workspace": workspace,
            "rules": [
                {
                    "rule": r,
                    "conditions": [describe_condition(c) for c in r.conditions],
                    "actions": [describe_action(a, teams, agents) for a in r.actions],
                }
                for r in rules
            ],
            "notice": notice,
            "error": error,
            "trial": trial,
            "trial_actions": {
                result.rule.id: [
                    describe_action(a.model_dump(mode="json"), teams, agents)
                    for a in result.rule.spec.actions
                ]
                for result in (trial.evaluation.results if trial else ())
            },
            "teams": teams,
            "agents": agents,
            "sample": sample or {"network": "x"},
            "networks": list(NETWORKS.values()),
        },
        status_code=status_code,
    )


def _edit_page(
    request: Request,
    context: Context,
    agent: Principal,
    rule_id: int | None,
    data: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        teams = team_options(session, agent.workspace_id)
        agents = agent_options(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "rule_edit.html",
        {
            "agent": agent,
            "workspace": workspace,
            "rule_id": rule_id,
            "form": form_rows(data),
            "error": error,
            "fields": FIELDS,
            "ops": OPS,
            "ops_by_field": {name: OPS_BY_KIND[kind] for name, (kind, _) in FIELDS.items()},
            "choices": CHOICES,
            "action_types": ACTION_TYPES,
            "action_labels": ACTION_LABELS,
            "priorities": [p.value for p in Priority],
            "teams": teams,
            "agents": agents,
            "variables": TEMPLATE_VARIABLES,
        },
        status_code=status_code,
    )


@router.get("/settings/rules")
def rules_page(request: Request, context: Context, agent: PageAgent, done: str | None = None) -> Response:
    return _list_page(request, context, agent, notice=_DONE.get(done or ""))


@router.post("/settings/rules/dry-run", dependencies=[Depends(verify_csrf)])
async def try_rules(request: Request, context: Context, agent: PageAgent) -> Response:
    fields = await _fields(request)
    sample = {k: fields.get(k, "") for k in ("text", "network", "customer_handle")}
    try:
        trial = await run_in_threadpool(
            dry_run,
            context.db,
            agent.workspace_id,
            sample["text"],
            sample["network"],
            sample["customer_handle"] or None,
            fields.get("private") == "on",
        )
    except InvalidAction as exc:
        return _list_page(request, context, agent, error=str(exc), sample=sample, status_code=422)
    return _list_page(request, context, agent, trial=trial, sample=sample)


@router.get("/settings/rules/new")
def new_rule(request: Request, context: Context, agent: Admin) -> Response:
    return _edit_page(request, context, agent, None, {"conditions": [], "actions": []})


@router.post("/settings/rules/new", dependencies=[Depends(verify_csrf)])
async def add(request: Request, context: Context, agent: Admin) -> Response:
    data = rule_from_form(await _fields(request))
    try:
        create_rule(context.db, agent.workspace_id, agent.agent_id, data)
    except InvalidAction as exc:
        return _edit_page(request, context, agent, None, data, error=str(exc), status_code=422)
    return RedirectResponse("/settings/rules?done=created", status_code=303)


def _own(context: Context, agent: Principal, rule_id: int) -> dict[str, Any]:
    with context.db.read() as session:
        rule = get_rule(session, agent.workspace_id, rule_id)
    if rule is None:
        raise HTTPException(404, "There is no such routing rule in your workspace.")
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "match": rule.match,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "stop": rule.stop,
    }


@router.get("/settings/rules/{rule_id}")
def edit_rule(request: Request, context: Context, agent: Admin, rule_id: int) -> Response:
    return _edit_page(request, context, agent, rule_id, _own(context, agent, rule_id))


@router.post("/settings/rules/{rule_id}", dependencies=[Depends(verify_csrf)])
async def save(request: Request, context: Context, agent: Admin, rule_id: int) -> Response:
    _own(context, agent, rule_id)
    data = rule_from_form(await _fields(request))
    try:
        update_rule(context.db, agent.workspace_id, rule_id, agent.agent_id, data)
    except InvalidAction as exc:
        return _edit_page(request, context, agent, rule_id, data, error=str(exc), status_code=422)
    return RedirectResponse("/settings/rules?done=saved", status_code=303)


@router.post("/settings/rules/{rule_id}/{change}", dependencies=[Depends(verify_csrf)])
def change(context: Context, agent: Admin, rule_id: int, change: str) -> Response:
    try:
        if change in ("enable", "disable"):
            set_rule_enabled(context.db, agent.workspace_id, rule_id, agent.agent_id, change == "enable")
            done = f"{change}d"
        elif change in ("up", "down"):
            move_rule(context.db, agent.workspace_id, rule_id, "up" if change == "up" else "down")
            done = "moved"
        elif change == "delete":
            delete_rule(context.db, agent.workspace_id, rule_id)
            done = "deleted"
        else:
            raise HTTPException(404, "Unknown change to a rule.")
    except NotFound:
        raise HTTPException(404, "There is no such routing rule in your workspace.") from None
    return RedirectResponse(f"/settings/rules?done={done}#rule-{rule_id}", status_code=303)
