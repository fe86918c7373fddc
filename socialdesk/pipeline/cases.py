"""Cases: opened by a customer's first post in a conversation, moved by new posts and by agents.

A case's derived fields (when it opened, its status after new posts, its due times, its team) are
computed from the conversation's posts as a whole, never from the order posts arrived in; an import
that is interrupted and run again therefore ends exactly where one uninterrupted import ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc
from socialdesk.core.types import CaseStatus, Direction
from socialdesk.routing.rules import route_by_language
from socialdesk.routing.sla import SlaPolicy, due_times
from socialdesk.store.models import Case, Conversation, Post, Team, Workspace


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

    opened_at = inbound[0].created_at
    last_inbound = max(p.created_at for p in inbound)
    outbound_times = [p.created_at for p in posts if p.direction is Direction.OUTBOUND]
    last_outbound = max(outbound_times, default=None)
    first_response = min((t for t in outbound_times if t >= opened_at), default=None)

    case = session.scalars(select(Case).where(Case.conversation_id == conversation.id)).first()
    if case is None:
        case = Case(workspace_id=workspace.id, conversation_id=conversation.id, status=CaseStatus.NEW)
        session.add(case)
    case.network = conversation.network
    case.customer_id = conversation.customer_id
    case.channel_account_id = conversation.channel_account_id
    case.opened_at = opened_at
    case.last_inbound_at = last_inbound
    case.last_activity_at = conversation.last_activity_at
    case.first_responded_at = first_response
    policy = SlaPolicy(workspace.sla_first_response_minutes, workspace.sla_resolution_minutes)
    due = due_times(opened_at, policy)
    case.first_response_due_at = due.first_response
    case.resolution_due_at = due.resolution

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
        case, inbound[0].language or inbound[0].declared_language, teams or _teams(session, workspace.id)
    )
    return case


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
        ).where(Post.conversation_id == conversation_id)
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
        )
        for r in rows
    ]


def _teams(session: Session, workspace_id: int) -> Sequence[Team]:
    return session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)).all()


def _apply_route(case: Case, language: str | None, teams: Sequence[Team]) -> None:
    decision = route_by_language(teams, language)
    case.team_id = decision.team_id
    case.routed_by = decision.rule


def route_cases(session: Session, cases: Sequence[Case]) -> None:
    """Put each case on the team for the language of the customer's first post in it."""
    first: dict[int, tuple[datetime, str, str | None]] = {}
    rows = session.execute(
        select(
            Post.conversation_id, Post.created_at, Post.external_id, Post.language, Post.declared_language
        ).where(
            Post.conversation_id.in_([c.conversation_id for c in cases]), Post.direction == Direction.INBOUND
        )
    )
    for conversation_id, created_at, external_id, language, declared in rows:
        key = (as_utc(created_at), external_id or "", language or declared)
        if conversation_id not in first or key[:2] < first[conversation_id][:2]:
            first[conversation_id] = key
    teams: dict[int, Sequence[Team]] = {}
    for case in cases:
        if case.workspace_id not in teams:
            teams[case.workspace_id] = _teams(session, case.workspace_id)
        language = first[case.conversation_id][2] if case.conversation_id in first else None
        _apply_route(case, language, teams[case.workspace_id])
