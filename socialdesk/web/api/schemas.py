"""The API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, Priority


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Me(_Out):
    agent_id: int
    workspace_id: int
    name: str
    email: str
    role: str


class InboxItem(_Out):
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


class InboxPage(BaseModel):
    items: list[InboxItem]
    next_before: str | None = Field(
        description="Pass as `before` to get the next page; null on the last page."
    )


class PostOut(_Out):
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


class IdentityOut(_Out):
    network: str
    handle: str
    name: str | None


class CustomerOut(_Out):
    id: int
    display_name: str
    location: str | None
    identities: list[IdentityOut]


class CaseSummaryOut(_Out):
    case_id: int
    status: CaseStatus
    opened_at: datetime
    network: str


class CaseOut(_Out):
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
    posts: list[PostOut]
    customer: CustomerOut | None
    other_cases: list[CaseSummaryOut]


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=20000)


class StatusIn(BaseModel):
    status: Literal["resolved", "open"]
