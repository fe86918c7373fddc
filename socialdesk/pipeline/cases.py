"""Cases: opened by a customer's first post in a conversation, moved by new posts and by agents.

A case's derived fields (when it opened, its status after new posts, its due times, its team) are
computed from the conversation's posts as a whole, never from the order posts arrived in; an import
that is interrupted and run again therefore ends exactly where one uninterrupted import ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc
from socialdesk.core.types import CaseStatus, Direction, Intent, Sentiment
from socialdesk.pipeline.service_levels import refresh_sla
from socialdesk.routing.rules import ACKNOWLEDGEMENT_KEY, is_rule_route
from socialdesk.routing.skills import route_by_skills
from socialdesk.store.models import Case, Conversation, Post, Team, Workspace
from socialdesk.store.repos.merges import merge_target, merged_conversation_ids


def refresh_thread(
    session: Session, workspace: Workspace, conversation: Conversation, teams: Sequence[Team] | None = None
) -> Case | None:
    """Recompute a conversation and its case after posts were added to it (or merged into it).

    Opens the case when the conversation has its first customer post. Call inside the write
    transaction that changed the conversation, with the workspace locked.
    """
    session.flush()
    posts = _thread_facts(session, conversation.id)
    first = posts[0]
    conversation.started_at = first.created_at
    conversation.last_activity_at = max(p.created_at for p in posts)
    conversation.is_private = first.is_private
    conversation.channel_account_id = next(
        (p.channel_account_id for p in posts if p.channel_account_id is not None), None
    )
    inbound = [p for p in posts if p.direction is Direction.INBOUND]
    conversation.customer_id = inbound[0].customer_id if inbound else None
    if not inbound:
        return None

    case = session.scalars(select(Case).where(Case.conversation_id == conversation.id)).first()
    if case is not None:
        target = merge_target(session, workspace.id, case.id)
        if target is not None:  # a merged duplicate: the case it joined tracks these posts now
            return refresh_thread(session, workspace, _case_conversation(session, target), teams)
        posts, inbound = _with_merged(session, case, posts)

    opened_at = inbound[0].created_at
    last_inbound = max(p.created_at for p in inbound)
    outbound_times = [p.created_at for p in posts if p.direction is Direction.OUTBOUND]
    last_outbound = max(outbound_times, default=None)
    first_response = min((t for t in outbound_times if t >= opened_at), default=None)

    if case is None:
        case = Case(workspace_id=workspace.id, conversation_id=conversation.id, status=CaseStatus.NEW)
        session.add(case)
    case.network = conversation.network
    case.customer_id = conversation.customer_id
    case.channel_account_id = conversation.channel_account_id
    case.opened_at = opened_at
    case.last_inbound_at = last_inbound
    case.last_activity_at = max(p.created_at for p in posts)
    case.first_responded_at = first_response

    customer_waits = last_outbound is None or last_inbound >= last_outbound
    if case.status == CaseStatus.RESOLVED:
        if case.resolved_at is not None and last_inbound > case.resolved_at:
            case.status = CaseStatus.OPEN  # the customer wrote again after we closed it
            case.resolved_at = None
    elif customer_waits:
        case.status = CaseStatus.NEW if first_response is None else CaseStatus.OPEN
    else:
        case.status = CaseStatus.PENDING
    _apply_route(
        case,
        inbound[0].language or inbound[0].declared_language,
        teams or _teams(session, workspace.id),
        inbound,
    )
    _summarise_triage(case, inbound)
    # Due times per priority in the team's hours (pipeline.service_levels), once the team is known.
    refresh_sla(session, case, _timeline(posts))
    return case


def _timeline(posts: Sequence[_PostFacts]) -> list[tuple[bool, datetime]]:
    """The thread as `refresh_sla` reads it: (is_inbound, created_at), in the thread's order."""
    return [(p.direction is Direction.INBOUND, p.created_at) for p in posts]


def _summarise_triage(case: Case, inbound: Sequence[_PostFacts]) -> None:
    """The case's triage fields from its customer posts (in their deterministic order)."""
    triaged = [p for p in inbound if p.sentiment is not None]
    urgencies = [p.urgency for p in triaged if p.urgency is not None]
    case.urgency = max(urgencies) if urgencies else None
    case.sentiment = triaged[-1].sentiment if triaged else None
    case.intent = triaged[0].intent if triaged else None
    case.is_complaint = any(p.is_complaint for p in triaged) if triaged else None
    case.language = inbound[0].language or inbound[0].declared_language
    place = next((p.place for p in inbound if p.place), None)
    case.place_name, case.place_country = (place["name"], place["country"]) if place else (None, None)


