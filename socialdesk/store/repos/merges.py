"""Reading merged cases: which case a duplicate lives on in, and which duplicates a case took in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.store.models import Case, CaseMerge


@dataclass(frozen=True, slots=True)
class MergeState:
    merged_into: int | None  # the case this one was merged into
    merged_cases: list[int]  # the cases merged into this one, oldest merge first


def merge_target(session: Session, workspace_id: int, case_id: int) -> int | None:
    """The case that `case_id` was merged into, or None."""
    return session.scalar(
        select(CaseMerge.target_case_id).where(
            CaseMerge.workspace_id == workspace_id, CaseMerge.source_case_id == case_id
        )
    )


def merged_sources(session: Session, workspace_id: int, case_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CaseMerge.source_case_id)
            .where(CaseMerge.workspace_id == workspace_id, CaseMerge.target_case_id == case_id)
            .order_by(CaseMerge.merged_at, CaseMerge.id)
        )
    )


def merged_conversation_ids(session: Session, workspace_id: int, case_id: int) -> list[int]:
    """The conversations of the cases merged into `case_id` (its thread shows their posts too)."""
    return list(
        session.scalars(
            select(Case.conversation_id)
            .join(CaseMerge, CaseMerge.source_case_id == Case.id)
            .where(CaseMerge.workspace_id == workspace_id, CaseMerge.target_case_id == case_id)
            .order_by(Case.conversation_id)
        )
    )


def merge_state(session: Session, workspace_id: int, case_id: int) -> MergeState:
    return MergeState(
        merge_target(session, workspace_id, case_id), merged_sources(session, workspace_id, case_id)
    )
