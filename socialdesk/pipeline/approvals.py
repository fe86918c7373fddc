"""Trainees' replies: held as drafts until an admin or a supervisor approves, edits or rejects them.

A draft is a row of `reply_drafts`, never a post, so the outbox (which sends posts only) cannot
deliver it by any path. Approving writes the outbound post through `case_actions` in the same
transaction that marks the draft approved: the reply is queued once, with the draft's own
idempotency key, however often "Approve" is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import DraftStatus
from socialdesk.pipeline import jobs
from socialdesk.pipeline.case_actions import (
    MAX_IDEMPOTENCY_KEY,
    ReplyRecorded,
    record_approved_reply,
    record_reply,
)
from socialdesk.pipeline.reply_length import measure
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Conversation, ReplyDraft

SUPERVISOR_ROLES = frozenset({"admin", "supervisor"})
MAX_COMMENT = 2000


@dataclass(frozen=True, slots=True)
class DraftSubmitted:
    draft_id: int
    created: bool  # False when the idempotency key had already submitted this draft


def is_supervisor(role: str) -> bool:
    return role in SUPERVISOR_ROLES


def submit_reply(
    db: Database,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    text: str,
    idempotency_key: str | None = None,
) -> ReplyRecorded | DraftSubmitted:
    """An agent's reply: recorded for delivery, or, from a trainee, held as a draft for approval."""
    with db.read() as session:
        trainee = session.scalar(
            select(Agent.is_trainee).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
        )
    if trainee:
        return submit_draft(db, workspace_id, case_id, agent_id, text, idempotency_key)
    return record_reply(db, workspace_id, case_id, agent_id, text, idempotency_key)


def submit_draft(
    db: Database,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    text: str,
    idempotency_key: str | None = None,
) -> DraftSubmitted:
    """Hold a reply for a supervisor. It is checked as a reply is (length on the case's network), so
    that what a supervisor approves as it stands is accepted when it is queued."""
    if not text.strip():
        raise InvalidAction("the reply is empty")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidAction(f"an idempotency key has 1 to {MAX_IDEMPOTENCY_KEY} characters")
    with db.write() as session:
        case = _case(session, workspace_id, case_id)
        if idempotency_key is not None:
            earlier = session.scalars(
                select(ReplyDraft).where(
                    ReplyDraft.workspace_id == workspace_id, ReplyDraft.idempotency_key == idempotency_key
                )
            ).first()
            if earlier is not None:
                if earlier.case_id != case.id:
                    raise InvalidAction("this idempotency key was already used for another case")
                return DraftSubmitted(earlier.id, created=False)
        _check_length(session, case, text)
        draft = ReplyDraft(
            workspace_id=workspace_id,
            case_id=case.id,
            author_id=agent_id,
            text=text,
            idempotency_key=idempotency_key,
        )
        session.add(draft)
        session.flush()
        return DraftSubmitted(draft.id, created=True)


def approve_draft(
    db: Database, workspace_id: int, draft_id: int, reviewer_id: int, edited_text: str | None = None
) -> int:
    """Approve a pending draft (with the supervisor's edit, if any): its reply is queued for delivery
    as the trainee's, and the draft records who approved it. Returns the outbound post's id."""
    with db.write() as session:
        db.lock_workspace(session, workspace_id)  # before the draft's row, in the order replies take locks
        draft = _pending(session, workspace_id, draft_id, reviewer_id)
        text = draft.text if edited_text is None or not edited_text.strip() else edited_text
        recorded = record_approved_reply(
            session, db, workspace_id, draft.case_id, draft.author_id, text, f"draft:{draft.id}", reviewer_id
        )
        draft.status = DraftStatus.APPROVED
        draft.reviewer_id = reviewer_id
        draft.reviewed_at = utcnow()
        draft.post_id = recorded.post_id
        post_id = recorded.post_id
    jobs.notify()  # after the commit: the outbox sends it now, not at its next poll
    return post_id


def reject_draft(db: Database, workspace_id: int, draft_id: int, reviewer_id: int, comment: str) -> None:
    """Reject a pending draft with a comment the trainee reads on the case page; nothing is sent."""
    comment = comment.strip()
    if not comment:
        raise InvalidAction("say why, so the trainee can learn from it: the comment is empty")
    if len(comment) > MAX_COMMENT:
        raise InvalidAction(f"a comment has at most {MAX_COMMENT} characters")
    with db.write() as session:
        draft = _pending(session, workspace_id, draft_id, reviewer_id)
        draft.status = DraftStatus.REJECTED
        draft.reviewer_id = reviewer_id
        draft.reviewed_at = utcnow()
        draft.review_comment = comment


def _case(session: Session, workspace_id: int, case_id: int) -> Case:
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _check_length(session: Session, case: Case, text: str) -> None:
    conversation = session.get_one(Conversation, case.conversation_id)
    problem = measure(conversation.network, text, private=conversation.is_private).problem
    if problem:
        raise InvalidAction(problem)


def _pending(session: Session, workspace_id: int, draft_id: int, reviewer_id: int) -> ReplyDraft:
    """The draft, locked, after checking that `reviewer_id` may review it and it still waits."""
    draft = session.scalars(
        select(ReplyDraft)
        .where(ReplyDraft.workspace_id == workspace_id, ReplyDraft.id == draft_id)
        .with_for_update()
    ).first()
    if draft is None:
        raise NotFound(f"draft {draft_id} not found")
    reviewer = session.scalars(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == reviewer_id)
    ).first()
    if reviewer is None or not is_supervisor(reviewer.role) or reviewer.is_trainee:
        raise InvalidAction("only an admin or a supervisor approves or rejects a trainee's reply")
    if draft.status is not DraftStatus.PENDING:
        raise InvalidAction(f"this draft was already {draft.status.value}")
    return draft
