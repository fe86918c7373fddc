"""GET /private/<link>/live: the customer's private page hears when its conversation changes.

A Server-Sent Events stream for one signed-in customer: an event `changed` (with no data: nothing
internal, not even an id, reaches the customer) whenever a post of their private conversation is
stored or changes (their own message, an agent's reply being delivered). The page then fetches the
conversation (`/private/<link>/messages`), which decides what it may show. On every connection the
page fetches once anyway, so nothing missed while it was away is lost; there is no replay.

The link and the session are checked again at every heartbeat: an expired session or a sign-out ends
the stream within `SOCIALDESK_LIVE_HEARTBEAT_SECONDS`, a withdrawn link at once (its event), and the
page's next fetch shows why.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from socialdesk.bus.base import HANDOFF_WITHDRAWN
from socialdesk.config import Settings
from socialdesk.pipeline.handoff_links import LinkRefused
from socialdesk.pipeline.handoffs import OpenedLink, open_link
from socialdesk.pipeline.sign_in_codes import customer_session
from socialdesk.store.db import Database
from socialdesk.store.repos.handoffs import private_conversation_id
from socialdesk.web.deps import Context
from socialdesk.web.live_hub import Beat, LiveHub
from socialdesk.web.pages.private import COOKIE

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
CHANGED = "event: changed\ndata: {}\n\n"


def _admitted(db: Database, key: bytes, token: str, secret: str) -> tuple[OpenedLink, int | None] | None:
    """The link and its conversation, while the link opens and the session is this link's."""
    try:
        link = open_link(db, key, token)
    except LinkRefused:
        return None
    if customer_session(db, key, secret, link.handoff_id) is None:
        return None
    with db.read() as session:
        return link, private_conversation_id(session, link.workspace_id, link.handoff_id)


@router.get("/private/{token}/live")
async def private_live(request: Request, context: Context, token: str) -> Response:
    secret = request.cookies.get(COOKIE, "")
    admitted = await run_in_threadpool(_admitted, context.db, context.signing_key, token, secret)
    if admitted is None:
        raise HTTPException(401, "Please sign in again.")
    link, conversation_id = admitted
    hub: LiveHub = request.app.state.live_hub
    settings: Settings = request.app.state.live_settings
    return StreamingResponse(
        _stream(hub, settings, context.db, context.signing_key, token, secret, link, conversation_id),
        media_type="text/event-stream",
        headers={"x-accel-buffering": "no", "cache-control": "no-store"},
    )


async def _stream(
    hub: LiveHub,
    settings: Settings,
    db: Database,
    key: bytes,
    token: str,
    secret: str,
    link: OpenedLink,
    conversation_id: int | None,
) -> AsyncIterator[str]:
    subscription = hub.subscribe(link.workspace_id)
    beat = Beat(settings.live_heartbeat_seconds)
    try:
        # Once more now that it listens: a withdrawal between the first check and the subscription
        # would otherwise go unheard.
        if await run_in_threadpool(_admitted, db, key, token, secret) is None:
            return
        yield "retry: 3000\n\n"
        while True:
            if subscription.fell_behind():
                yield CHANGED
                continue
            event = await beat.next_event(subscription)
            if event is None:
                admitted = await run_in_threadpool(_admitted, db, key, token, secret)
                if admitted is None:
                    return  # withdrawn, expired or signed out: the page's next fetch says which
                # the customer's first message makes the conversation: follow it from then on
                conversation_id = admitted[1]
                yield ": keep-alive\n\n"
                continue
            if event.name == HANDOFF_WITHDRAWN and event.data.get("handoff_id") == link.handoff_id:
                return
            ours = conversation_id is not None and event.data.get("conversation_id") == conversation_id
            if ours and event.name.startswith("post."):
                yield CHANGED
    finally:
        hub.unsubscribe(subscription)
