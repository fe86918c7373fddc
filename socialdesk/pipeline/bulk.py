"""Bulk actions from the inbox: one change applied to many cases in one transaction, all or none.

Every selected case is checked first; if any cannot take the change (not in the workspace, a merged
duplicate being reopened, ...) nothing is written and the caller gets every row's problem at once,
so an agent fixes the selection and tries again rather than guessing which half went through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import CaseStatus, Priority
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, CaseMerge, Tag, Team

MAX_SELECTION = 200
MAX_TAG = 100
BULK_STATUSES = (CaseStatus.RESOLVED, CaseStatus.OPEN)


@dataclass(frozen=True, slots=True)
class BulkChange:
    """What to apply; None leaves a field alone. `clear_team` / `unassign` take the team or agent off."""

    status: CaseStatus | None = None
    team_id: int | None = None
    clear_team: bool = False
    assignee_id: int | None = None
    unassign: bool = False
    tag: str | None = None
    priority: Priority | None = None

    @property
    def empty(self) -> bool:
        return (
            self.status is None
            and self.team_id is None
            and not self.clear_team
            and self.assignee_id is None
            and not self.unassign
            and not self.tag
            and self.priority is None
        )


@dataclass(frozen=True, slots=True)
class RowProblem:
    case_id: int
    reason: str


class BulkRefused(InvalidAction):
    """Some selected cases cannot take the change; nothing was changed."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__("; ".join(f"#{p.case_id}: {p.reason}" for p in problems))
        self.problems = list(problems)


def apply_bulk(
    db: Database, workspace_id: int, agent_id: int, case_ids: Sequence[int], change: BulkChange
) -> int:
    """Apply `change` to the cases `case_ids` of the workspace; returns how many cases were selected.

    Raises InvalidAction for an empty selection or change, an unknown team, agent or status, and
    `BulkRefused` (with a problem per case) when any selected case cannot take it.
    """
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise InvalidAction("select at least one case")
    if len(ids) > MAX_SELECTION:
        raise InvalidAction(f"select at most {MAX_SELECTION} cases at once")
    if change.empty:
        raise InvalidAction("choose a change to apply to the selected cases")
    if change.status is not None and change.status not in BULK_STATUSES:
        raise InvalidAction("cases can be resolved or reopened in bulk, not set to " + change.status.value)
    tag_name = " ".join(change.tag.split()) if change.tag else None
    if change.tag is not None and (not tag_name or len(tag_name) > MAX_TAG):
        raise InvalidAction(f"a tag has 1 to {MAX_TAG} characters")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        _check_targets(session, workspace_id, change)
        by = session.scalars(
            select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
        ).one()
        cases = {
            c.id: c
            for c in session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id.in_(ids)))
        }
        merged = set(
            session.scalars(
                select(CaseMerge.source_case_id).where(
                    CaseMerge.workspace_id == workspace_id, CaseMerge.source_case_id.in_(ids)
                )
            )
        )
        problems = [p for i in ids if (p := _problem(i, cases.get(i), i in merged, change)) is not None]
        if problems:
            raise BulkRefused(problems)
        tag = _tag(session, workspace_id, tag_name) if tag_name else None
        now = utcnow()
        for case_id in ids:
            _apply(cases[case_id], change, tag, now, by.name)
        session.flush()
    return len(ids)


def _check_targets(session: Session, workspace_id: int, change: BulkChange) -> None:
    if change.team_id is not None:
        team = session.scalar(
            select(Team.id).where(Team.workspace_id == workspace_id, Team.id == change.team_id)
        )
        if team is None:
            raise InvalidAction(f"there is no team {change.team_id} in this workspace")
    if change.assignee_id is not None:
        agent = session.scalars(
            select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == change.assignee_id)
        ).first()
        if agent is None or not agent.is_active:
            raise InvalidAction(f"there is no active agent {change.assignee_id} in this workspace")


def _problem(case_id: int, case: Case | None, merged: bool, change: BulkChange) -> RowProblem | None:
    if case is None:
        return RowProblem(case_id, "no such case in this workspace")
    if merged and change.status is CaseStatus.OPEN:
        return RowProblem(case_id, "a merged duplicate stays resolved; reopen the case it was merged into")
    if merged and (change.assignee_id is not None or change.team_id is not None):
        return RowProblem(case_id, "a merged duplicate is handled in the case it was merged into")
    return None


def _tag(session: Session, workspace_id: int, name: str) -> Tag:
    tag = session.scalars(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name)).first()
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name)
        session.add(tag)
        session.flush()
    return tag


def _apply(case: Case, change: BulkChange, tag: Tag | None, now: datetime, by: str) -> None:
    if change.status is CaseStatus.RESOLVED and case.status != CaseStatus.RESOLVED:
        case.status = CaseStatus.RESOLVED
        case.resolved_at = now
    elif change.status is CaseStatus.OPEN and case.status == CaseStatus.RESOLVED:
        case.status = CaseStatus.OPEN
        case.resolved_at = None
    if change.clear_team:
        case.team_id = None
    elif change.team_id is not None:
        case.team_id = change.team_id
        case.routed_by = f"reassigned by {by}"[:64]
    if change.unassign:
        case.assignee_id = None
        case.assigned_at = None
    elif change.assignee_id is not None and case.assignee_id != change.assignee_id:
        case.assignee_id = change.assignee_id
        case.assigned_at = now
    if change.priority is not None:
        case.priority = change.priority
    if tag is not None and tag not in case.tags:
        case.tags.append(tag)
