"""A stand-in Mastodon server: the REST endpoints and the streaming endpoint the connector calls.

It answers as Mastodon 4.5 does (https://docs.joinmastodon.org/methods/): newest-first pages with
since_id / min_id / max_id and a Link header, X-RateLimit-* headers with an ISO 8601 reset, the
Idempotency-Key of POST /api/v1/statuses, {"error": ...} bodies, statuses rendered to HTML the way
TextFormatter does, and server-sent events for /api/v1/streaming/user.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.stand_ins.server import StandIn

TOKEN = "masto-test-token-7f3a"
DOMAIN = "mastodon.social"
BRAND: dict[str, Any] = {
    "id": "109318492034857231",
    "username": "skylarkair",
    "acct": "skylarkair",
    "display_name": "Skylark Air ✈️",
    "locked": False,
    "bot": False,
    "created_at": "2022-11-10T00:00:00.000Z",
    "note": "<p>Official Skylark Air customer care.</p>",
    "url": "https://mastodon.social/@skylarkair",
    "followers_count": 18422,
    "following_count": 112,
    "statuses_count": 6031,
    "emojis": [],
    "fields": [],
}
_URL = re.compile(r"https?://[^\s<>\"]+")
_MENTION = re.compile(r"(?<![/\w])@(\w+(?:@[\w.-]+\w)?)")
_TAG = re.compile(r"(?<![/\w])#(\w+)")
_VISIBILITIES = ("public", "unlisted", "private", "direct")


def _key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MastodonStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.brand = dict(BRAND)
        self.accounts: dict[str, dict[str, Any]] = {self.brand["acct"].lower(): self.brand}
        self.notifications: list[dict[str, Any]] = []
        self.statuses: dict[str, dict[str, Any]] = {}
        self.tagged: dict[str, list[str]] = {}  # hashtag (lower case) -> status ids
        self.searchable: list[str] = []  # status ids full-text search finds
        self.idempotency: dict[str, str] = {}  # Idempotency-Key -> the status it made
        self.favourited: list[str] = []
        self.deleted: list[str] = []
        self.max_characters = 500
        self.lose_next_answer = False  # make the status, then answer 502: the answer lost on the way
        self.stream_chunks: list[str] = []  # what /api/v1/streaming/user writes before it hangs up
        self.streaming_redirect: str | None = None  # answer the streaming path with a 301 to here
        self._ids = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/api/v1/accounts/verify_credentials", self.verify_credentials),
                Route("/api/v2/instance", self.instance),
                Route("/api/v1/notifications", self.list_notifications),
                Route("/api/v1/timelines/tag/{tag}", self.tag_timeline),
                Route("/api/v2/search", self.search),
                Route("/api/v1/statuses", self.post_status, methods=["POST"]),
                Route("/api/v1/statuses/{id}", self.get_status, methods=["GET"]),
                Route("/api/v1/statuses/{id}", self.delete_status, methods=["DELETE"]),
                Route("/api/v1/statuses/{id}/favourite", self.favourite, methods=["POST"]),
                Route("/api/v1/accounts/{id}/statuses", self.account_statuses),
                Route("/api/v1/streaming/user", self.streaming),
                Route("/api/v1/streaming/user/notification", self.streaming),
            ]
        )

    # Test set-up --------------------------------------------------------------------------------

    def add_account(self, account: dict[str, Any]) -> None:
        self.accounts[str(account["acct"]).lower()] = account

    def add_status(self, status: dict[str, Any], tags: Iterable[str] = (), searchable: bool = False) -> None:
        self.statuses[str(status["id"])] = status
        self.add_account(status["account"])
        for mention in status.get("mentions") or []:
            self.accounts.setdefault(str(mention["acct"]).lower(), {**mention, "display_name": ""})
        for tag in tags:
            self.tagged.setdefault(tag.lower(), []).append(str(status["id"]))
        if searchable:
            self.searchable.append(str(status["id"]))

    def add_notification(self, notification: dict[str, Any]) -> None:
        self.notifications.append(notification)
        if notification.get("status"):
            self.add_status(notification["status"])

    def posted(self) -> list[dict[str, Any]]:
        """The statuses made through POST /api/v1/statuses, oldest first."""
        mine = [s for s in self.statuses.values() if s["account"]["id"] == self.brand["id"]]
        return sorted(mine, key=lambda s: _key(s["id"]))

    # Plumbing -----------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        now = datetime.now(UTC)
        reset = now + timedelta(seconds=300 - now.timestamp() % 300)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "299",
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }

    def _json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers={**self._headers(), **(headers or {})})

    def _error(self, status: int, message: str) -> JSONResponse:
        return self._json({"error": message}, status)

    async def _begin(self, request: Request) -> Response | None:
        failure = await self.record(request)
        if failure is not None:
            return failure
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return self._error(401, "The access token is invalid")
        return None

    def _page(self, request: Request, items: list[dict[str, Any]], default: int, most: int) -> JSONResponse:
        page, headers = self._paged(request, items, default, most)
        return self._json(page, headers=headers)

    def _paged(
        self, request: Request, items: list[dict[str, Any]], default: int, most: int
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Mastodon's paging: newest first; min_id pages forward from an id, since_id gives the newest
        page above it, max_id reads older; the Link header names the next and previous pages."""
        query = request.query_params
        limit = min(int(query.get("limit") or default), most)
        ordered = sorted(items, key=lambda i: _key(str(i["id"])))
        if query.get("max_id"):
            ordered = [i for i in ordered if _key(str(i["id"])) < _key(query["max_id"])]
        if query.get("since_id"):
            ordered = [i for i in ordered if _key(str(i["id"])) > _key(query["since_id"])]
        if query.get("min_id"):
            ordered = [i for i in ordered if _key(str(i["id"])) > _key(query["min_id"])][:limit]
        else:
            ordered = ordered[-limit:]
        page = list(reversed(ordered))
        headers: dict[str, str] = {}
        if page:
            base = str(request.url.replace(query=""))
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}>; rel="next", <{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return page, headers

    # Endpoints ----------------------------------------------------------------------------------

    async def verify_credentials(self, request: Request) -> Response:
        refused = await self._begin(request)
        return refused or self._json({**self.brand, "source": {"privacy": "public", "language": "en"}})

    async def instance(self, request: Request) -> Response:
        refused = await self.record(request)
        if refused is not None:
            return refused
        return self._json(
            {
                "domain": DOMAIN,
                "title": "Mastodon",
                "version": "4.5.2",
                "configuration": {
                    "urls": {"streaming": f"wss://streaming.{DOMAIN}"},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                },
            }
        )

    async def list_notifications(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        types = request.query_params.getlist("types[]")
        chosen = [n for n in self.notifications if not types or n["type"] in types]
        return self._page(request, chosen, 40, 80)

    async def tag_timeline(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        ids = self.tagged.get(request.path_params["tag"].lower(), [])
        return self._page(request, [self.statuses[i] for i in ids if i in self.statuses], 20, 40)

    async def search(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        q = request.query_params.get("q", "").lower()
        found = [
            self.statuses[i]
            for i in self.searchable
            if i in self.statuses and q in self.statuses[i]["content"].lower()
        ]
        page, _ = self._paged(request, found, 20, 40)
        return self._json({"accounts": [], "statuses": page, "hashtags": []})

    async def get_status(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        status = self.statuses.get(request.path_params["id"])
        return self._json(status) if status else self._error(404, "Record not found")

    async def account_statuses(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        mine = [s for s in self.statuses.values() if s["account"]["id"] == request.path_params["id"]]
        if request.query_params.get("exclude_reblogs") == "true":
            mine = [s for s in mine if s.get("reblog") is None]
        return self._page(request, mine, 20, 40)

    async def favourite(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        status = self.statuses.get(request.path_params["id"])
        if status is None:
            return self._error(404, "Record not found")
        self.favourited.append(status["id"])
        return self._json({**status, "favourited": True, "favourites_count": status["favourites_count"] + 1})

    async def delete_status(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        status = self.statuses.get(request.path_params["id"])
        if status is None or status["account"]["id"] != self.brand["id"]:
            return self._error(404, "Record not found")  # Mastodon finds only your own statuses here
        del self.statuses[status["id"]]
        self.deleted.append(status["id"])
        return self._json({**status, "text": status["content"]})

    async def post_status(self, request: Request) -> Response:
        refused = await self._begin(request)
        if refused:
            return refused
        form = await request.form()
        text = str(form.get("status") or "")
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotency and self.idempotency[key] in self.statuses:
            return self._json(self.statuses[self.idempotency[key]])
        if not text.strip():
            return self._error(422, "Validation failed: Text can't be blank")
        if len(_MENTION.sub(lambda m: "@" + m.group(1).split("@")[0], text)) > self.max_characters:
            return self._error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        visibility = str(form.get("visibility") or "public")
        if visibility not in _VISIBILITIES:
            return self._error(422, "Validation failed: Visibility is not included in the list")
        reply_to = str(form.get("in_reply_to_id") or "") or None
        parent = self.statuses.get(reply_to) if reply_to else None
        if reply_to and parent is None:
            return self._error(404, "The post you are trying to reply to does not appear to exist.")
        now = datetime.now(UTC)
        status_id = str((int(now.timestamp() * 1000) << 16) | next(self._ids))
        content, mentioned = self._render(text)
        status = {
            "id": status_id,
            "created_at": _iso(now),
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": visibility,
            "language": "en",
            "uri": f"https://{DOMAIN}/users/skylarkair/statuses/{status_id}",
            "url": f"https://{DOMAIN}/@skylarkair/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": content,
            "reblog": None,
            "application": {"name": "SocialDesk", "website": None},
            "account": self.brand,
            "media_attachments": [],
            "mentions": [
                {"id": a["id"], "username": a["username"], "url": a.get("url"), "acct": a["acct"]}
                for a in mentioned
            ],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.statuses[status_id] = status
        if key:
            self.idempotency[key] = status_id
        if self.lose_next_answer:
            self.lose_next_answer = False
            return self._error(502, "Bad Gateway")
        return self._json(status)

    def _render(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """TextFormatter, in short: links cut for display, known mentions as h-cards, hashtags as links,
        paragraphs and line breaks as <p> and <br />."""
        mentioned: list[dict[str, Any]] = []

        def piece(match: re.Match[str]) -> str:
            token = match.group(0)
            if token.startswith("http"):
                prefix = re.match(r"https?://(www\.)?", token)
                start = prefix.end() if prefix else 0
                shown, rest = token[start : start + 30], token[start + 30 :]
                return (
                    f'<a href="{html.escape(token)}" target="_blank" rel="nofollow noopener noreferrer">'
                    f'<span class="invisible">{html.escape(token[:start])}</span>'
                    f'<span class="{"ellipsis" if rest else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(rest)}</span></a>'
                )
            if token.startswith("@"):
                acct = token[1:].lower()
                acct = acct[: -len("@" + DOMAIN)] if acct.endswith("@" + DOMAIN) else acct
                account = self.accounts.get(acct)
                if account is None:
                    return html.escape(token)
                mentioned.append(account)
                url = html.escape(str(account.get("url")))
                return (
                    f'<span class="h-card"><a href="{url}" class="u-url mention">'
                    f"@<span>{html.escape(account['username'])}</span></a></span>"
                )
            tag = token[1:]
            href = f"https://{DOMAIN}/tags/{tag}"
            return f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'

        pattern = re.compile(f"{_URL.pattern}|{_MENTION.pattern}|{_TAG.pattern}")
        paragraphs = []
        for paragraph in re.split(r"\n\s*\n", text.strip()):
            out, last = [], 0
            for match in pattern.finditer(paragraph):
                out.append(html.escape(paragraph[last : match.start()]))
                out.append(piece(match))
                last = match.end()
            out.append(html.escape(paragraph[last:]))
            paragraphs.append("<p>" + "".join(out).replace("\n", "<br />") + "</p>")
        return "".join(paragraphs), mentioned

    async def streaming(self, request: Request) -> Response:
        failure = await self.record(request)
        if failure is not None:
            return failure
        if self.streaming_redirect:
            return RedirectResponse(self.streaming_redirect + request.url.path, status_code=301)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return self._error(401, "Error: Invalid access token")
        chunks = list(self.stream_chunks)

        async def events() -> AsyncIterator[bytes]:
            yield b":)\n"
            for chunk in chunks:
                yield chunk.encode()

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )
