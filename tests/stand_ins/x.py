"""A stand-in for X API v2: the endpoints the X connector calls, answering in X's documented shapes.

It holds the brand's mentions, search hits, DM events and own posts, pages them newest first with
`meta.next_token` as X does, checks the bearer token each endpoint needs (user token or app-only),
refuses duplicate posts with X's 403, and serves the filtered stream from scripted sessions (lines,
keep-alives, a drop).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.stand_ins.server import StandIn

X_EPOCH_MS = 1288834974657
DROP = "<drop the connection>"  # a stream session item: break the connection mid-stream
BRAND_ID = "1354201776402341890"  # @AcmeHelp, the brand's account
ANA = "1589934712345678848"  # @ana_lisboa, a customer
LEA = "1702345678901234567"  # @lea_mrtn, another
# The app's consumer secret: it signs Account Activity webhooks, which the tests sign themselves.
CONSUMER_SECRET = "consumer-secret-for-tests"


def snowflake(moment: datetime | None = None, sequence: int = 0) -> str:
    """An X id for `moment` (now by default): ids grow with time, as X's do."""
    ms = int((moment or datetime.now(UTC)).timestamp() * 1000)
    return str(((ms - X_EPOCH_MS) << 22) | (sequence & 0x3FFFFF))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> JSONResponse:
    return JSONResponse(
        {"title": title, "detail": detail, "type": kind, "status": status}, status_code=status
    )


