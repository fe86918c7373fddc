"""Internal notes on a case, and the @mentions in them that tell a colleague to look."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Mention, Note
from socialdesk.store.repos.mentions import handle_directory

MAX_NOTE = 5000
# An @ that starts a word: not the middle of an e-mail address (ana@example.com) or "@@".
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.-]*)")


@dataclass(frozen=True, slots=True)
class NoteAdded:
    note_id: int
    mentioned: tuple[int, ...]  # agent ids, in the order the note names them


def mentioned_handles(body: str) -> list[str]:
    """The @handles in `body`, lower-cased, each once, a sentence's final dot or dash dropped."""
    found = (m.group(1).rstrip(".-").lower() for m in _MENTION.finditer(body))
    return list(dict.fromkeys(h for h in found if h))


def add_note(db: Database, workspace_id: int, case_id: int, agent_id: int, body: str) -> NoteAdded:
    """Store an internal note and a mention for every agent of the workspace it names with @handle.

    A handle resolves only among the workspace's active agents: an agent of another workspace, an
    unknown name or a handle two agents share is left as plain text. The author is not notified of
    naming themselves.
    """
    body = body.strip()
    if not body:
        raise InvalidAction("the note is empty")
    if len(body) > MAX_NOTE:
        raise InvalidAction(f"a note has at most {MAX_NOTE} characters")
    with db.write() as session:
        case = session.scalar(select(Case.id).where(Case.workspace_id == workspace_id, Case.id == case_id))
        if case is None:
            raise NotFound(f"case {case_id} not found")
        note = Note(workspace_id=workspace_id, case_id=case_id, agent_id=agent_id, body=body)
        session.add(note)
        session.flush()
        directory = handle_directory(session, workspace_id)
        mentioned: list[int] = []
        for handle in mentioned_handles(body):
            target = directory.get(handle)
            if target is not None and target != agent_id and target not in mentioned:
                mentioned.append(target)
                session.add(Mention(workspace_id=workspace_id, note_id=note.id, agent_id=target))
        return NoteAdded(note.id, tuple(mentioned))


def mark_mentions_read(db: Database, workspace_id: int, agent_id: int, case_id: int | None = None) -> int:
    """Mark the agent's unread mentions read (only those on `case_id`, when given); returns how many."""
    with db.write() as session:
        query = update(Mention).where(
            Mention.workspace_id == workspace_id, Mention.agent_id == agent_id, Mention.read_at.is_(None)
        )
        if case_id is not None:
            query = query.where(
                Mention.note_id.in_(
                    select(Note.id).where(Note.workspace_id == workspace_id, Note.case_id == case_id)
                )
            )
        result = session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)
