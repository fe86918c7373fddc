"""A customer's history for the case page: their other conversations on every network, with the
case each one became, newest activity first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from socialdesk.core.types import CaseStatus, Direction
from socialdesk.store.models import Case, CaseMerge, Conversation, Post
from socialdesk.store.repos.merges import merged_conversation_ids

MAX_ENTRIES = 50


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    conversation_id: int
    network: str
    is_private: bool
    started_at: datetime
    last_activity_at: datetime
    posts: int
    snippet: str | None  # the customer's latest words in it
    case_id: int | None  # None for a conversation that never had a customer post of theirs
    case_status: CaseStatus | None
    merged_into: int | None  # the case the conversation's case was merged into


def customer_history(session: Session, workspace_id: int, case_id: int) -> list[HistoryEntry]:
    """The conversations the case's customer took part in, except this case's own thread."""
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        return []
    customers = {
        c
        for c in session.scalars(
            select(Case.customer_id)
            .outerjoin(CaseMerge, CaseMerge.source_case_id == Case.id)
            .where(
                Case.workspace_id == workspace_id,
                or_(Case.id == case_id, CaseMerge.target_case_id == case_id),
            )
        )
        if c is not None
    }
    if not customers:
        return []
    own = {case.conversation_id, *merged_conversation_ids(session, workspace_id, case_id)}
    # A customer also takes part in threads another person started (a reply under someone's post).
    took_part = select(Post.conversation_id).where(
        Post.workspace_id == workspace_id, Post.customer_id.in_(customers)
    )
    latest = aliased(Post)
    snippet = (
        select(latest.text)
        .where(
            latest.conversation_id == Conversation.id,
            latest.direction == Direction.INBOUND,
            latest.customer_id.in_(customers),
        )
        .order_by(latest.created_at.desc(), latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    count = select(func.count(Post.id)).where(Post.conversation_id == Conversation.id).scalar_subquery()
    rows = session.execute(
        select(Conversation, Case.id, Case.status, CaseMerge.target_case_id, count, snippet)
        .outerjoin(Case, Case.conversation_id == Conversation.id)
        .outerjoin(CaseMerge, CaseMerge.source_case_id == Case.id)
        .where(
            Conversation.workspace_id == workspace_id,
            or_(Conversation.customer_id.in_(customers), Conversation.id.in_(took_part)),
            Conversation.id.not_in(own),
        )
        .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
        .limit(MAX_ENTRIES)
    ).all()
    return [
        HistoryEntry(
            conversation_id=conversation.id,
            network=conversation.network,
            is_private=conversation.is_private,
            started_at=conversation.started_at,
            last_activity_at=conversation.last_activity_at,
            posts=posts,
            snippet=text,
            case_id=other_case,
            case_status=status,
            merged_into=target,
        )
        for conversation, other_case, status, target, posts, text in rows
    ]
