"""A stand-in Bluesky PDS (with the chat service behind it) and a stand-in Jetstream.

The PDS answers XRPC as the reference implementation does (bluesky-social/atproto, packages/pds and the
lexicons): app password sessions (createSession / refreshSession / getSession) whose access token can be
made to expire (400 ExpiredToken), records in repositories under their keys (createRecord refuses a key
that is taken with a 500, as the PDS's MST does: "There is already a value at key"), getRecord's 400
RecordNotFound, listNotifications paging backwards by indexedAt, chat.bsky.* only with the
`atproto-proxy` header naming the chat service, getLog paging forward by rev, ratelimit-* headers on
every answer (reset in Unix seconds), and {"error", "message"} bodies.

Jetstream is a WebSocket server (`websockets`) that records the query of every connection, sends its
scripted lines and closes, as the real one does when it restarts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from websockets.sync.server import ServerConnection, serve

from socialdesk.channels.bluesky.text import tid
from tests.stand_ins.server import StandIn, free_port

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
BRAND_DID = "did:plc:4ysni2g3iitn5xvktftdhwzx"
BRAND_HANDLE = "acmehelp.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
POST = "app.bsky.feed.post"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cid(seed: str) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    digest = hashlib.sha256(seed.encode()).digest()
    return "bafyrei" + "".join(alphabet[b % 32] for b in (digest + digest)[:52])


class BlueskyStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.did = BRAND_DID
        self.handle = BRAND_HANDLE
        self.password = APP_PASSWORD
        self.handles: dict[str, str] = {BRAND_HANDLE: BRAND_DID}
        self.records: dict[tuple[str, str, str], dict[str, Any]] = {}  # (did, collection, rkey) -> view
        self.notifications: list[dict[str, Any]] = []
        self.convos: dict[str, dict[str, Any]] = {}  # id -> {"members": [...], "messages": [...]}
        self.logs: list[dict[str, Any]] = []
        self.log_page = 100
        self.lose_next_answer = False  # make the record, then answer 502: the answer lost on the way
        self.reasons_asked: list[list[str]] = []  # the `reasons` of each listNotifications call
        self.access: set[str] = set()
        self.expired: set[str] = set()
        self.refresh: set[str] = set()
        self._tokens = itertools.count(1)
        self._clock = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/xrpc/com.atproto.server.createSession", self.create_session, methods=["POST"]),
                Route("/xrpc/com.atproto.server.refreshSession", self.refresh_session, methods=["POST"]),
                Route("/xrpc/com.atproto.server.getSession", self.get_session),
                Route("/xrpc/com.atproto.identity.resolveHandle", self.resolve_handle),
                Route("/xrpc/com.atproto.repo.getRecord", self.get_record),
                Route("/xrpc/com.atproto.repo.createRecord", self.create_record, methods=["POST"]),
                Route("/xrpc/com.atproto.repo.putRecord", self.put_record, methods=["POST"]),
                Route("/xrpc/com.atproto.repo.deleteRecord", self.delete_record, methods=["POST"]),
                Route("/xrpc/app.bsky.notification.listNotifications", self.list_notifications),
                Route("/xrpc/chat.bsky.convo.getLog", self.get_log),
                Route("/xrpc/chat.bsky.convo.getMessages", self.get_messages),
                Route("/xrpc/chat.bsky.convo.getConvoForMembers", self.get_convo_for_members),
                Route("/xrpc/chat.bsky.convo.sendMessage", self.send_message, methods=["POST"]),
            ]
        )

    # Test set-up --------------------------------------------------------------------------------

    def add_record(self, uri: str, value: dict[str, Any], cid: str | None = None) -> None:
        did, collection, rkey = uri.removeprefix("at://").split("/")
        self.records[(did, collection, rkey)] = {"uri": uri, "cid": cid or _cid(uri), "value": value}

    def add_notification(self, notification: dict[str, Any]) -> None:
        """A notification, and its post as a record (so that replies to it can look it up)."""
        self.notifications.append(notification)
        record = notification.get("record")
        if isinstance(record, dict) and record.get("$type") == POST:
            self.add_record(notification["uri"], record, notification.get("cid"))

    def add_convo(self, convo_id: str, member: str) -> None:
        self.convos[convo_id] = {"members": [self.did, member], "messages": []}

    def add_message(self, convo_id: str, view: dict[str, Any]) -> None:
        """A message in a conversation, and the getLog entry it makes."""
        self.convos[convo_id]["messages"].append(view)
        self.logs.append(
            {
                "$type": "chat.bsky.convo.defs#logCreateMessage",
                "rev": view["rev"],
                "convoId": convo_id,
                "message": view,
            }
        )

    def expire_access(self) -> None:
        """Every access token handed out so far expires (the two hours of a real one, gone by)."""
        self.expired |= self.access

    def posts(self) -> list[dict[str, Any]]:
        """The brand's post records, oldest key first."""
        mine = [v for (did, coll, _), v in self.records.items() if did == self.did and coll == POST]
        return sorted(mine, key=lambda v: v["uri"])

    def next_rev(self) -> str:
        return tid(int(time.time() * 1_000_000) + next(self._clock), 1)

    # Plumbing -----------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        reset = int(time.time()) + 3600
        return {
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "4990",
            "ratelimit-reset": str(reset),
            "ratelimit-policy": "5000;w=3600",
        }

    def _json(self, body: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=self._headers())

    def _error(self, status: int, error: str, message: str) -> JSONResponse:
        return self._json({"error": error, "message": message}, status)

    async def _begin(self, request: Request, chat: bool = False) -> Response | None:
        failure = await self.record(request)
        if failure is not None:
            return failure
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.expired:
            return self._error(400, "ExpiredToken", "Token has expired")
        if token not in self.access:
            return self._error(400, "InvalidToken", "Token could not be verified")
        if chat and request.headers.get("atproto-proxy") != CHAT_PROXY:
            return self._error(501, "MethodNotImplemented", "Method Not Implemented")
        return None

    def _session(self) -> dict[str, Any]:
        number = next(self._tokens)
        access, refresh = f"access-{number}", f"refresh-{number}"
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "email": "social@acme.example",
            "emailConfirmed": True,
            "emailAuthFactor": False,
            "active": True,
        }

    # Sessions -----------------------------------------------------------------------------------

    async def create_session(self, request: Request) -> Response:
        failure = await self.record(request)
        if failure is not None:
            return failure
        body = await request.json()
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.password:
            return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._json(self._session())

    async def refresh_session(self, request: Request) -> Response:
        failure = await self.record(request)
        if failure is not None:
            return failure
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.refresh:
            return self._error(400, "ExpiredToken", "Token has been revoked")
        self.refresh.discard(token)
        return self._json(self._session())

    async def get_session(self, request: Request) -> Response:
        refused = await self._begin(request)
        return refused or self._json({"handle": self.handle, "did": self.did, "active": True})

    async def resolve_handle(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        did = self.handles.get(request.query_params.get("handle", "").lower())
        if did is None:
            return self._error(400, "InvalidRequest", "Unable to resolve handle")
        return self._json({"did": did})

    # Repositories -------------------------------------------------------------------------------

    async def get_record(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        query = request.query_params
        repo = self.handles.get(query.get("repo", ""), query.get("repo", ""))
        found = self.records.get((repo, query.get("collection", ""), query.get("rkey", "")))
        if found is None:
            uri = f"at://{repo}/{query.get('collection')}/{query.get('rkey')}"
            return self._error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return self._json(found)

    async def create_record(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        body = await request.json()
        if body.get("repo") not in (self.did, self.handle):
            return self._error(401, "AuthRequired", "Authentication Required")
        collection, record = body.get("collection"), body.get("record")
        if not isinstance(record, dict) or record.get("$type") != collection:
            return self._error(400, "InvalidRequest", "Invalid $type: must be the collection")
        rkey = body.get("rkey") or self.next_rev()
        if (self.did, collection, rkey) in self.records:
            return self._error(500, "InternalServerError", "Internal Server Error")
        text = record.get("text")
        if collection == POST and isinstance(text, str) and len(text.encode()) > 3000:
            return self._error(
                400,
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 3000 characters",
            )
        uri = f"at://{self.did}/{collection}/{rkey}"
        self.add_record(uri, record)
        answer = {
            "uri": uri,
            "cid": self.records[(self.did, collection, rkey)]["cid"],
            "commit": {"cid": _cid(uri + "#commit"), "rev": self.next_rev()},
            "validationStatus": "valid",
        }
        if self.lose_next_answer:
            self.lose_next_answer = False
            return self._error(502, "UpstreamFailure", "Bad Gateway")
        return self._json(answer)

    async def put_record(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        body = await request.json()
        key = (self.did, body["collection"], body["rkey"])
        current = self.records.get(key)
        if "swapRecord" in body and (current is None or current["cid"] != body["swapRecord"]):
            return self._error(400, "InvalidSwap", "Record was at a different CID")
        uri = f"at://{self.did}/{body['collection']}/{body['rkey']}"
        self.add_record(uri, body["record"], _cid(json.dumps(body["record"], sort_keys=True)))
        return self._json({"uri": uri, "cid": self.records[key]["cid"]})

    async def delete_record(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        body = await request.json()
        if body.get("repo") not in (self.did, self.handle):
            return self._error(401, "AuthRequired", "Authentication Required")
        self.records.pop((self.did, body.get("collection"), body.get("rkey")), None)
        return self._json({"commit": {"cid": _cid("delete"), "rev": self.next_rev()}})

    # Notifications ------------------------------------------------------------------------------

    async def list_notifications(self, request: Request) -> Response:
        """Newest first; `cursor` (the indexedAt of a page's last notification) leads to older ones."""
        refused = await self._begin(request)
        if refused:
            return refused
        query = request.query_params
        limit = min(int(query.get("limit") or 50), 100)
        self.reasons_asked.append(query.getlist("reasons"))
        reasons = set(query.getlist("reasons"))
        items = sorted(self.notifications, key=lambda n: n["indexedAt"], reverse=True)
        if reasons:
            items = [n for n in items if n["reason"] in reasons]
        if query.get("cursor"):
            items = [n for n in items if n["indexedAt"] < query["cursor"]]
        page = items[:limit]
        body: dict[str, Any] = {"notifications": page, "priority": False}
        if len(items) > limit:
            body["cursor"] = page[-1]["indexedAt"]
        return self._json(body)

    # Chat ---------------------------------------------------------------------------------------

    async def get_log(self, request: Request) -> Response:
        refused = await self._begin(request, chat=True)
        if refused:
            return refused
        cursor = request.query_params.get("cursor")
        ordered = sorted(self.logs, key=lambda entry: entry["rev"])
        if cursor is None:  # where the log is now, as Bluesky's app asks when it starts
            body: dict[str, Any] = {"logs": []}
            if ordered:
                body["cursor"] = ordered[-1]["rev"]
            return self._json(body)
        after = [entry for entry in ordered if entry["rev"] > cursor][: self.log_page]
        return self._json({"logs": after, "cursor": after[-1]["rev"] if after else cursor})

    async def get_messages(self, request: Request) -> Response:
        refused = await self._begin(request, chat=True)
        if refused:
            return refused
        convo = self.convos.get(request.query_params.get("convoId", ""))
        if convo is None:
            return self._error(400, "InvalidConvo", "Convo not found")
        limit = int(request.query_params.get("limit") or 50)
        newest_first = sorted(convo["messages"], key=lambda m: m["rev"], reverse=True)[:limit]
        return self._json({"messages": newest_first})

    async def get_convo_for_members(self, request: Request) -> Response:
        refused = await self._begin(request, chat=True)
        if refused:
            return refused
        members = set(request.query_params.getlist("members")) | {self.did}
        found = [key for key, convo in self.convos.items() if set(convo["members"]) == members]
        convo_id = found[0] if found else self.next_rev()
        if not found:
            self.convos[convo_id] = {"members": sorted(members), "messages": []}
        view = {
            "id": convo_id,
            "rev": self.next_rev(),
            "members": [{"did": d, "handle": d} for d in self.convos[convo_id]["members"]],
            "muted": False,
            "unreadCount": 0,
            "status": "accepted",
        }
        return self._json({"convo": view})

    async def send_message(self, request: Request) -> Response:
        refused = await self._begin(request, chat=True)
        if refused:
            return refused
        body = await request.json()
        if body.get("convoId") not in self.convos:
            return self._error(400, "InvalidConvo", "Convo not found")
        text = body.get("message", {}).get("text", "")
        view = {
            "$type": "chat.bsky.convo.defs#messageView",
            "id": self.next_rev(),
            "rev": self.next_rev(),
            "text": text,
            "sender": {"did": self.did},
            "sentAt": _iso(datetime.now(UTC)),
        }
        if body["message"].get("facets"):
            view["facets"] = body["message"]["facets"]
        self.add_message(body["convoId"], view)
        if self.lose_next_answer:
            self.lose_next_answer = False
            return self._error(502, "UpstreamFailure", "Bad Gateway")
        return self._json(view)


class JetstreamStandIn:
    """Jetstream's /subscribe: each connection gets the scripted lines, then a normal close."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines: list[str] = list(lines or [])
        self.queries: list[dict[str, list[str]]] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def handler(self, connection: ServerConnection) -> None:
        request = connection.request
        target = urlsplit(request.path if request else "/")
        with self.lock:
            self.paths.append(target.path)
            self.queries.append(parse_qs(target.query))
            lines = list(self.lines)
        for line in lines:
            connection.send(line)
        connection.close(1000, "bye")


@contextmanager
def serve_jetstream(stand_in: JetstreamStandIn) -> Iterator[str]:
    """Run the Jetstream stand-in on 127.0.0.1 for the block; yields its ws:// address."""
    port = free_port()
    server = serve(stand_in.handler, "127.0.0.1", port, compression=None)
    thread = threading.Thread(target=server.serve_forever, name=f"jetstream-{port}", daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(10)
