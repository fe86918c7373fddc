"""A stand-in for Reddit's OAuth2 API: the token endpoint, the listings the connector polls, and the
endpoints it writes to, answering in Reddit's own format (things in Listings, `json.errors`, the legacy
&amp;/&lt;/&gt; encoding of every string, X-Ratelimit-* headers).

Listings are kept newest first and paged the way Reddit pages them: `before=<fullname>` answers the
`limit` things just newer than it (nothing at all when that thing is gone), `after=` the older ones.
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.stand_ins.server import StandIn

CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"
PASSWORD = "correct horse battery staple"
REFRESH_TOKEN = "84301277-nZ4XKQm0Y3q2Vd5dOw7lYc1n0aQ"
BRAND = "AcmeAirSupport"
BRAND_ID = "t2_8k2l9x1f"


def websafe(value: Any) -> Any:
    """Reddit's default response encoding, applied to every string."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, list):
        return [websafe(v) for v in value]
    if isinstance(value, dict):
        return {k: websafe(v) for k, v in value.items()}
    return value


def children(document: Any) -> list[dict[str, Any]]:
    """The things of a fixture listing, to seed the stand-in with."""
    found: list[dict[str, Any]] = document["data"]["children"]
    return found


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


class RedditStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.token_grants: list[str] = []
        self.inbox: list[dict[str, Any]] = []  # things, newest first
        self.listings: dict[str, list[dict[str, Any]]] = {}  # "/r/AcmeAir/comments" -> things
        self.search_results: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []  # t1 things the brand made, newest first
        self.sent: list[dict[str, Any]] = []  # t4 things the brand sent, newest first
        self.actions: list[tuple[str, str]] = []  # (path, fullname)
        self.remaining = 996.0
        self.reset = 412
        self._ids = itertools.count(1_900_000_000)
        self.app = Starlette(
            routes=[
                Route("/api/v1/access_token", self.token, methods=["POST"]),
                Route("/api/v1/me", self.me, methods=["GET"]),
                Route("/message/inbox", self.inbox_listing, methods=["GET"]),
                Route("/message/sent", self.sent_listing, methods=["GET"]),
                Route("/user/{name}/comments", self.user_comments, methods=["GET"]),
                Route("/search", self.search, methods=["GET"]),
                Route("/r/{subreddits}/search", self.search, methods=["GET"]),
                Route("/r/{subreddits}/{listing:str}", self.subreddit_listing, methods=["GET"]),
                Route("/api/comment", self.comment, methods=["POST"]),
                Route("/api/compose", self.compose, methods=["POST"]),
                Route("/api/{action}", self.action, methods=["POST"]),
            ]
        )

    # --- plumbing ---------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-used": str(int(1000 - self.remaining)),
            "x-ratelimit-remaining": f"{self.remaining:.1f}",
            "x-ratelimit-reset": str(self.reset),
        }

    def _json(self, body: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=self._headers())

    async def _open(self, request: Request) -> Response | None:
        """The scripted failure, or a 401 for a missing or unknown token; None to go on."""
        failure = await self.record(request)
        if failure is not None:
            return failure
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        with self.lock:
            known = scheme.lower() == "bearer" and token in self.tokens
        if not known:
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        return None

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _new_id(self) -> str:
        return _base36(next(self._ids))

    def _find(self, fullname: str) -> dict[str, Any] | None:
        with self.lock:
            pools = [self.inbox, self.search_results, self.comments, self.sent, *self.listings.values()]
            for thing in itertools.chain(*pools):
                if thing["data"].get("name") == fullname:
                    return thing
        return None

    @staticmethod
    def _page(things: list[dict[str, Any]], request: Request) -> dict[str, Any]:
        """One page of a newest-first listing, paged as Reddit pages it."""
        limit = min(int(request.query_params.get("limit", "25")), 100)
        names = [t["data"]["name"] for t in things]
        before = request.query_params.get("before")
        after = request.query_params.get("after")
        more_before = more_after = False
        if before:
            if before not in names:
                chosen: list[dict[str, Any]] = []
            else:
                newer = things[: names.index(before)]
                chosen = newer[-limit:]
                more_before = len(newer) > limit
                more_after = True
        elif after:
            older = things[names.index(after) + 1 :] if after in names else []
            chosen = older[:limit]
            more_after = len(older) > limit
            more_before = True
        else:
            chosen = things[:limit]
            more_after = len(things) > limit
        return {
            "kind": "Listing",
            "data": {
                "after": chosen[-1]["data"]["name"] if chosen and more_after else None,
                "dist": len(chosen),
                "modhash": None,
                "geo_filter": "",
                "children": chosen,
                "before": chosen[0]["data"]["name"] if chosen and more_before else None,
            },
        }

    # --- endpoints --------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        failure = await self.record(request)
        if failure is not None:
            return failure
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            client, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            client = secret = ""
        if scheme.lower() != "basic" or client != CLIENT_ID or secret != CLIENT_SECRET:
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        form = dict(await request.form())
        grant = str(form.get("grant_type", ""))
        if grant == "password":
            ok = str(form.get("username", "")).lower() == BRAND.lower() and form.get("password") == PASSWORD
        elif grant == "refresh_token":
            ok = form.get("refresh_token") == REFRESH_TOKEN
        else:
            return JSONResponse({"error": "unsupported_grant_type"})
        if not ok:
            return JSONResponse({"error": "invalid_grant"})  # Reddit answers a wrong password with a 200
        with self.lock:
            token = f"{len(self.token_grants) + 1}-{self._new_id()}-eyJhbGciOiJSUzI1NiJ9"
            self.tokens.add(token)
            self.token_grants.append(grant)
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        )

    async def me(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        return self._json({"name": BRAND, "id": BRAND_ID[3:], "created_utc": 1_600_000_000.0})

    async def inbox_listing(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        with self.lock:
            return self._json(self._page(list(self.inbox), request))

    async def subreddit_listing(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        path = request.url.path.rstrip("/")
        with self.lock:
            return self._json(self._page(list(self.listings.get(path, [])), request))

    async def search(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        with self.lock:
            return self._json(self._page(list(self.search_results), request))

    async def sent_listing(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        with self.lock:
            return self._json(self._page(list(self.sent), request))

    async def user_comments(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        name = request.path_params["name"].lower()
        with self.lock:
            mine = [c for c in self.comments if c["data"]["author"].lower() == name]
            return self._json(self._page(mine, request))

    async def comment(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        form = dict(await request.form())
        parent_name, text = str(form.get("thing_id", "")), str(form.get("text", ""))
        if not text:
            return self._json({"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}})
        parent = self._find(parent_name)
        now = time.time()
        new_id = self._new_id()
        if parent_name.startswith("t4_"):
            first = (parent or {}).get("data", {}).get("first_message_name") or parent_name
            recipient = (parent or {}).get("data", {}).get("author", "someone")
            made = self._message(new_id, recipient, "re: your message", text, now, first, parent_name)
            with self.lock:
                self.sent.insert(0, made)
        else:
            link = (parent or {}).get("data", {}).get("link_id") or (
                parent_name if parent_name.startswith("t3_") else "t3_unknown"
            )
            made = websafe(
                {
                    "kind": "t1",
                    "data": {
                        "id": new_id,
                        "name": f"t1_{new_id}",
                        "author": BRAND,
                        "author_fullname": BRAND_ID,
                        "parent_id": parent_name,
                        "link_id": link,
                        "body": text,
                        "body_html": websafe(f'<div class="md"><p>{text}</p>\n</div>'),
                        "created": now,
                        "created_utc": now,
                        "edited": False,
                        "replies": "",
                        "subreddit": "AcmeAir",
                        "permalink": f"/r/AcmeAir/comments/{link[3:]}/_/{new_id}/",
                        "likes": True,
                        "distinguished": None,
                    },
                }
            )
            with self.lock:
                self.comments.insert(0, made)
        return self._json({"json": {"errors": [], "data": {"things": [made]}}})

    def _message(
        self, new_id: str, to: str, subject: str, text: str, now: float, first: str | None, parent: str | None
    ) -> dict[str, Any]:
        thing: dict[str, Any] = websafe(
            {
                "kind": "t4",
                "data": {
                    "first_message": None,
                    "first_message_name": first,
                    "subreddit": None,
                    "likes": None,
                    "replies": "",
                    "author_fullname": BRAND_ID,
                    "id": new_id,
                    "subject": subject,
                    "author": BRAND,
                    "parent_id": parent,
                    "new": False,
                    "type": "unknown",
                    "body": text,
                    "dest": to,
                    "was_comment": False,
                    "body_html": websafe(f'<!-- SC_OFF --><div class="md"><p>{text}</p>\n</div>'),
                    "name": f"t4_{new_id}",
                    "created": now,
                    "created_utc": now,
                    "context": "",
                    "distinguished": None,
                },
            }
        )
        return thing

    async def compose(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        form = dict(await request.form())
        to, subject, text = (str(form.get(k, "")) for k in ("to", "subject", "text"))
        if not subject:
            return self._json({"json": {"errors": [["NO_SUBJECT", "please enter a subject", "subject"]]}})
        made = self._message(self._new_id(), to, subject, text, time.time(), None, None)
        with self.lock:
            self.sent.insert(0, made)
        return self._json({"json": {"errors": []}})

    async def action(self, request: Request) -> Response:
        refused = await self._open(request)
        if refused is not None:
            return refused
        form = dict(await request.form())
        with self.lock:
            self.actions.append((request.url.path, str(form.get("id", ""))))
        return self._json({})