@dataclass
class XStandIn(StandIn):
    brand_id: str = BRAND_ID
    brand_username: str = "AcmeHelp"
    user_token: str = "user-token"
    app_token: str = "app-token"
    mentions: list[dict[str, Any]] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)
    dm_events: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)  # the brand's own posts
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    stream_sessions: list[list[str]] = field(default_factory=list)
    likes: list[str] = field(default_factory=list)
    hidden: dict[str, bool] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    page_size: int | None = None  # smaller pages than asked for, to make the connector paginate
    base: str = ""  # where it is served, once it is

    def __post_init__(self) -> None:
        super().__init__()
        self._sequence = itertools.count(1)

    # --- what tests put in -------------------------------------------------------------------

    def add_user(self, user_id: str, username: str, name: str | None = None, followers: int = 10) -> None:
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": name or username,
            "public_metrics": {"followers_count": followers},
        }

    def post(
        self, text: str, author_id: str, reply_to: str | None = None, when: datetime | None = None
    ) -> dict[str, Any]:
        """A post as X would return it, with a fresh id (not yet in any list)."""
        moment = when or datetime.now(UTC)
        post_id = snowflake(moment, next(self._sequence))
        item: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "author_id": author_id,
            "created_at": iso(moment),
            "conversation_id": post_id,
            "edit_history_tweet_ids": [post_id],
            "lang": "en",
        }
        if reply_to:
            item["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            item["conversation_id"] = reply_to
        return item

    def dm(
        self, text: str, sender_id: str, conversation: str, when: datetime | None = None
    ) -> dict[str, Any]:
        moment = when or datetime.now(UTC)
        return {
            "id": snowflake(moment, next(self._sequence)),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": sender_id,
            "dm_conversation_id": conversation,
            "created_at": iso(moment),
        }

    # --- the app -----------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2/users/me", self._me, methods=["GET"]),
                Route("/2/users/{id}/mentions", self._mentions, methods=["GET"]),
                Route("/2/users/{id}/tweets", self._user_tweets, methods=["GET"]),
                Route("/2/users/{id}/likes", self._like, methods=["POST"]),
                Route("/2/tweets/search/recent", self._search, methods=["GET"]),
                Route("/2/tweets/search/stream", self._stream, methods=["GET"]),
                Route("/2/tweets", self._create, methods=["POST"]),
                Route("/2/tweets/{id}/hidden", self._hide, methods=["PUT"]),
                Route("/2/tweets/{id}", self._delete, methods=["DELETE"]),
                Route("/2/tweets/{id}", self._lookup, methods=["GET"]),
                Route("/2/dm_events", self._dm_events, methods=["GET"]),
                Route("/2/dm_conversations/with/{participant}/messages", self._dm_with, methods=["POST"]),
                Route(
                    "/2/dm_conversations/with/{participant}/dm_events", self._dm_with_events, methods=["GET"]
                ),
                Route("/2/dm_conversations/{conversation}/messages", self._dm_to, methods=["POST"]),
                Route("/2/dm_conversations/{conversation}/dm_events", self._dm_conversation, methods=["GET"]),
            ]
        )

    async def _gate(self, request: Request, token: str | None) -> Response | None:
        """Log the request, answer a scripted failure, and check the bearer token the endpoint needs."""
        failure = await self.record(request)
        if failure is not None:
            return failure
        given = request.headers.get("authorization", "")
        allowed = {self.user_token, self.app_token} if token is None else {token}
        if given.removeprefix("Bearer ") not in allowed:
            return problem(401, "Unauthorized", "Unauthorized")
        return None

    async def _me(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        return JSONResponse(
            {"data": {"id": self.brand_id, "name": "Acme Support", "username": self.brand_username}}
        )

    async def _mentions(self, request: Request) -> Response:
        if (refused := await self._gate(request, None)) is not None:
            return refused
        if request.path_params["id"] != self.brand_id:
            return JSONResponse({"errors": [{"title": "Not Found Error", "detail": "Could not find user."}]})
        return self._page(request, self.mentions, "pagination_token", with_users=True)

    async def _search(self, request: Request) -> Response:
        if (refused := await self._gate(request, None)) is not None:
            return refused
        if not request.query_params.get("query"):
            return problem(400, "Invalid Request", "The `query` query parameter can not be empty.")
        return self._page(request, self.search, "next_token", with_users=True)

    async def _user_tweets(self, request: Request) -> Response:
        if (refused := await self._gate(request, None)) is not None:
            return refused
        items = [t for t in self.timeline if t["author_id"] == request.path_params["id"]]
        start = request.query_params.get("start_time")
        if start:
            since = datetime.fromisoformat(start.replace("Z", "+00:00"))
            items = [t for t in items if datetime.fromisoformat(t["created_at"]) >= since]
        return self._page(request, items, "pagination_token")

    async def _dm_events(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        return self._page(request, self.dm_events, "pagination_token", with_users=True, sender=True)

    async def _dm_with_events(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        conversation = _one_to_one(self.brand_id, request.path_params["participant"])
        items = [e for e in self.dm_events if e.get("dm_conversation_id") == conversation]
        return self._page(request, items, "pagination_token")

    async def _dm_conversation(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        items = [
            e for e in self.dm_events if e.get("dm_conversation_id") == request.path_params["conversation"]
        ]
        return self._page(request, items, "pagination_token")

    def _page(
        self,
        request: Request,
        items: list[dict[str, Any]],
        token_param: str,
        with_users: bool = False,
        sender: bool = False,
    ) -> Response:
        """Newest first, after since_id, `max_results` at a time, as X pages every list."""
        query = request.query_params
        chosen = sorted(items, key=lambda i: int(i["id"]), reverse=True)
        if query.get("since_id"):
            chosen = [i for i in chosen if int(i["id"]) > int(query["since_id"])]
        offset = int(query.get(token_param, "0").removeprefix("page") or 0)
        size = self.page_size or int(query.get("max_results", "10"))
        page = chosen[offset : offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page and not sender:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if offset + size < len(chosen):
            meta["next_token"] = f"page{offset + size}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            authors = {i.get("sender_id") if sender else i.get("author_id") for i in page}
            found = [self.users[a] for a in sorted(a for a in authors if a) if a in self.users]
            if with_users and found:
                body["includes"] = {"users": found}
        return JSONResponse(body)

    async def _create(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        body = json.loads(await request.body())
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        if any(t["text"] == text for t in self.timeline):
            return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        item = self.post(text, self.brand_id, reply_to=reply_to)
        with self.lock:
            self.timeline.append(item)
        data = {"id": item["id"], "text": text, "edit_history_tweet_ids": [item["id"]]}
        return JSONResponse({"data": data}, status_code=201)

    async def _dm_with(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        return await self._send_dm(request, _one_to_one(self.brand_id, request.path_params["participant"]))

    async def _dm_to(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        return await self._send_dm(request, request.path_params["conversation"])

    async def _send_dm(self, request: Request, conversation: str) -> Response:
        text = json.loads(await request.body()).get("text")
        if not isinstance(text, str) or not text:
            return problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        event = self.dm(text, self.brand_id, conversation)
        with self.lock:
            self.dm_events.append(event)
        return JSONResponse(
            {"data": {"dm_conversation_id": conversation, "dm_event_id": event["id"]}}, status_code=201
        )

    async def _like(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        self.likes.append(json.loads(await request.body())["tweet_id"])
        return JSONResponse({"data": {"liked": True}})

    async def _hide(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        hidden = bool(json.loads(await request.body())["hidden"])
        self.hidden[request.path_params["id"]] = hidden
        return JSONResponse({"data": {"hidden": hidden}})

    async def _lookup(self, request: Request) -> Response:
        if (refused := await self._gate(request, None)) is not None:
            return refused
        for item in (*self.timeline, *self.mentions, *self.search):
            if item["id"] == request.path_params["id"]:
                return JSONResponse({"data": item})
        detail = f"Could not find tweet with id: [{request.path_params['id']}]."
        return JSONResponse({"errors": [{"title": "Not Found Error", "detail": detail}]})

    async def _delete(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.user_token)) is not None:
            return refused
        post_id = request.path_params["id"]
        if not any(t["id"] == post_id for t in self.timeline):
            return problem(
                403, "Forbidden", "You are not allowed to delete a Tweet that belongs to another user."
            )
        self.deleted.append(post_id)
        return JSONResponse({"data": {"deleted": True}})

    async def _stream(self, request: Request) -> Response:
        if (refused := await self._gate(request, self.app_token)) is not None:
            return refused
        with self.lock:
            session = self.stream_sessions.pop(0) if self.stream_sessions else []
        return StreamingResponse(_lines(session), media_type="application/json")


async def _lines(session: list[str]) -> AsyncIterator[bytes]:
    for item in session:
        if item == DROP:
            raise ConnectionResetError("the stand-in dropped the stream")
        yield item.encode() + b"\r\n"
        await asyncio.sleep(0.01)


def _one_to_one(a: str, b: str) -> str:
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"


def reset_header(seconds_from_now: int) -> dict[str, str]:
    """X's 429 header: when the window resets, in epoch seconds."""
    return {"x-rate-limit-reset": str(int(time.time()) + seconds_from_now)}
