"""Turning inbox query parameters (the same for pages and API) into a repository filter."""

from __future__ import annotations

from fastapi import HTTPException

from socialdesk.channels import NETWORKS
from socialdesk.core.types import CaseStatus, Intent, Sentiment
from socialdesk.store.repos.cases import SORTS, UNRESOLVED, InboxFilter
from socialdesk.store.repos.views import InboxRow

STATUS_CHOICES = ("unresolved", "new", "open", "pending", "resolved", "all")


def _optional_int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise HTTPException(422, f"{name} must be a number") from None


def _choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if value not in choices:
        raise HTTPException(422, f"{name} must be one of {', '.join(choices)}")
    return value


def inbox_filter(
    status: str | None,
    channel: str | None = None,
    team: str | None = None,
    network: str | None = None,
    *,
    sentiment: str | None = None,
    intent: str | None = None,
    language: str | None = None,
    place: str | None = None,
    min_urgency: str | None = None,
    sort: str | None = None,
    page: int = 1,
    limit: int = 50,
) -> InboxFilter:
    status = status or "unresolved"
    if status not in STATUS_CHOICES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUS_CHOICES)}")
    statuses: tuple[CaseStatus, ...]
    if status == "unresolved":
        statuses = UNRESOLVED
    elif status == "all":
        statuses = tuple(CaseStatus)
    else:
        statuses = (CaseStatus(status),)
    if network and network not in NETWORKS:
        raise HTTPException(422, f"unknown network {network!r}")
    chosen_sentiment = _choice(sentiment, "sentiment", tuple(s.value for s in Sentiment))
    chosen_intent = _choice(intent, "intent", tuple(i.value for i in Intent))
    urgency: float | None = None
    if min_urgency:
        try:
            urgency = float(min_urgency)
        except ValueError:
            raise HTTPException(422, "min_urgency must be a number between 0 and 1") from None
        if not 0 <= urgency <= 1:
            raise HTTPException(422, "min_urgency must be a number between 0 and 1")
    if language and (len(language) > 8 or not language.isalpha()):
        raise HTTPException(422, "language must be an ISO 639-1 code such as en")
    return InboxFilter(
        statuses=statuses,
        channel_id=_optional_int(channel, "channel"),
        team_id=_optional_int(team, "team"),
        network=network or None,
        sentiment=Sentiment(chosen_sentiment) if chosen_sentiment else None,
        intent=Intent(chosen_intent) if chosen_intent else None,
        language=language.lower() if language else None,
        place=place.strip()[:100] if place and place.strip() else None,
        min_urgency=urgency,
        sort=_choice(sort, "sort", SORTS) or "newest",
        limit=max(1, min(limit, 200)),
        page=max(1, page),
    )


def has_next_page(rows: list[InboxRow], limit: int) -> bool:
    return len(rows) >= limit
