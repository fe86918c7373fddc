"""Plain read models of customer profiles and segments, handed to pages and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialdesk.core.types import CaseStatus, Direction, Intent, Sentiment


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: int
    display_name: str
    email: str | None
    language: str | None
    country: str | None
    location: str | None
    handles: list[tuple[str, str]]  # (network, handle)
    tags: list[str]
    open_cases: int
    last_active_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProfileIdentity:
    id: int
    network: str
    external_id: str
    handle: str
    name: str | None
    location: str | None
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ProfileCase:
    case_id: int
    status: CaseStatus
    network: str
    opened_at: datetime
    last_activity_at: datetime
    intent: Intent | None
    is_complaint: bool | None
    sentiment: Sentiment | None
    rating: int | None
    rating_source: str | None


@dataclass(frozen=True, slots=True)
class HistoryPost:
    post_id: int
    case_id: int | None
    network: str
    direction: Direction
    author_handle: str
    text: str
    created_at: datetime
    deleted: bool


@dataclass(frozen=True, slots=True)
class SegmentRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    id: int
    display_name: str
    email: str | None
    language: str | None
    country: str | None
    location: str | None
    attributes: dict[str, str]
    tags: list[str]
    products: list[str]
    identities: list[ProfileIdentity]
    cases: list[ProfileCase]  # newest first
    history: list[HistoryPost]  # the customer's own posts on every network, newest first
    seen_languages: list[str]  # what their cases were written in
    seen_places: list[str]  # where their cases mention, "name, CC"
    satisfaction_mean: float | None
    satisfaction_count: int
    segments: list[SegmentRef]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SegmentView:
    id: int
    name: str
    description: str | None
    filter: dict[str, Any]
    member_count: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SegmentStats:
    segment_id: int
    members: int
    open_cases: int
    mean_sentiment: float | None  # negative -1, neutral 0, positive 1, over the members' cases
    cases_with_sentiment: int
    complaints_7d: int  # complaint cases opened in the last 7 days
    complaints_30d: int
    satisfaction_mean: float | None
    satisfaction_count: int
    as_of: datetime
