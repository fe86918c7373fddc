"""A stand-in of Meta's Graph API: the endpoints the Facebook and Instagram connectors call.

It keeps a Page's (or Instagram account's) feed, media and conversations, takes public replies
(`/{id}/comments`, `/{id}/replies`), direct messages (`/me/messages`), likes, hides and deletes, and
answers `/me`. Every call must carry the bearer token it was made with; a wrong one gets Meta's
code 190. Refusals are Graph API error bodies (`error(...)`), scripted with `fail_next`.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from socialdesk.channels.signatures import sha256_hex
from tests.stand_ins.server import StandIn

PAGE = "104887671234567"  # the brand's Facebook Page
TOKEN = "EAAGm0PX4ZCpsBAOtestpagetoken"  # what the tests connect their channels with
APP_SECRET = "d41d8cd98f00b204e9800998ecf8427e"
VERIFY_TOKEN = "acme-meta-hooks-2026"


def error(
    message: str, code: int, subcode: int | None = None, kind: str = "OAuthException"
) -> dict[str, Any]:
    """A Graph API error body."""
    body: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AqZ3n7Xk2Lm9pQ4r"}
    if subcode is not None:
        body["error_subcode"] = subcode
    return {"error": body}


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 Meta sends with `body`."""
    return "sha256=" + sha256_hex(secret, body)


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class MetaStandIn(StandIn):
    """One Page or Instagram account as the Graph API shows it."""

    def __init__(self, own_id: str, name: str, instagram: bool = False) -> None:
        super().__init__()
        self.own_id = own_id
        self.name = name
        self.instagram = instagram
        self.feed: list[dict[str, Any]] = []  # Page posts (with "comments") or IG media (with "comments")
        self.conversations: list[dict[str, Any]] = []
        self.replies: dict[str, list[dict[str, Any]]] = {}  # object id -> comments made through the API
        self.deleted: list[str] = []
        self.hidden: dict[str, bool] = {}
        self.likes: list[str] = []
        self._ids = itertools.count(1_000_001)

    # -- what the tests arrange ------------------------------------------------------------------

    def load(self, page: dict[str, Any], conversations: bool = False) -> None:
        """Serve a recorded Graph API page (a fixture) as the feed/media or the conversations."""
        if conversations:
            self.conversations = json.loads(json.dumps(page["data"]))
        else:
            self.feed = json.loads(json.dumps(page["data"]))

    def add_comment(self, post_id: str, comment: dict[str, Any]) -> None:
        """A comment that arrives on a post after the tests started."""
        for post in self.feed:
            if post["id"] == post_id:
                post.setdefault("comments", {"data": []})["data"].insert(0, comment)
                return
        raise KeyError(post_id)

    def brand(self) -> dict[str, str]:
        return {"id": self.own_id, ("username" if self.instagram else "name"): self.name}

    # -- the app ---------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/{version}/{node}", self.node, methods=["GET", "POST", "DELETE"]),
                Route("/{version}/{node}/{edge}", self.edge, methods=["GET", "POST"]),
            ]
        )

    async def _guard(self, request: Request) -> Response | None:
        scripted = await self.record(request)
        if scripted is not None:
            return scripted
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse(error("Invalid OAuth access token - Cannot parse access token", 190), 400)
        return None

    async def node(self, request: Request) -> Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        node = request.path_params["node"]
        if request.method == "GET":
            if node not in ("me", self.own_id):
                return JSONResponse(
                    error(f"(#100) Unsupported get request. Object with ID '{node}' ...", 100), 400
                )
            return JSONResponse(self.brand())
        if request.method == "DELETE":
            self.deleted.append(node)
            return JSONResponse({"success": True})
        form = dict(await request.form())
        flag = form.get("hide" if self.instagram else "is_hidden")
        if flag not in ("true", "false"):
            return JSONResponse(error("(#100) Param is_hidden must be a boolean", 100), 400)
        self.hidden[node] = flag == "true"
        return JSONResponse({"success": True})

    async def edge(self, request: Request) -> Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        node, edge = request.path_params["node"], request.path_params["edge"]
        if request.method == "GET":
            return self._read(node, edge, dict(request.query_params))
        if edge == "messages" and node == "me":
            return self._message(json.loads(await request.body()))
        if edge in ("comments", "replies"):
            return self._comment(node, dict(await request.form()))
        if edge == "likes" and not self.instagram:
            self.likes.append(node)
            return JSONResponse({"success": True})
        return JSONResponse(error(f"(#100) Unknown edge {edge}", 100), 400)

    def _read(self, node: str, edge: str, query: dict[str, str]) -> Response:
        if edge in ("feed", "media"):
            since = int(query["since"]) if "since" in query else None
            posts = [
                p
                for p in self.feed
                if since is None or _epoch(p.get("created_time") or p["timestamp"]) >= since
            ]
            return JSONResponse({"data": posts})
        if edge == "conversations":
            wanted = query.get("user_id")
            found = [c for c in self.conversations if wanted is None or wanted in _participants(c)]
            return JSONResponse({"data": found})
        if edge in ("comments", "replies"):
            return JSONResponse({"data": list(reversed(self.replies.get(node, [])))})
        return JSONResponse(error(f"(#100) Unknown edge {edge}", 100), 400)

    def _message(self, body: dict[str, Any]) -> Response:
        recipient = body["recipient"]["id"]
        if body.get("messaging_type") != "RESPONSE" or not body.get("message", {}).get("text"):
            return JSONResponse(error("(#100) The parameter message is required", 100), 400)
        mid = f"m_standin{next(self._ids)}"
        message = {
            "id": mid,
            "message": body["message"]["text"],
            "from": self.brand(),
            "to": {"data": [{"id": recipient}]},
            "created_time": graph_time(datetime.now(UTC)),
        }
        for conversation in self.conversations:
            if recipient in _participants(conversation):
                conversation.setdefault("messages", {"data": []})["data"].insert(0, message)
                break
        else:
            self.conversations.insert(
                0,
                {
                    "id": f"t_{next(self._ids)}",
                    "participants": {"data": [{"id": recipient}, self.brand()]},
                    "messages": {"data": [message]},
                },
            )
        return JSONResponse({"recipient_id": recipient, "message_id": mid})

    def _comment(self, node: str, form: dict[str, Any]) -> Response:
        text = form.get("message")
        if not text:
            return JSONResponse(error("(#100) The parameter message is required", 100), 400)
        comment_id = (
            f"{node.rpartition('_')[2]}_{next(self._ids)}" if not self.instagram else str(next(self._ids))
        )
        comment: dict[str, Any] = {"id": comment_id, "from": self.brand()}
        now = graph_time(datetime.now(UTC))
        comment |= (
            {"text": text, "timestamp": now} if self.instagram else {"message": text, "created_time": now}
        )
        self.replies.setdefault(node, []).append(comment)
        return JSONResponse({"id": comment_id})

    def seed_reply(self, node: str, text: str, when: datetime) -> str:
        """A reply of the brand's already on the network (a send that reached Meta before a crash)."""
        comment_id = (
            f"{node.rpartition('_')[2]}_{next(self._ids)}" if not self.instagram else str(next(self._ids))
        )
        comment: dict[str, Any] = {"id": comment_id, "from": self.brand()}
        comment |= (
            {"text": text, "timestamp": graph_time(when)}
            if self.instagram
            else {"message": text, "created_time": graph_time(when)}
        )
        self.replies.setdefault(node, []).append(comment)
        return comment_id


def _participants(conversation: dict[str, Any]) -> set[str]:
    people = conversation.get("participants", {}).get("data", [])
    found = {str(p["id"]) for p in people}
    for message in conversation.get("messages", {}).get("data", []):
        found.add(str(message["from"]["id"]))
        found |= {str(p["id"]) for p in message.get("to", {}).get("data", [])}
    return found


def _epoch(value: str) -> int:
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp())
