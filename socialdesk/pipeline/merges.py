"""Merging a duplicate case (B) into the case that carries on (A).

B keeps its conversation and its own posts, so that threading still finds them by the network's ids;
what changes is who tracks them. A `CaseMerge` row points B at A; from then on A's thread, clocks,
status and triage are computed over both conversations' posts (`pipeline.cases.refresh_thread`, which
also sends B's future posts to A). B is resolved and says "merged into #A"; its notes move to A and its
tags are added to A's. Merging again is a no-op; a case is merged into one case at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Priority
from socialdesk.pipeline import events
from socialdesk.pipeline.cases import refresh_thread
from socialdesk.store.db import Database
from socialdesk.store.models import Case, CaseMerge, Conversation, Note, ReplyDraft, Workspace
from socialdesk.store.repos.merges import merge_target

_PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


class DifferentCustomers(InvalidAction):
    """The two cases belong to different customers; merging them needs the agent's confirmation."""


@dataclass(frozen=True, slots=True)
class Merged:
    target_case_id: int
    source_case_id: int
    changed: bool  # False when the source had already been merged into the target


def _case(session: Session, workspace_id: int, case_id: int) -> Case:
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def merge_cases(
    db: Database,
    workspace_id: int,
    agent_id: int | None,
    target_id: int,
    source_id: int,
    *,
    confirm_different_customers: bool = False,
) -> Merged:
    """Merge case `source_id` into case `target_id`, both of the workspace, in one transaction.

    Raises NotFound for a case outside the workspace, `DifferentCustomers` when the customers differ
    and the agent did not confirm, and InvalidAction for a merge that cannot be (into itself, into a
    duplicate, or of a case already merged elsewhere).
    """
    if target_id == source_id:
        raise InvalidAction("a case cannot be merged into itself")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        merged = _merge(session, workspace_id, agent_id, target_id, source_id, confirm_different_customers)
        session.flush()
        return merged


def merge_many(
    db: Database,
    workspace_id: int,
    agent_id: int | None,
    case_ids: list[int],
    *,
    confirm_different_customers: bool = False,
) -> Merged | None:
    """Merge the selected cases into the one among them opened first, all or none."""
    ids = sorted(set(case_ids))
    if len(ids) < 2:
        raise InvalidAction("select at least two cases to merge")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        cases = [_case(session, workspace_id, i) for i in ids]
        target = min(cases, key=lambda c: (c.opened_at, c.id))
        last: Merged | None = None
        for source in cases:
            if source.id != target.id:
                last = _merge(
                    session, workspace_id, agent_id, target.id, source.id, confirm_different_customers
                )
        session.flush()
        return last


def _merge(
    session: Session,
    workspace_id: int,
    agent_id: int | None,
    target_id: int,
    source_id: int,
    confirmed: bool,
) -> Merged:
    target = _case(session, workspace_id, target_id)
    source = _case(session, workspace_id, source_id)
    earlier = merge_target(session, workspace_id, source.id)
    if earlier == target.id:
        return Merged(target.id, source.id, changed=False)
    if earlier is not None:
        raise InvalidAction(f"case #{source.id} was already merged into #{earlier}")
    into = merge_target(session, workspace_id, target.id)
    if into is not None:
        raise InvalidAction(f"case #{target.id} was merged into #{into}: merge into #{into} instead")
    if source.customer_id != target.customer_id and not confirmed:
        raise DifferentCustomers(
            f"cases #{target.id} and #{source.id} are from different customers; confirm to merge them"
        )
    now = utcnow()
    # Duplicates merged into the source before now live on in the target too: one level, never chains.
    session.execute(
        update(CaseMerge)
        .where(CaseMerge.workspace_id == workspace_id, CaseMerge.target_case_id == source.id)
        .values(target_case_id=target.id)
    )
    session.add(
        CaseMerge(
            workspace_id=workspace_id,
            source_case_id=source.id,
            target_case_id=target.id,
            agent_id=agent_id,
            merged_at=now,
        )
    )
    session.execute(
        update(Note)
        .where(Note.workspace_id == workspace_id, Note.case_id == source.id)
        .values(case_id=target.id)
    )
    moved = session.execute(  # a trainee's draft awaiting approval is answered on the case that lives on
        update(ReplyDraft)
        .where(ReplyDraft.workspace_id == workspace_id, ReplyDraft.case_id == source.id)
        .values(case_id=target.id)
        .returning(ReplyDraft.id, ReplyDraft.author_id, ReplyDraft.status)
    ).all()
    events.drafts_moved(session, workspace_id, target.id, moved)
    for tag in source.tags:
        if tag not in target.tags:
            target.tags.append(tag)
    if target.assignee_id is None and source.assignee_id is not None:
        target.assignee_id = source.assignee_id
    target.priority = max(target.priority, source.priority, key=_PRIORITY_ORDER.index)
    session.add(
        Note(
            workspace_id=workspace_id,
            case_id=target.id,
            agent_id=agent_id,
            body=f"Case #{source.id} was merged into this case.",
            created_at=now,
        )
    )
    source.status = CaseStatus.RESOLVED
    source.resolved_at = now
    session.flush()
    workspace = session.get_one(Workspace, workspace_id)
    refresh_thread(session, workspace, session.get_one(Conversation, target.conversation_id))
    return Merged(target.id, source.id, changed=True)
