"""Reading internal notes and @mentions: a case's notes, who can be mentioned, an agent's mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from socialdesk.store.models import Agent, Case, Mention, Note


@dataclass(frozen=True, slots=True)
class MentionableAgent:
    agent_id: int
    handle: str  # what `@handle` in a note resolves to
    name: str


@dataclass(frozen=True, slots=True)
class NoteView:
    id: int
    author_name: str | None
    body: str
    created_at: datetime
    mentioned: list[str]  # names of the agents the note mentions


@dataclass(frozen=True, slots=True)
class MentionView:
    id: int
    case_id: int
    note_id: int
    author_name: str | None
    body: str
    created_at: datetime
    read_at: datetime | None


def handles_of(name: str, email: str) -> set[str]:
    """The @handles an agent answers to: their e-mail's local part, and their name joined by dots."""
    local = email.split("@", 1)[0].lower()
    dotted = ".".join(re.sub(r"[^\w.-]+", " ", name.lower()).split())
    return {h for h in (local, dotted) if h}


def mention_handle(email: str) -> str:
    """The handle autocomplete inserts (the e-mail's local part: short, and unique more often than names)."""
    return email.split("@", 1)[0].lower()


def mentionable_agents(session: Session, workspace_id: int) -> list[MentionableAgent]:
    agents = session.scalars(
        select(Agent)
        .where(Agent.workspace_id == workspace_id, Agent.is_active.is_(True))
        .order_by(Agent.name)
    )
    return [MentionableAgent(a.id, mention_handle(a.email), a.name) for a in agents]


def handle_directory(session: Session, workspace_id: int) -> dict[str, int | None]:
    """handle -> agent id for the workspace's active agents; None for a handle two agents share."""
    directory: dict[str, int | None] = {}
    agents = session.execute(
        select(Agent.id, Agent.name, Agent.email).where(
            Agent.workspace_id == workspace_id, Agent.is_active.is_(True)
        )
    ).all()
    for agent_id, name, email in agents:
        for handle in handles_of(name, email):
            directory[handle] = agent_id if directory.get(handle, agent_id) == agent_id else None
    return directory


def case_notes(session: Session, workspace_id: int, case_id: int) -> list[NoteView]:
    author = aliased(Agent)
    rows = session.execute(
        select(Note, author.name)
        .outerjoin(author, author.id == Note.agent_id)
        .where(Note.workspace_id == workspace_id, Note.case_id == case_id)
        .order_by(Note.created_at, Note.id)
    ).all()
    names: dict[int, list[str]] = {}
    if rows:
        for note_id, name in session.execute(
            select(Mention.note_id, Agent.name)
            .join(Agent, Agent.id == Mention.agent_id)
            .where(Mention.workspace_id == workspace_id, Mention.note_id.in_([n.id for n, _ in rows]))
            .order_by(Agent.name)
        ):
            names.setdefault(note_id, []).append(name)
    return [NoteView(n.id, name, n.body, n.created_at, names.get(n.id, [])) for n, name in rows]


def unread_mention_count(
    session: Session, workspace_id: int, agent_id: int, case_id: int | None = None
) -> int:
    """The agent's unread mentions (only those in notes on `case_id`, when given)."""
    query = select(func.count(Mention.id)).where(
        Mention.workspace_id == workspace_id, Mention.agent_id == agent_id, Mention.read_at.is_(None)
    )
    if case_id is not None:
        query = query.where(
            Mention.note_id.in_(
                select(Note.id).where(Note.workspace_id == workspace_id, Note.case_id == case_id)
            )
        )
    return int(session.scalar(query) or 0)


def agent_mentions(session: Session, workspace_id: int, agent_id: int, limit: int = 100) -> list[MentionView]:
    """The agent's mentions, unread first, newest first."""
    author = aliased(Agent)
    rows = session.execute(
        select(Mention, Note, author.name)
        .join(Note, Note.id == Mention.note_id)
        .join(Case, Case.id == Note.case_id)
        .outerjoin(author, author.id == Note.agent_id)
        .where(
            Mention.workspace_id == workspace_id,
            Mention.agent_id == agent_id,
            Case.workspace_id == workspace_id,
        )
        .order_by(Mention.read_at.is_not(None), Mention.created_at.desc(), Mention.id.desc())
        .limit(limit)
    ).all()
    return [
        MentionView(m.id, note.case_id, note.id, name, note.body, m.created_at, m.read_at)
        for m, note, name in rows
    ]
