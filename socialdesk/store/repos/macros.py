"""Reading a workspace's macros: for the Macros page, and the ones offered on one case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from socialdesk.store.models import Case, Macro, Team


@dataclass(frozen=True, slots=True)
class MacroView:
    id: int
    name: str
    shortcut: str
    body: str
    team_id: int | None
    team_name: str | None
    resolves_case: bool
    tag: str | None


def list_macros(session: Session, workspace_id: int) -> list[MacroView]:
    rows = session.execute(
        select(Macro, Team.name)
        .outerjoin(Team, Team.id == Macro.team_id)
        .where(Macro.workspace_id == workspace_id)
        .order_by(Macro.name, Macro.id)
    ).all()
    return [_view(m, team) for m, team in rows]


def get_macro(session: Session, workspace_id: int, macro_id: int) -> MacroView | None:
    row = session.execute(
        select(Macro, Team.name)
        .outerjoin(Team, Team.id == Macro.team_id)
        .where(Macro.workspace_id == workspace_id, Macro.id == macro_id)
    ).first()
    return _view(*row) if row else None


def macros_for_case(session: Session, workspace_id: int, case_id: int) -> list[MacroView]:
    """The workspace-wide macros and those of the case's team, the team's first."""
    team_id = session.scalar(
        select(Case.team_id).where(Case.workspace_id == workspace_id, Case.id == case_id)
    )
    rows = session.execute(
        select(Macro, Team.name)
        .outerjoin(Team, Team.id == Macro.team_id)
        .where(
            Macro.workspace_id == workspace_id,
            or_(Macro.team_id.is_(None), Macro.team_id == team_id) if team_id else Macro.team_id.is_(None),
        )
        .order_by(Macro.team_id.is_(None), Macro.name, Macro.id)
    ).all()
    return [_view(m, team) for m, team in rows]


def _view(macro: Macro, team_name: str | None) -> MacroView:
    return MacroView(
        macro.id,
        macro.name,
        macro.shortcut,
        macro.body,
        macro.team_id,
        team_name,
        macro.resolves_case,
        macro.tag,
    )
