"""What every network's connector does, as one small protocol, and the small types it speaks in.

A connector is stateless: everything it needs about the brand's account (handle, the network's id of
it, decrypted credentials, settings such as the API address or listening queries) comes in an
`Account`, and every network call goes through the `httpx` client it is handed, so tests point it at a
local stand-in of the platform and production at the platform itself, through the same code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import httpx2 as httpx

from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult

Action = Literal["like", "hide", "unhide", "delete"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What the network accepts in one post."""

    max_text: int | None  # characters; None: no practical limit
    max_private_text: int | None
    media: tuple[str, ...] = ()  # MIME types a post may carry
    max_media: int = 0
    actions: tuple[Action, ...] = ()  # what an agent can do to a customer's post there


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One credential or setting a channel account needs, as the settings page asks for it."""

    name: str
    label: str
    secret: bool = True
    required: bool = True
    help: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """The brand's account on the network, as a connector sees it."""

    handle: str
    external_id: str | None = None  # the network's id of the brand's account (user id, page id, DID, ...)
    credentials: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: str) -> str:
        value = self.settings.get(name)
        return str(value) if value else default


@dataclass(frozen=True, slots=True)
class HookRequest:
    """A webhook delivery as it reached us. Header names are lower case."""

    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class HookReply:
    """What to answer a handshake (X's CRC check, Meta's subscription check) with."""

    status: int
    body: str
    media_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One page from a poll: its posts and deletions, and the cursor to keep once they are stored."""

    events: list[InboundEvent]
    cursor: str | None  # None: keep the old cursor
    more: bool = False  # another page can be fetched right away


@dataclass(frozen=True, slots=True)
class StreamItem:
    """One payload read from a long-lived stream, and the cursor to resume after it (if the stream has
    one: Jetstream's time_us; X's filtered stream and Mastodon's streaming API have none)."""

    payload: bytes
    cursor: str | None = None


class Connector(Protocol):
    network: str
    limits: Limits
    credential_fields: tuple[CredentialField, ...]
    sources: tuple[str, ...]  # what `fetch` can poll ("mentions", "search", "dms", ...)

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        """The answer to a webhook handshake, or None when `request` is a delivery."""
        ...

    def verify(self, request: HookRequest, account: Account) -> None:
        """Raise SignatureError unless `request` is signed with the account's secret."""
        ...

    def payloads(self, data: bytes) -> list[bytes]:
        """Split a saved file into the payloads the network sent (one document, or one per line)."""
        ...

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        """Turn one payload (a webhook body, an API page, a stream line) into posts and deletions.

        Raises PayloadError for a payload that is not in the network's format; returns [] for events
        that carry no post (a like, a read receipt, a keep-alive).
        """
        ...

    def fetch(
        self, client: httpx.Client, account: Account, source: str, cursor: str | None
    ) -> FetchResult: ...

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult: ...

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        """Ask the network whether `message` was already posted (a worker died before recording it)."""
        ...

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None: ...

    def check(self, client: httpx.Client, account: Account) -> str:
        """Try the credentials; return the name the network knows the account by."""
        ...


@runtime_checkable
class Measuring(Protocol):
    """A connector whose network counts a post's length its own way (graphemes, links at a fixed
    weight) rather than in code points."""

    def text_length(self, text: str) -> int: ...


@runtime_checkable
class Streaming(Protocol):
    """A connector that can also hold a long-lived stream open (X's filtered stream, Mastodon's
    streaming API, Bluesky's Jetstream)."""

    stream_sources: tuple[str, ...]

    def stream(
        self, client: httpx.Client, account: Account, source: str, cursor: str | None
    ) -> Iterator[StreamItem]:
        """Yield payloads as they arrive; end or raise TemporaryError/RateLimited when the stream drops."""
        ...

    def reconnect_delay(self, error: Exception, attempt: int) -> float:
        """Seconds to wait before reconnecting after `error`, the `attempt`-th failure in a row."""
        ...


def default_reconnect_delay(error: Exception, attempt: int) -> float:
    """Exponential backoff from 1 s to 5 min, for networks that document nothing finer."""
    return float(min(2 ** max(attempt - 1, 0), 300))


def json_payloads(data: bytes) -> list[bytes]:
    """A file holding one JSON document is one payload; otherwise each non-empty line is one (a
    stream's output, or several webhook bodies saved one per line)."""
    if is_json(data):
        return [data]
    return [line for line in data.splitlines() if line.strip()]


def is_json(data: bytes) -> bool:
    """Whether `data` is one whole JSON document (how a saved file tells one body from many lines)."""
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def load_json(payload: bytes, what: str) -> Any:
    """The payload as JSON, or a PayloadError that says what is wrong with it."""
    try:
        return json.loads(payload)
    except UnicodeDecodeError as exc:
        raise PayloadError(f"{what} is not UTF-8 (byte {exc.start})") from exc
    except ValueError as exc:
        raise PayloadError(f"{what} is not JSON: {exc}") from exc


def optional_int(value: Any) -> int | None:
    """A count or code that networks send as a number or as a numeric string; None for anything else
    (JSON's true and false included, which Python would take for 1 and 0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def need(mapping: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """`mapping[key]`, checked to be of `kind`; a PayloadError naming the field otherwise."""
    if not isinstance(mapping, dict):
        raise PayloadError(f"{where} is not an object")
    value = mapping.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise PayloadError(f"{where}.{key} is missing or not {_kind_name(kind)}")
    return value


def _kinds(kind: type | tuple[type, ...]) -> Sequence[type]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a number", float: "a number", dict: "an object", list: "a list"}
    return " or ".join(names.get(k, k.__name__) for k in _kinds(kind))
