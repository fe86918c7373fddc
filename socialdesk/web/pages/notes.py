"""Internal notes on the case page, and the Mentions page listing the notes that name the agent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.notes import MAX_NOTE, add_note, mark_mentions_read
from socialdesk.store.repos.approvals import pending_count
from socialdesk.store.repos.mentions import agent_mentions, unread_mention_count
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.context import AppContext
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent
from socialdesk.web.pages.cases import render_case
from socialdesk.web.templating import render, templates

router = APIRouter(include_in_schema=False)


def header_counts(request: Request, agent: Principal) -> dict[str, Any]:
    """The header's numbers for the signed-in agent: unread mentions, drafts waiting for approval."""
    context: AppContext = request.app.state.context
    with context.db.read() as session:
        return {
            "mentions": unread_mention_count(session, agent.workspace_id, agent.agent_id),
            "approvals": pending_count(session, agent.workspace_id),
        }


# base.html shows the counts on every page; the pages' own handlers need not know about them.
templates.env.globals["header_counts"] = header_counts


@router.post("/cases/{case_id}/notes", dependencies=[Depends(verify_csrf)])
def note(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    body: Annotated[str, Form(max_length=MAX_NOTE * 2)] = "",
) -> Response:
    try:
        added = add_note(context.db, agent.workspace_id, case_id, agent.agent_id, body)
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except InvalidAction as exc:  # empty or too long: the case page again, the text as typed
        error = f"The note was not saved: {exc}."
        return render_case(
            request, context, agent, case_id, note_error=error, note_draft=body, status_code=422
        )
    return RedirectResponse(f"/cases/{case_id}#note-{added.note_id}", status_code=303)


@router.get("/mentions")
def mentions_page(request: Request, context: Context, agent: PageAgent) -> Response:
    with context.db.read() as session:
        mentions = agent_mentions(session, agent.workspace_id, agent.agent_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(request, "mentions.html", {"agent": agent, "workspace": workspace, "mentions": mentions})


@router.post("/mentions/read", dependencies=[Depends(verify_csrf)])
def read_all(
    context: Context, agent: PageAgent, case_id: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    if case_id and not case_id.isdigit():
        raise HTTPException(422, "case_id must be a case number")
    mark_mentions_read(context.db, agent.workspace_id, agent.agent_id, int(case_id) if case_id else None)
    return RedirectResponse(f"/cases/{case_id}" if case_id else "/mentions", status_code=303)
