"""Live updates: the Server-Sent Events stream of the agent's workspace, and presence heartbeats.

GET /live streams the workspace's case and post events (with `?case=ID`: only that case's, its notes'
and reply drafts', and who else is viewing it or typing on it; with `?drafts=true`: the reply drafts'
events, for the approvals page). Each event carries the bus id as its SSE id; a browser that
reconnects sends it back as Last-Event-ID and gets what it missed, or a `resync` event when the bus
no longer has it. POST /live/presence is the case page's heartbeat ("viewing", "typing", "left").
See docs/live-updates.md.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from socialdesk.accounts.agents import Principal, principal_for_token
from socialdesk.bus import Event, MemoryBus, Presence
from socialdesk.bus.base import PRESENCE_CHANGED, PRESENCE_STATES
from socialdesk.config import Settings
from socialdesk.pipeline.approvals import is_supervisor
from socialdesk.pipeline.assignment import SEEN_EVERY, note_seen
from socialdesk.pipeline.change_feed import ChangeFeed
from socialdesk.pipeline.events import bus_for
from socialdesk.store.db import Database
from socialdesk.store.repos.changes import case_conversation
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, optional_page_principal
from socialdesk.web.live_hub import Beat, LiveHub
from socialdesk.web.templating import templates

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_bearer = HTTPBearer(auto_error=False)
REPLAY_LIMIT = 1000


def install(app: FastAPI, settings: Settings, db: Database) -> LiveHub:
    """Give the app its bus and hub; without Redis, also the database poll for other processes."""
    bus = bus_for(settings.redis_url.get_secret_value())
    feed = None
    if isinstance(bus, MemoryBus) and settings.live_poll_seconds > 0:
        feed = ChangeFeed(db, bus, settings.live_poll_seconds)
    hub = LiveHub(bus, feed)
    app.state.live_hub = hub
    app.state.live_settings = settings
    return hub


def live_cursor(request: Request) -> str:
    """For pages: the bus position they were rendered at, so their stream starts exactly there."""
    hub: LiveHub = request.app.state.live_hub
    try:
        return hub.bus.last_id()
    except Exception:  # the page still renders; its stream starts from "now" when the bus is back
        log.exception("live updates: the bus does not answer")
        return ""


templates.env.globals["live_cursor"] = live_cursor


def live_principal(
    context: Context,
    page: Annotated[Principal | None, Depends(optional_page_principal)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """A signed-in browser or an API token; a stream answers 401 rather than a login page."""
    if page is not None:
        return page
    if credentials is not None:
        with context.db.read() as session:
            principal = principal_for_token(session, context.signing_key, credentials.credentials)
        if principal is not None:
            return principal
    raise HTTPException(401, "Sign in, or send an API token (Authorization: Bearer <token>).")


LiveAgent = Annotated[Principal, Depends(live_principal)]


def _frame(event: Event) -> str:
    payload = json.dumps({"name": event.name, "workspace_id": event.workspace_id, **event.data})
    head = f"id: {event.id}\n" if event.id else ""
    return f"{head}event: {event.name}\ndata: {payload}\n\n"


def _presence_frame(presence: Presence) -> str:
    return _frame(Event(PRESENCE_CHANGED, presence.workspace_id, _presence_data(presence)))


def _presence_data(presence: Presence) -> dict[str, str | int | float]:
    return {
        "case_id": presence.case_id,
        "agent_id": presence.agent_id,
        "agent_name": presence.agent_name,
        "state": presence.state,
        "ttl": max(0.0, round(presence.expires_at - time.time(), 1)),  # seconds left
    }


class _Scope:
    """Which of the workspace's events a stream shows."""

    def __init__(
        self,
        case_id: int | None,
        conversation_id: int | None,
        drafts: bool = False,
        author_id: int | None = None,
    ) -> None:
        self.case_id = case_id
        self.conversation_id = conversation_id
        self.drafts = drafts
        self.author_id = author_id  # the drafts of this agent only (one who does not review drafts)

    def wants(self, event: Event) -> bool:
        if self.case_id is None and self.drafts:
            mine = self.author_id is None or event.data.get("agent_id") == self.author_id
            return event.name.startswith("draft.") and mine
        if self.case_id is None:
            return event.name.startswith(("case.", "post."))
        data = event.data
        return data.get("case_id") == self.case_id or (
            data.get("conversation_id") == self.conversation_id and event.name.startswith("post.")
        )


