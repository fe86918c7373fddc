"""Webhook endpoints, `/hooks/<network>/<channel-id>`: thin, and in this order.

size limit (413) → the channel (404) → handshake answered (X's CRC, Meta's subscription check) →
constant-time signature check (401) → parse (400 for a body not in the network's format) → durable
accept (the posts are stored before we answer 200) → 200. Triage runs later, in the worker. A failure
of ours is a 503, which networks retry; nothing here answers 500 for what the sender did.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.base import HookRequest
from socialdesk.core.errors import ChannelError, NotFound, PayloadError, SignatureError
from socialdesk.pipeline.channel_accounts import ARCHIVE, load_account
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.web.context import AppContext

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"The body is larger than {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"The body is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


@router.api_route("/hooks/{network}/{channel_id}", methods=["GET", "POST"])
async def hook(network: str, channel_id: str, request: Request) -> Response:
    context: AppContext = request.app.state.context
    body = await _body(request, context.settings.hook_max_bytes)
    if network not in NETWORKS or not channel_id.isdigit():
        raise HTTPException(404, "No such webhook.")
    delivery = HookRequest(
        method=request.method,
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params),
        body=body,
    )
    return await run_in_threadpool(_handle, context, network, int(channel_id), delivery)


def _handle(context: AppContext, network: str, channel_id: int, delivery: HookRequest) -> Response:
    if context.vault is None:
        raise HTTPException(503, "Channels are not configured on this server (SOCIALDESK_CREDENTIALS_KEY).")
    try:
        channel = load_account(context.db, context.vault, channel_id)
    except NotFound as exc:
        raise HTTPException(404, "No such webhook.") from exc
    except ChannelError as exc:
        log.error("webhook for channel %s: %s", channel_id, exc)
        raise HTTPException(503, "This channel's credentials cannot be read.") from exc
    if channel.network != network or channel.status == ARCHIVE:
        raise HTTPException(404, "No such webhook.")
    hooks = connector(network)
    try:
        reply = hooks.handshake(delivery, channel.account)
        if reply is not None:
            return Response(reply.body, status_code=reply.status, media_type=reply.media_type)
        if delivery.method != "POST":
            raise HTTPException(405, "Deliveries are POSTed.")
        hooks.verify(delivery, channel.account)
        events = hooks.parse(delivery.body, channel.account)
    except SignatureError as exc:
        log.warning("webhook for channel %s refused: %s", channel_id, exc)
        return PlainTextResponse(f"Signature check failed: {exc}", status_code=401)
    except PayloadError as exc:
        return PlainTextResponse(f"Malformed payload: {exc}", status_code=400)
    # Stored before we answer: a network that gets no 200 sends the delivery again, and ingest is
    # idempotent, so a failure here loses nothing.
    results = ingest_posts(context.db, channel.workspace_id, events)
    failed = [r.reason for r in results if r.outcome is Outcome.FAILED]
    if failed:
        raise HTTPException(503, f"{len(failed)} post(s) could not be stored; send them again.")
    counts: dict[str, Any] = {}
    for result in results:
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    return JSONResponse({"received": len(events), **counts})