def refresh_case_triage(session: Session, case: Case) -> None:
    """Re-route and re-summarise a case after its posts' triage changed (not its status or clocks)."""
    target = merge_target(session, case.workspace_id, case.id)
    if target is not None:
        case = session.get_one(Case, target)
    posts, inbound = _with_merged(session, case, _thread_facts(session, case.conversation_id))
    if inbound:
        language = inbound[0].language or inbound[0].declared_language
        team = case.team_id
        _apply_route(case, language, _teams(session, case.workspace_id), inbound)
        _summarise_triage(case, inbound)
        if case.team_id != team:  # the business calendar may have changed with the team; nothing else did
            refresh_sla(session, case, _timeline(posts))


def _case_conversation(session: Session, case_id: int) -> Conversation:
    return session.get_one(Conversation, session.get_one(Case, case_id).conversation_id)


def _with_merged(
    session: Session, case: Case, posts: list[_PostFacts]
) -> tuple[list[_PostFacts], list[_PostFacts]]:
    """The case's posts with those of the duplicates merged into it (`pipeline.merges`), in the same
    deterministic order, and the customer's posts among them."""
    merged = merged_conversation_ids(session, case.workspace_id, case.id)
    if merged:
        posts = sorted(
            posts + [p for conversation in merged for p in _thread_facts(session, conversation)],
            key=lambda p: (p.created_at, p.external_id is None, p.external_id or ""),
        )
    return posts, [p for p in posts if p.direction is Direction.INBOUND]


@dataclass(frozen=True, slots=True)
class _PostFacts:
    direction: Direction
    created_at: datetime
    external_id: str | None
    customer_id: int | None
    channel_account_id: int | None
    is_private: bool
    language: str | None
    declared_language: str | None
    sentiment: Sentiment | None
    intent: Intent | None
    is_complaint: bool | None
    urgency: float | None
    place: dict[str, Any] | None  # the first place triage found in the post
    topic: str | None = None  # the post's first topic (for teams' product skills)


def _thread_facts(session: Session, conversation_id: int) -> list[_PostFacts]:
    """The conversation's posts in a deterministic order: by time, then by the network's id.

    The order depends on the posts alone, not on their surrogate ids (which depend on arrival order).
    """
    rows = session.execute(
        select(
            Post.direction,
            Post.created_at,
            Post.external_id,
            Post.customer_id,
            Post.channel_account_id,
            Post.is_private,
            Post.language,
            Post.declared_language,
            Post.id,
            Post.sentiment,
            Post.intent,
            Post.is_complaint,
            Post.urgency,
            Post.triage,
        ).where(
            Post.conversation_id == conversation_id,
            # A rule's automatic acknowledgement answers nothing: the case still waits, its clocks run.
            or_(Post.idempotency_key.is_(None), ~Post.idempotency_key.startswith(ACKNOWLEDGEMENT_KEY)),
        )
    ).all()
    rows = sorted(
        rows, key=lambda r: (as_utc(r.created_at), r.external_id is None, r.external_id or "", r.id)
    )
    return [
        _PostFacts(
            Direction(r.direction),
            as_utc(r.created_at),
            r.external_id,
            r.customer_id,
            r.channel_account_id,
            r.is_private,
            r.language,
            r.declared_language,
            r.sentiment,
            r.intent,
            r.is_complaint,
            r.urgency,
            _first_place(r.triage),
            _first_topic(r.triage),
        )
        for r in rows
    ]


def _first_topic(triage: dict[str, Any] | None) -> str | None:
    topics = (triage or {}).get("topics") or []
    return str(topics[0]["label"]) if topics else None


def _first_place(triage: dict[str, Any] | None) -> dict[str, Any] | None:
    places = (triage or {}).get("places") or []
    return places[0] if places else None


def _teams(session: Session, workspace_id: int) -> Sequence[Team]:
    return session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)).all()


def _apply_route(
    case: Case, language: str | None, teams: Sequence[Team], inbound: Sequence[_PostFacts] = ()
) -> None:
    if is_rule_route(case.routed_by) and case.team_id is not None:
        return  # a routing rule's team holds until a later rule (pipeline.rule_runs) changes it
    # Teams' skills (routing.skills): the customer's language, then their place's country and topic.
    place = next((p.place for p in inbound if p.place), None)
    topic = next((p.topic for p in inbound if p.topic), None)
    decision = route_by_skills(teams, language, place["country"] if place else None, topic)
    case.team_id = decision.team_id
    case.routed_by = decision.rule