@router.get("/live")
async def live(
    request: Request,
    context: Context,
    agent: LiveAgent,
    case: Annotated[int | None, Query(ge=1, description="Only this case's events.")] = None,
    drafts: Annotated[bool, Query(description="The reply drafts' events (without `case`).")] = False,
    last_event_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    hub: LiveHub = request.app.state.live_hub
    settings: Settings = request.app.state.live_settings
    conversation_id = None
    if case is not None:
        conversation_id = await run_in_threadpool(_conversation, context.db, agent.workspace_id, case)
        if conversation_id is None:
            raise HTTPException(404, "There is no such case in your workspace.")
    cursor = request.headers.get("last-event-id") or last_event_id
    if cursor is not None and len(cursor) > 64:
        raise HTTPException(422, "Last-Event-ID is too long to be one of ours.")
    if drafts and case is not None:
        raise HTTPException(422, "Ask for one case's events or for the drafts', not both.")
    # A trainee's Approvals page lists their own drafts: it hears of theirs, not of everybody's.
    author = None if is_supervisor(agent.role) else agent.agent_id
    scope = _Scope(case, conversation_id, drafts, author)
    seen = _Seen(context.db, agent.workspace_id, agent.agent_id)
    return StreamingResponse(
        _stream(hub, agent.workspace_id, scope, cursor, settings, seen),
        media_type="text/event-stream",
        headers={"x-accel-buffering": "no"},
    )


def _conversation(db: Database, workspace_id: int, case_id: int) -> int | None:
    with db.read() as session:
        return case_conversation(session, workspace_id, case_id)


class _Seen:
    """Tells assignment that the agent still has a page open, at most once per SEEN_EVERY."""

    def __init__(self, db: Database, workspace_id: int, agent_id: int) -> None:
        self.db, self.workspace_id, self.agent_id = db, workspace_id, agent_id
        self.last = 0.0

    async def touch(self) -> None:
        if time.monotonic() - self.last < SEEN_EVERY.total_seconds():
            return
        self.last = time.monotonic()
        try:
            await run_in_threadpool(note_seen, self.db, self.workspace_id, self.agent_id)
        except Exception:  # a busy database must not end the agent's stream; next minute tries again
            log.warning("could not note that agent %s is still here", self.agent_id, exc_info=True)


async def _stream(
    hub: LiveHub,
    workspace_id: int,
    scope: _Scope,
    cursor: str | None,
    settings: Settings,
    seen: _Seen,
) -> AsyncIterator[str]:
    # Subscribed before the replay is read, so that nothing falls between the two (ids dedupe).
    subscription = hub.subscribe(workspace_id)
    beat = Beat(settings.live_heartbeat_seconds)
    try:
        await seen.touch()
        yield "retry: 2000\n\n"
        sent: set[str] = set()
        if cursor:
            batch = await run_in_threadpool(hub.bus.read, cursor, 0.0, REPLAY_LIMIT)
            if batch.gap or len(batch.events) >= REPLAY_LIMIT:
                yield await _resync(hub)
            else:
                for event in batch.events:
                    sent.add(event.id)
                    if scope.wants(event) and event.workspace_id == subscription.workspace_id:
                        yield _frame(event)
        else:
            yield f"id: {await run_in_threadpool(hub.bus.last_id)}\nevent: hello\ndata: {{}}\n\n"
        if scope.case_id is not None:
            here = await run_in_threadpool(hub.bus.presence, subscription.workspace_id, scope.case_id)
            for presence in here:
                yield _presence_frame(presence)
        while True:
            if subscription.fell_behind():
                yield await _resync(hub)
                continue
            arrived = await beat.next_event(subscription)
            if arrived is None:
                await seen.touch()
                yield ": keep-alive\n\n"
                continue
            if arrived.id in sent:
                sent.discard(arrived.id)
                continue
            if scope.wants(arrived):
                yield _frame(arrived)
    finally:
        hub.unsubscribe(subscription)


async def _resync(hub: LiveHub) -> str:
    """Tell the page to reload what it shows; the id moves its cursor past the gap."""
    return f"id: {await run_in_threadpool(hub.bus.last_id)}\nevent: resync\ndata: {{}}\n\n"


@router.post("/live/presence", status_code=204, dependencies=[Depends(verify_csrf)])
def presence(
    request: Request,
    context: Context,
    agent: LiveAgent,
    case_id: Annotated[int, Form(ge=1)],
    state: Annotated[str, Form(max_length=16)],
) -> Response:
    """The case page's heartbeat: renews the agent's presence for the TTL and tells the others."""
    if state not in PRESENCE_STATES:
        raise HTTPException(422, f"state must be one of {', '.join(PRESENCE_STATES)}")
    with context.db.read() as session:
        if case_conversation(session, agent.workspace_id, case_id) is None:
            raise HTTPException(404, "There is no such case in your workspace.")
    hub: LiveHub = request.app.state.live_hub
    settings: Settings = request.app.state.live_settings
    expires = time.time() + settings.presence_ttl_seconds
    here = Presence(agent.workspace_id, case_id, agent.agent_id, agent.name, state, expires)
    try:
        hub.bus.set_presence(here)
        hub.bus.publish(Event(PRESENCE_CHANGED, agent.workspace_id, _presence_data(here)))
    except Exception:
        log.exception("live updates: presence could not be recorded")
        raise HTTPException(
            503, "Live updates are unavailable right now; the page works without them."
        ) from None
    return Response(status_code=204)
