"""Who works on what, from the browser: the header's online/away toggle, claim, assign and reassign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.assignment import MAX_NOTE, claim, reassign, set_presence
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent

router = APIRouter(include_in_schema=False)


def _back(next_url: str, fallback: str = "/inbox") -> str:
    # Only a path on this site: never an open redirect.
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else fallback


@router.post("/presence", dependencies=[Depends(verify_csrf)])
def presence(
    context: Context,
    agent: PageAgent,
    presence: Annotated[str, Form(max_length=16)],
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = "/inbox",
) -> Response:
    try:
        set_presence(context.db, agent.workspace_id, agent.agent_id, presence)
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(_back(next_url), status_code=303)


@router.post("/cases/{case_id}/claim", dependencies=[Depends(verify_csrf)])
def claim_case(context: Context, agent: PageAgent, case_id: int) -> Response:
    try:
        claim(context.db, agent.workspace_id, case_id, agent.agent_id)
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(f"/cases/{case_id}#assignment", status_code=303)


@router.post("/cases/{case_id}/assign", dependencies=[Depends(verify_csrf)])
def assign_case(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    assignee: Annotated[str, Form(max_length=20)] = "",
    team: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """`assignee`: an agent's id, or empty for the team's queue; `team`: move it to another team."""
    try:
        to_agent = _optional_id(assignee, "assignee")
        to_team = _optional_id(team, "team")
        reassign(
            context.db,
            agent.workspace_id,
            case_id,
            agent.agent_id,
            note,
            to_agent_id=to_agent,
            to_team_id=to_team,
        )
    except NotFound as exc:
        raise HTTPException(404, f"Not in your workspace: {exc}.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(f"/cases/{case_id}#assignment", status_code=303)


def _optional_id(value: str, name: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidAction(f"{name} must be an id")
    return int(value)
