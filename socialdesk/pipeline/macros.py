"""Saving a workspace's macros, and what a macro does besides filling the reply box."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus
from socialdesk.pipeline import macro_text
from socialdesk.pipeline.case_actions import change_status
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Macro, Tag, Team

_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True, slots=True)
class MacroIn:
    name: str
    shortcut: str
    body: str
    team_id: int | None = None
    resolves_case: bool = False
    tag: str | None = None


def _checked(session: Session, workspace_id: int, given: MacroIn, macro_id: int | None) -> MacroIn:
    name = given.name.strip()
    if not 0 < len(name) <= 100:
        raise InvalidAction("a macro's name has 1 to 100 characters")
    shortcut = given.shortcut.strip().lower()
    if not _SHORTCUT.fullmatch(shortcut):
        raise InvalidAction(
            "a shortcut has 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    macro_text.check(given.body)
    taken = session.scalar(
        select(Macro.id).where(Macro.workspace_id == workspace_id, Macro.shortcut == shortcut)
    )
    if taken is not None and taken != macro_id:
        raise InvalidAction(f"the shortcut {shortcut!r} is already another macro's")
    if given.team_id is not None:
        team = session.scalar(
            select(Team.id).where(Team.workspace_id == workspace_id, Team.id == given.team_id)
        )
        if team is None:
            raise InvalidAction("that team is not in your workspace")
    tag = (given.tag or "").strip() or None
    if tag is not None and len(tag) > 100:
        raise InvalidAction("a tag has at most 100 characters")
    return MacroIn(name, shortcut, given.body.strip(), given.team_id, given.resolves_case, tag)


def create_macro(db: Database, workspace_id: int, agent_id: int | None, given: MacroIn) -> int:
    """Store a new macro; InvalidAction names what is wrong with it (an unknown variable, say)."""
    with db.write() as session:
        clean = _checked(session, workspace_id, given, None)
        macro = Macro(
            workspace_id=workspace_id,
            team_id=clean.team_id,
            name=clean.name,
            shortcut=clean.shortcut,
            body=clean.body,
            resolves_case=clean.resolves_case,
            tag=clean.tag,
            created_by_id=agent_id,
        )
        session.add(macro)
        session.flush()
        return macro.id


def _macro(session: Session, workspace_id: int, macro_id: int) -> Macro:
    macro = session.scalars(
        select(Macro).where(Macro.workspace_id == workspace_id, Macro.id == macro_id)
    ).first()
    if macro is None:
        raise NotFound(f"macro {macro_id} not found")
    return macro


def update_macro(db: Database, workspace_id: int, macro_id: int, given: MacroIn) -> None:
    with db.write() as session:
        macro = _macro(session, workspace_id, macro_id)
        clean = _checked(session, workspace_id, given, macro_id)
        macro.name = clean.name
        macro.shortcut = clean.shortcut
        macro.body = clean.body
        macro.team_id = clean.team_id
        macro.resolves_case = clean.resolves_case
        macro.tag = clean.tag
        macro.updated_at = utcnow()


def delete_macro(db: Database, workspace_id: int, macro_id: int) -> None:
    with db.write() as session:
        session.delete(_macro(session, workspace_id, macro_id))


def apply_after_reply(db: Database, workspace_id: int, case_id: int, macro_id: int) -> None:
    """Run the macro's actions once the reply it filled in is recorded: tag the case, resolve it.

    A macro of another workspace, or one deleted meanwhile, does nothing: the reply itself stands.
    """
    with db.write() as session:
        macro = session.scalars(
            select(Macro).where(Macro.workspace_id == workspace_id, Macro.id == macro_id)
        ).first()
        if macro is None:
            return
        resolves = macro.resolves_case
        if macro.tag:
            case = session.scalars(
                select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)
            ).first()
            if case is None:
                raise NotFound(f"case {case_id} not found")
            tag = session.scalars(
                select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == macro.tag)
            ).first()
            if tag is None:
                tag = Tag(workspace_id=workspace_id, name=macro.tag)
                session.add(tag)
            if tag not in case.tags:
                case.tags.append(tag)
    if resolves:
        change_status(db, workspace_id, case_id, CaseStatus.RESOLVED)
