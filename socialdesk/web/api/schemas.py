"""The API's request bodies and the one response envelope; responses reuse the repositories' read
models (`store/repos/views.py`), so pages and API can never describe a case differently."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from socialdesk.store.repos.views import InboxRow


class InboxPage(BaseModel):
    items: list[InboxRow]
    next_page: int | None = Field(description="The next page's number; null on the last page.")


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=20000)


class StatusIn(BaseModel):
    status: Literal["resolved", "open"]


class CorrectionIn(BaseModel):
    field: Literal["sentiment", "intent", "topic"]
    value: str = Field(min_length=1, max_length=100)
