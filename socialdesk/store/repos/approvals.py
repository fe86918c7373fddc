"""Reading trainees' reply drafts: the supervisors' queue, a case's drafts, a trainee's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from socialdesk.core.types import DraftStatus
from socialdesk.store.models import Agent, Case, Post, ReplyDraft

# The draft, its author's and reviewer's names, and the approved post's text (outer joins: None).
_DraftRows = Select[ReplyDraft, str, str, str]


@dataclass(frozen=True, slots=True)
class DraftView:
    id: int
    case_id: int
    author_id: int
    author_name: str
    text: str
    status: DraftStatus
    created_at: datetime
    reviewer_name: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    post_id: int | None
    sent_text: str | None  # the approved post's text: differs from `text` when the supervisor edited it

    @property
    def edited(self) -> bool:
        return self.sent_text is not None and self.sent_text != self.text


def _drafts(workspace_id: int) -> _DraftRows:
    author = aliased(Agent)
    reviewer = aliased(Agent)
    return (
        select(ReplyDraft, author.name, reviewer.name, Post.text)
        .join(author, author.id == ReplyDraft.author_id)
        .join(Case, Case.id == ReplyDraft.case_id)
        .outerjoin(reviewer, reviewer.id == ReplyDraft.reviewer_id)
        .outerjoin(Post, Post.id == ReplyDraft.post_id)
        .where(ReplyDraft.workspace_id == workspace_id, Case.workspace_id == workspace_id)
    )


def _views(session: Session, query: _DraftRows) -> list[DraftView]:
    return [
        DraftView(
            d.id,
            d.case_id,
            d.author_id,
            author,
            d.text,
            d.status,
            d.created_at,
            reviewer,
            d.reviewed_at,
            d.review_comment,
            d.post_id,
            sent,
        )
        for d, author, reviewer, sent in session.execute(query).all()
    ]


def pending_drafts(session: Session, workspace_id: int, limit: int = 200) -> list[DraftView]:
    """The approval queue: drafts waiting for a supervisor, oldest first (the customer waits longest)."""
    query = (
        _drafts(workspace_id)
        .where(ReplyDraft.status == DraftStatus.PENDING)
        .order_by(ReplyDraft.created_at, ReplyDraft.id)
        .limit(limit)
    )
    return _views(session, query)


def case_drafts(session: Session, workspace_id: int, case_id: int) -> list[DraftView]:
    query = (
        _drafts(workspace_id)
        .where(ReplyDraft.case_id == case_id)
        .order_by(ReplyDraft.created_at, ReplyDraft.id)
    )
    return _views(session, query)


def author_drafts(session: Session, workspace_id: int, author_id: int, limit: int = 100) -> list[DraftView]:
    """A trainee's own drafts, newest first."""
    query = (
        _drafts(workspace_id)
        .where(ReplyDraft.author_id == author_id)
        .order_by(ReplyDraft.created_at.desc(), ReplyDraft.id.desc())
        .limit(limit)
    )
    return _views(session, query)


def pending_count(session: Session, workspace_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(ReplyDraft.id)).where(
                ReplyDraft.workspace_id == workspace_id, ReplyDraft.status == DraftStatus.PENDING
            )
        )
        or 0
    )


def is_trainee(session: Session, workspace_id: int, agent_id: int) -> bool:
    return bool(
        session.scalar(
            select(Agent.is_trainee).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
        )
    )


@dataclass(frozen=True, slots=True)
class RosterRow:
    agent_id: int
    name: str
    email: str
    role: str
    is_trainee: bool


def training_roster(session: Session, workspace_id: int) -> list[RosterRow]:
    """The workspace's active agents with their role and training flag, for admins."""
    agents = session.scalars(
        select(Agent)
        .where(Agent.workspace_id == workspace_id, Agent.is_active.is_(True))
        .order_by(Agent.name)
    )
    return [RosterRow(a.id, a.name, a.email, a.role, a.is_trainee) for a in agents]
