"""Assignment, presence, teams and SLA policies over the API: the same operations as the pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.assignment import MAX_CAPACITY, MAX_NOTE, claim, reassign, set_capacity, set_presence
from socialdesk.pipeline.team_settings import PolicyInput, TeamSettings, save_policies, update_team
from socialdesk.routing.sla import hours_text
from socialdesk.store.repos.teams import (
    AssignmentPanel,
    PolicyView,
    assignment_panel,
    attainment_summary,
    list_policies,
    list_teams,
)
from socialdesk.web.deps import ApiAgent, Context, require_admin

router = APIRouter(prefix="/api/v1", tags=["assignment"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in the caller's workspace."}}


class AssignIn(BaseModel):
    agent_id: int | None = Field(None, description="The new assignee; null gives the case back to the queue.")
    team_id: int | None = Field(None, description="Move the case to this team as well.")
    note: str = Field("", max_length=MAX_NOTE, description="Why: kept as an internal note on the case.")


class PresenceIn(BaseModel):
    presence: Literal["online", "away", "offline"]


class CapacityIn(BaseModel):
    max_open_cases: int = Field(ge=0, le=MAX_CAPACITY)


class TeamIn(BaseModel):
    languages: str = Field("", max_length=200, description="ISO 639-1 codes, space-separated.")
    regions: str = Field("", max_length=200, description="ISO country codes, space-separated.")
    products: str = Field("", max_length=1000, description="Topic names, comma-separated.")
    assignment_mode: Literal["manual", "round_robin", "least_load"] = "manual"
    time_zone: str = Field("UTC", max_length=64, description="IANA time zone of the hours.")
    hours: str = Field("", max_length=4000, description='One weekday a line: "mon 09:00-17:00"; empty: 24/7.')
    holidays: str = Field("", max_length=4000, description='One date a line: "2026-12-25 Christmas".')


class PolicyIn(BaseModel):
    priority: Literal["low", "normal", "high", "urgent"]
    first_response_minutes: int = Field(gt=0)
    next_response_minutes: int = Field(gt=0)
    resolution_minutes: int = Field(gt=0)
    business_hours: bool = False


def _admin(agent: ApiAgent) -> Principal:
    return require_admin(agent, "Only admins change teams, capacity and SLA policies.")


ApiAdmin = Annotated[Principal, Depends(_admin)]


def _panel(context: Context, workspace_id: int, case_id: int) -> AssignmentPanel:
    with context.db.read() as session:
        panel = assignment_panel(session, workspace_id, case_id)
    if panel is None:
        raise HTTPException(404, "No such case in your workspace.")
    return panel


@router.get("/cases/{case_id}/assignment", response_model=AssignmentPanel, responses=_NOT_FOUND)
def read_assignment(case_id: int, agent: ApiAgent, context: Context) -> AssignmentPanel:
    """Who has the case, its team, and the agents it could go to (with their load)."""
    return _panel(context, agent.workspace_id, case_id)


@router.post("/cases/{case_id}/claim", response_model=AssignmentPanel, responses=_NOT_FOUND)
def claim_case(case_id: int, agent: ApiAgent, context: Context) -> AssignmentPanel:
    """Take an unassigned case; 409 when another agent has it."""
    try:
        claim(context.db, agent.workspace_id, case_id, agent.agent_id)
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(409, str(exc)) from None
    return _panel(context, agent.workspace_id, case_id)


@router.post("/cases/{case_id}/assignment", response_model=AssignmentPanel, responses=_NOT_FOUND)
def assign_case(case_id: int, body: AssignIn, agent: ApiAgent, context: Context) -> AssignmentPanel:
    """Reassign to an agent, or back to the (possibly another) team's queue, with a note."""
    try:
        reassign(
            context.db,
            agent.workspace_id,
            case_id,
            agent.agent_id,
            body.note,
            to_agent_id=body.agent_id,
            to_team_id=body.team_id,
        )
    except NotFound as exc:
        raise HTTPException(404, f"Not in your workspace: {exc}.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _panel(context, agent.workspace_id, case_id)


@router.put("/me/presence")
def put_presence(body: PresenceIn, agent: ApiAgent, context: Context) -> dict[str, Any]:
    """Online agents get new cases of auto-assigning teams; coming online takes waiting ones."""
    given = set_presence(context.db, agent.workspace_id, agent.agent_id, body.presence)
    return {"presence": body.presence, "assigned_case_ids": [a.case_id for a in given]}


@router.put("/agents/{agent_id}/capacity", responses=_NOT_FOUND)
def put_capacity(agent_id: int, body: CapacityIn, agent: ApiAdmin, context: Context) -> dict[str, Any]:
    try:
        given = set_capacity(context.db, agent.workspace_id, agent_id, body.max_open_cases)
    except NotFound:
        raise HTTPException(404, "No such agent in your workspace.") from None
    return {"max_open_cases": body.max_open_cases, "assigned_case_ids": [a.case_id for a in given]}


@router.get("/teams")
def get_teams(agent: ApiAgent, context: Context) -> list[dict[str, Any]]:
    """Teams with skills, mode, hours, holidays and members' presence and load."""
    with context.db.read() as session:
        teams = list_teams(session, agent.workspace_id)
    return [
        {
            "id": t.id,
            "name": t.name,
            "is_default": t.is_default,
            "languages": t.languages,
            "regions": t.regions,
            "products": t.products,
            "assignment_mode": t.assignment_mode,
            "time_zone": t.time_zone,
            "hours": hours_text(t.business_hours),
            "holidays": [{"day": d.isoformat(), "name": n} for d, n in t.holidays],
            "members": [
                {
                    "agent_id": m.agent_id,
                    "name": m.name,
                    "presence": m.presence,
                    "open_cases": m.open_cases,
                    "max_open_cases": m.max_open_cases,
                }
                for m in t.members
            ],
        }
        for t in teams
    ]


@router.put("/teams/{team_id}", responses=_NOT_FOUND)
def put_team(team_id: int, body: TeamIn, agent: ApiAdmin, context: Context) -> list[dict[str, Any]]:
    try:
        update_team(context.db, agent.workspace_id, team_id, TeamSettings(**body.model_dump()))
    except NotFound:
        raise HTTPException(404, "No such team in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return [t for t in get_teams(agent, context) if t["id"] == team_id]


@router.get("/sla/policies", response_model=list[PolicyView])
def get_policies(agent: ApiAgent, context: Context) -> list[PolicyView]:
    with context.db.read() as session:
        return list_policies(session, agent.workspace_id)


@router.put("/sla/policies", response_model=list[PolicyView])
def put_policies(body: list[PolicyIn], agent: ApiAdmin, context: Context) -> list[PolicyView]:
    """Set the policies of the priorities given (the others keep theirs)."""
    try:
        save_policies(context.db, agent.workspace_id, [PolicyInput(**p.model_dump()) for p in body])
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return get_policies(agent, context)


@router.get("/sla/attainment")
def get_attainment(agent: ApiAgent, context: Context) -> dict[str, dict[str, int]]:
    """Promises recorded, met and breached per target (first response, next response, resolution)."""
    with context.db.read() as session:
        return attainment_summary(session, agent.workspace_id)
