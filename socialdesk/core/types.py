"""Small frozen types that cross layer boundaries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Direction(enum.StrEnum):
    INBOUND = "inbound"  # written by a customer
    OUTBOUND = "outbound"  # written by the brand


class CaseStatus(enum.StrEnum):
    NEW = "new"  # the customer is waiting and nobody has answered yet
    OPEN = "open"  # answered before, and the customer wrote again
    PENDING = "pending"  # the brand answered last; waiting on the customer
    RESOLVED = "resolved"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class DraftStatus(enum.StrEnum):
    """A trainee's reply draft: waiting for a supervisor, then approved (queued as a post) or rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DeliveryStatus(enum.StrEnum):
    RECEIVED = "received"  # came from the network
    QUEUED = "queued"  # written by an agent, waiting for a connector to send it
    # Handed to the network; until the answer is recorded nobody knows whether it arrived, so a worker
    # that finds a post left in this state asks the network before it sends again.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # the network refused it for good; `Post.send_error` says why


@dataclass(frozen=True, slots=True)
class Geo:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class InboundPost:
    """A post as a network or an archive delivered it, normalised but not yet stored.

    `channel` is the brand handle the post belongs to (the account it was addressed to, or that wrote
    it for outbound posts). Public posts thread by `in_reply_to`; private ones by `conversation_key`.
    Public posts may carry the network's own thread id in `conversation_key` too (X's conversation_id,
    the Facebook post a comment is on); it is kept for reference, threading follows the reply chain.

    An edit arrives as the post again: with the same `external_id` and `edited_at` set where the network
    edits in place (Mastodon, Facebook, Reddit), or with a new id and `edit_of` naming the version it
    replaces where every version is a post of its own (X).
    """

    network: str
    external_id: str
    direction: Direction
    author_id: str
    author_handle: str
    text: str
    created_at: datetime
    channel: str | None = None
    author_name: str | None = None
    in_reply_to: str | None = None
    private: bool = False
    conversation_key: str | None = None
    lang: str | None = None
    geo: Geo | None = None
    user_location: str | None = None
    followers: int | None = None  # the author's reach, where the network says
    edited_at: datetime | None = None
    edit_of: str | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class PostDeletion:
    """The network says a post was deleted (by its author, or a moderator)."""

    network: str
    external_id: str
    deleted_at: datetime | None = None


# What a connector's parser turns a payload into.
InboundEvent = InboundPost | PostDeletion


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """An agent's reply on its way to the network.

    `in_reply_to` is the external id of the post answered (public replies, threaded mail);
    `recipient_id` the network's id of the customer (private messages); `conversation_key` the private
    conversation, where the network has one. `idempotency_key` is stable across retries: networks that
    accept one get it, the others are asked whether a post was already made before a retry.
    """

    network: str
    text: str
    private: bool
    idempotency_key: str
    in_reply_to: str | None = None
    recipient_id: str | None = None
    recipient_handle: str | None = None
    conversation_key: str | None = None
    subject: str | None = None  # mail
    created_at: datetime | None = None  # when the agent wrote it; bounds the search for a lost answer


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str  # the network's id of the post or message made
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class RowError:
    """One archive row that could not become a post, and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str | None  # ISO 639-1, None when the text is too short or too mixed to tell
    confidence: float


class Sentiment(enum.StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Intent(enum.StrEnum):
    COMPLAINT = "complaint"  # something went wrong and the customer holds the brand to it
    QUESTION = "question"  # asks for information
    REQUEST = "request"  # asks the brand to do something (refund, change, call back)
    PRAISE = "praise"  # thanks or compliments
    FEEDBACK = "feedback"  # a suggestion or opinion, neither complaint nor praise
    OTHER = "other"  # chatter, spam, anything else


class PiiType(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"  # a payment card number (passes the Luhn check)
    IBAN = "iban"
    ACCOUNT = "account"  # another account, customer or booking number the text calls one


class PlaceKind(enum.StrEnum):
    AIRPORT = "airport"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"
    POINT = "point"  # coordinates the network attached, with the nearest named place


class PlaceSource(enum.StrEnum):
    GEO = "geo"  # the post's own coordinates
    TEXT = "text"  # named in the text
    PROFILE = "profile"  # the author's profile location


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """Personal data at text[start:end] (character offsets into the original text)."""

    type: PiiType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2
    kind: PlaceKind
    source: PlaceSource


@dataclass(frozen=True, slots=True)
class TopicScore:
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class TriageInput:
    """What triage looks at: the text and, where the network gave them, its hints."""

    text: str
    lang: str | None = None  # the language the network declared
    geo: Geo | None = None
    user_location: str | None = None
    followers: int | None = None  # the author's reach


@dataclass(frozen=True, slots=True)
class Triage:
    """Everything triage understood about one post."""

    language: str | None
    sentiment: Sentiment
    sentiment_scores: dict[str, float]  # negative/neutral/positive, calibrated, summing to 1
    intent: Intent
    intent_scores: dict[str, float]
    is_complaint: bool
    complaint_score: float
    severity: float  # 0 (no complaint) .. 4 (blame)
    urgency: float  # 0..1
    topics: list[TopicScore]
    places: list[Place]
    pii: list[PiiSpan]
    tier: str  # "fast" or "accurate"
