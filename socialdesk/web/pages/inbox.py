"""The inbox: a workspace's cases, filtered and ordered by status, channel, team and triage."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels import NETWORKS
from socialdesk.core.types import Intent, Sentiment
from socialdesk.store.repos.cases import SORTS, list_inbox
from socialdesk.store.repos.workspace import channel_options, team_options, workspace_name
from socialdesk.web.deps import PageAgent, ReadSession
from socialdesk.web.filters import STATUS_CHOICES, has_next_page, inbox_filter
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
    sentiment: str | None = None,
    intent: str | None = None,
    language: str | None = None,
    place: str | None = None,
    min_urgency: str | None = None,
    sort: str | None = None,
    page: int = 1,
) -> Response:
    flt = inbox_filter(
        status,
        channel,
        team,
        network,
        sentiment=sentiment,
        intent=intent,
        language=language,
        place=place,
        min_urgency=min_urgency,
        sort=sort,
        page=page,
    )
    rows = list_inbox(session, agent.workspace_id, flt)
    selected = {
        "status": status or "unresolved",
        "channel": channel or "",
        "team": team or "",
        "network": network or "",
        "sentiment": sentiment or "",
        "intent": intent or "",
        "language": language or "",
        "place": place or "",
        "min_urgency": min_urgency or "",
        "sort": sort or "newest",
    }
    query = {k: v for k, v in selected.items() if v}
    return render(
        request,
        "inbox.html",
        {
            "agent": agent,
            "workspace": workspace_name(session, agent.workspace_id),
            "rows": rows,
            "page": flt.page,
            "next_page": urlencode({**query, "page": flt.page + 1})
            if has_next_page(rows, flt.limit)
            else None,
            "previous_page": urlencode({**query, "page": flt.page - 1}) if flt.page > 1 else None,
            "selected": selected,
            "status_choices": STATUS_CHOICES,
            "sorts": SORTS,
            "sentiments": [s.value for s in Sentiment],
            "intents": [i.value for i in Intent],
            "channels": channel_options(session, agent.workspace_id),
            "teams": team_options(session, agent.workspace_id),
            "networks": NETWORKS.values(),
        },
    )
