"""Turning inbox query parameters (the same for pages and API) into a repository filter."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException

from socialdesk.channels import NETWORKS
from socialdesk.core.types import CaseStatus, Intent, Priority, Sentiment
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
    assignee: str | None = None,
    priority: str | None = None,
    complaint: str | None = None,
    q: str | None = None,
    tag: str | None = None,
    segment: str | None = None,
    sort: str | None = None,
    page: int = 1,
    limit: int = 50,
    me: int | None = None,
) -> InboxFilter:
    """`assignee` is an agent id, "me" (the agent `me`) or "none" (nobody yet)."""
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
    chosen_priority = _choice(priority, "priority", tuple(p.value for p in Priority))
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
        assignee_id=_assignee(assignee, me),
        unassigned=assignee == "none",
        priority=Priority(chosen_priority) if chosen_priority else None,
        complaint={"yes": True, "no": False, None: None}[_choice(complaint, "complaint", ("yes", "no"))],
        text=_text(q, "q", 200),
        tag=_text(tag, "tag", 100),
        segment_id=_optional_int(segment, "segment"),
        sort=_choice(sort, "sort", SORTS) or "newest",
        limit=max(1, min(limit, 200)),
        page=max(1, page),
    )


def _assignee(value: str | None, me: int | None) -> int | None:
    if value == "me":
        if me is None:
            raise HTTPException(422, "assignee=me needs a signed-in agent")
        return me
    if value == "none":
        return None
    return _optional_int(value, "assignee")


def _text(value: str | None, name: str, longest: int) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) > longest:
        raise HTTPException(422, f"{name} has at most {longest} characters")
    return value.strip()


# The query parameters a saved view keeps (the page number is not one of them; the sort is kept apart).
VIEW_FILTERS = (
    "status",
    "network",
    "channel",
    "team",
    "assignee",
    "priority",
    "sentiment",
    "intent",
    "language",
    "complaint",
    "place",
    "min_urgency",
    "q",
    "tag",
    "segment",
)


def view_filters(params: Mapping[str, str | None]) -> tuple[dict[str, str], str]:
    """The filters and sort worth saving from a set of inbox query parameters, checked as the inbox
    checks them (422 with the first problem); empty values and unknown parameters are dropped."""
    filters = {k: str(v).strip() for k, v in params.items() if k in VIEW_FILTERS and v and str(v).strip()}
    if filters.get("status") == "unresolved":
        del filters["status"]  # the inbox's default: a view without a status follows it
    sort = (params.get("sort") or "newest").strip()
    inbox_filter(
        filters.get("status"),
        filters.get("channel"),
        filters.get("team"),
        filters.get("network"),
        sentiment=filters.get("sentiment"),
        intent=filters.get("intent"),
        language=filters.get("language"),
        place=filters.get("place"),
        min_urgency=filters.get("min_urgency"),
        assignee=filters.get("assignee"),
        priority=filters.get("priority"),
        complaint=filters.get("complaint"),
        q=filters.get("q"),
        tag=filters.get("tag"),
        segment=filters.get("segment"),
        sort=sort,
        me=0,  # "me" stays "me" in the view: whoever applies a shared view
    )
    return filters, sort


def has_next_page(rows: list[InboxRow], limit: int) -> bool:
    return len(rows) >= limit
