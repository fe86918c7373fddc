"""Plain read models handed to the web layer (pages and API render the same objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, Intent, Priority, Sentiment


@dataclass(frozen=True, slots=True)
class InboxRow:
    case_id: int
    status: CaseStatus
    priority: Priority
    network: str
    channel_handle: str | None
    team_name: str | None
    customer_name: str | None
    customer_handle: str | None
    snippet: str | None
    language: str | None
    opened_at: datetime
    last_activity_at: datetime
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    urgency: float | None
    sentiment: Sentiment | None
    intent: Intent | None
    is_complaint: bool | None
    place_name: str | None
    place_country: str | None
    assignee_id: int | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    # The SLA badge (store.repos.sla_badges): the answer owed, when it is due, and how close that is.
    assignee_name: str | None = None
    sla_target: str | None = None  # first_response | next_response | resolution
    sla_due_at: datetime | None = None
    sla_state: str | None = None  # ok | risk | breached


@dataclass(frozen=True, slots=True)
class PostView:
    id: int
    network: str
    external_id: str | None
    direction: Direction
    author_handle: str
    author_name: str | None
    text: str
    created_at: datetime
    in_reply_to: str | None
    is_private: bool
    language: str | None
    geo: tuple[float, float] | None
    delivery_status: DeliveryStatus
    agent_name: str | None
    triage: PostTriage | None
    send_error: str | None = None  # why the network refused it, or why the last try failed
    next_send_at: datetime | None = None
    sent_at: datetime | None = None
    edited_at: datetime | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PostTriage:
    """What triage found in a post, with the fields an agent corrected."""

    tier: str | None
    sentiment: Sentiment | None
    sentiment_scores: dict[str, float]
    intent: Intent | None
    is_complaint: bool | None
    urgency: float | None
    topics: list[dict[str, Any]]
    places: list[dict[str, Any]]
    pii: list[dict[str, Any]]
    corrected: dict[str, str]


@dataclass(frozen=True, slots=True)
class IdentityView:
    network: str
    handle: str
    name: str | None


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: int
    display_name: str
    location: str | None
    identities: list[IdentityView]


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: int
    status: CaseStatus
    opened_at: datetime
    network: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case_id: int
    status: CaseStatus
    priority: Priority
    network: str
    channel_handle: str | None
    team_name: str | None
    routed_by: str | None
    assignee_name: str | None
    opened_at: datetime
    last_activity_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    is_private: bool
    urgency: float | None
    sentiment: Sentiment | None
    intent: Intent | None
    is_complaint: bool | None
    language: str | None
    place_name: str | None
    place_country: str | None
    topic_labels: list[str]  # the workspace's topics, for corrections
    posts: list[PostView]
    customer: CustomerView | None
    other_cases: list[CaseSummary]


@dataclass(frozen=True, slots=True)
class Option:
    """A value to filter by, as a select box shows it."""

    id: int
    label: str


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A channel account as the settings page shows it, with its health."""

    id: int
    network: str
    handle: str
    external_id: str | None
    status: str
    connected: bool
    settings: dict[str, Any]
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    waiting: int  # replies queued or being sent
    failed: int  # replies the network refused
    oldest_waiting_at: datetime | None
    next_poll_at: datetime | None
