"""Settings → Teams (skills, assignment mode, hours, holidays, agents' capacity) and Settings → SLA."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import Priority
from socialdesk.pipeline.assignment import set_capacity
from socialdesk.pipeline.team_settings import PolicyInput, TeamSettings, save_policies, update_team
from socialdesk.routing.assignment import AssignmentMode
from socialdesk.routing.sla import hours_text
from socialdesk.store.repos.teams import attainment_summary, list_policies, list_teams
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, require_admin
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_FIELD = 4000
_DONE = {"team": "Team saved.", "capacity": "Capacity saved.", "sla": "SLA policies saved."}


def admin(agent: PageAgent) -> Principal:
    return require_admin(agent, "Only admins change teams and SLA policies.")


Admin = Annotated[Principal, Depends(admin)]


def _teams_page(
    request: Request,
    context: Context,
    agent: Principal,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        teams = list_teams(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "settings/teams.html",
        {
            "agent": agent,
            "workspace": workspace,
            "teams": teams,
            "hours_text": {t.id: hours_text(t.business_hours) for t in teams},
            "modes": [m.value for m in AssignmentMode],
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/settings/teams")
def teams_page(request: Request, context: Context, agent: Admin, done: str | None = None) -> Response:
    return _teams_page(request, context, agent, notice=_DONE.get(done or ""))


@router.post("/settings/teams/{team_id}", dependencies=[Depends(verify_csrf)])
def save_team(
    request: Request,
    context: Context,
    agent: Admin,
    team_id: int,
    languages: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    regions: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    products: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    assignment_mode: Annotated[str, Form(max_length=32)] = "manual",
    time_zone: Annotated[str, Form(max_length=64)] = "UTC",
    hours: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    holidays: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    settings = TeamSettings(languages, regions, products, assignment_mode, time_zone, hours, holidays)
    try:
        update_team(context.db, agent.workspace_id, team_id, settings)
    except NotFound:
        raise HTTPException(404, "There is no such team in your workspace.") from None
    except InvalidAction as exc:
        return _teams_page(request, context, agent, error=str(exc), status_code=422)
    return RedirectResponse(f"/settings/teams?done=team#team-{team_id}", status_code=303)


@router.post("/settings/agents/{agent_id}/capacity", dependencies=[Depends(verify_csrf)])
def save_capacity(
    request: Request,
    context: Context,
    agent: Admin,
    agent_id: int,
    max_open_cases: Annotated[str, Form(max_length=8)],
) -> Response:
    try:
        set_capacity(context.db, agent.workspace_id, agent_id, _number(max_open_cases, "capacity"))
    except NotFound:
        raise HTTPException(404, "There is no such agent in your workspace.") from None
    except InvalidAction as exc:
        return _teams_page(request, context, agent, error=str(exc), status_code=422)
    return RedirectResponse("/settings/teams?done=capacity", status_code=303)


def _number(value: str, name: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidAction(f"{name} must be a whole number") from None


def _sla_page(
    request: Request,
    context: Context,
    agent: Principal,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        policies = list_policies(session, agent.workspace_id)
        summary = attainment_summary(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "settings/sla.html",
        {
            "agent": agent,
            "workspace": workspace,
            "policies": policies,
            "summary": summary,
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/settings/sla")
def sla_page(request: Request, context: Context, agent: Admin, done: str | None = None) -> Response:
    return _sla_page(request, context, agent, notice=_DONE.get(done or ""))


def policies_from_form(form: FormData) -> list[PolicyInput]:
    """`{priority}.first_response` etc. for each priority in the form."""
    values = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 16}
    policies = []
    for priority in Priority:
        if f"{priority.value}.first_response" not in values:
            continue
        minutes = [
            _number(
                values.get(f"{priority.value}.{field}", ""), f"{priority.value} {field.replace('_', ' ')}"
            )
            for field in ("first_response", "next_response", "resolution")
        ]
        business = values.get(f"{priority.value}.business_hours") == "on"
        first, following, resolution = minutes
        policies.append(PolicyInput(priority.value, first, following, resolution, business))
    if not policies:
        raise InvalidAction("the form has no policy in it")
    return policies


@router.post("/settings/sla", dependencies=[Depends(verify_csrf)])
async def save_sla(request: Request, context: Context, agent: Admin) -> Response:
    form = await request.form()
    try:
        await run_in_threadpool(save_policies, context.db, agent.workspace_id, policies_from_form(form))
    except InvalidAction as exc:
        return _sla_page(request, context, agent, error=str(exc), status_code=422)
    return RedirectResponse("/settings/sla?done=sla", status_code=303)
