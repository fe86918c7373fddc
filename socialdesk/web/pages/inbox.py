"""The inbox: a workspace's cases, newest activity first, filtered by status, channel and team."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels import NETWORKS
from socialdesk.store.repos.cases import list_inbox
from socialdesk.store.repos.workspace import channel_options, team_options, workspace_name
from socialdesk.web.deps import PageAgent, ReadSession
from socialdesk.web.filters import STATUS_CHOICES, inbox_filter, next_cursor
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(agent: PageAgent) -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox")
def inbox(
    request: Request,
    agent: PageAgent,
    session: ReadSession,
    status: str | None = None,
    channel: str | None = None,
    team: str | None = None,
    network: str | None = None,
    before: str | None = None,
) -> Response:
    flt = inbox_filter(status, channel, team, network, before)
    rows = list_inbox(session, agent.workspace_id, flt)
    return render(
        request,
        "inbox.html",
        {
            "agent": agent,
            "workspace": workspace_name(session, agent.workspace_id),
            "rows": rows,
            "next_before": next_cursor(rows, flt.limit),
            "selected": {
                "status": status or "unresolved",
                "channel": channel or "",
                "team": team or "",
                "network": network or "",
            },
            "status_choices": STATUS_CHOICES,
            "channels": channel_options(session, agent.workspace_id),
            "teams": team_options(session, agent.workspace_id),
            "networks": NETWORKS.values(),
        },
    )
