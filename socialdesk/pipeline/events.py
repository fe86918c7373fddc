"""Events about cases and posts, published after the transaction that made them commits.

Writers do not call anything: a hook on every SQLAlchemy session collects the Case, Post, Note and
ReplyDraft rows
each flush inserts, changes or deletes, keeps them with the transaction (a savepoint's with the
savepoint), and publishes them on the process's bus once the outermost transaction commits. A rollback,
of the whole transaction or of a savepoint, drops what it collected. New pipeline actions therefore
publish `case.updated` and friends without extra calls; `record` adds an event by hand for a change the
hook cannot see (a bulk UPDATE statement).

The process's bus is chosen once from the settings (`bus_for`): Redis Streams when
SOCIALDESK_REDIS_URL is set, otherwise the in-memory bus, which only this process reads (the web app
then also polls the database for posts other processes stored: pipeline.change_feed).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, SessionTransaction

from socialdesk.bus import Bus, Event, open_bus
from socialdesk.bus.base import (
    CASE_CREATED,
    CASE_DELETED,
    CASE_UPDATED,
    DRAFT_CREATED,
    DRAFT_UPDATED,
    NOTE_CREATED,
    NOTE_UPDATED,
    POST_CREATED,
    POST_UPDATED,
    EventData,
)
from socialdesk.core.types import DraftStatus
from socialdesk.store.models import Case, Note, Post, ReplyDraft

log = logging.getLogger(__name__)
_PENDING = "socialdesk.events"  # session.info key: {transaction: {(name, row id): Event}}
_RECENT = 5000  # (name, row id) pairs remembered so the database poll can skip what was published here

_lock = threading.Lock()
_buses: dict[str, Bus] = {}
_current: Bus | None = None
_recent: OrderedDict[tuple[int, str, int], None] = OrderedDict()  # (id of the bus, name, row id)


def bus_for(redis_url: str) -> Bus:
    """The bus for this URL ("" for in-memory), made once per process, and now the process's bus."""
    global _current
    with _lock:
        bus = _buses.get(redis_url)
        if bus is None:
            bus = _buses[redis_url] = open_bus(redis_url)
        _current = bus
        return bus


def current_bus() -> Bus:
    """The process's bus: the last one `bus_for` chose, else the one the environment's settings name."""
    if _current is not None:
        return _current
    from socialdesk.config import get_settings

    return bus_for(get_settings().redis_url.get_secret_value())


def use_bus(bus: Bus | None) -> Bus | None:
    """Make `bus` the process's bus (tests); returns the previous one so it can be put back."""
    global _current
    with _lock:
        previous, _current = _current, bus
        return previous


def recently_published(bus: Bus, name: str, row_id: int) -> bool:
    """Whether this process published the event about this row on `bus` a short while ago."""
    with _lock:
        return (id(bus), name, row_id) in _recent


def _remember(bus: Bus, name: str, row_id: int) -> None:
    key = (id(bus), name, row_id)
    with _lock:
        _recent[key] = None
        _recent.move_to_end(key)
        while len(_recent) > _RECENT:
            _recent.popitem(last=False)


def publish(event: Event, row_id: int | None = None) -> None:
    """Publish now (outside any transaction). A bus that fails is logged with what was lost: the
    commit it reports has happened, so the writer must not fail; open pages catch up on reconnect."""
    bus = current_bus()
    try:
        bus.publish(event)
    except Exception:
        log.exception("live update lost: %s in workspace %s", event.name, event.workspace_id)
        return
    if row_id is not None:
        _remember(bus, event.name, row_id)


def _case_event(case: Case, name: str, changed: list[str]) -> EventData:
    return {
        "case_id": case.id,
        "conversation_id": case.conversation_id,
        "status": case.status.value if case.status else None,
        "changed": changed,
    }


def _post_event(post: Post, name: str, changed: list[str]) -> EventData:
    return {
        "post_id": post.id,
        "conversation_id": post.conversation_id,
        "direction": post.direction.value if post.direction else None,
        "agent_id": post.agent_id,
        "changed": changed,
    }


def _note_event(note: Note, name: str, changed: list[str]) -> EventData:
    return {"note_id": note.id, "case_id": note.case_id, "agent_id": note.agent_id, "changed": changed}


def _draft_data(
    draft_id: int, case_id: int, author_id: int, status: DraftStatus | None, changed: list[str]
) -> EventData:
    value = status.value if status else None
    return {
        "draft_id": draft_id,
        "case_id": case_id,
        "agent_id": author_id,
        "status": value,
        "changed": changed,
    }


def _draft_event(draft: ReplyDraft, name: str, changed: list[str]) -> EventData:
    return _draft_data(draft.id, draft.case_id, draft.author_id, draft.status, changed)


# model -> (event names for insert, update, delete; how its data is written)
_WATCHED: dict[type[Any], tuple[str, str, str | None, Callable[[Any, str, list[str]], EventData]]] = {
    Case: (CASE_CREATED, CASE_UPDATED, CASE_DELETED, _case_event),
    Post: (POST_CREATED, POST_UPDATED, None, _post_event),
    Note: (NOTE_CREATED, NOTE_UPDATED, None, _note_event),
    ReplyDraft: (DRAFT_CREATED, DRAFT_UPDATED, None, _draft_event),
}


def _changed_columns(row: Any) -> list[str]:
    # committed_state names what was set since the last flush (cheap); history says whether the value
    # really differs, which is dearer, so it is asked of those few attributes only.
    state = sa_inspect(row)
    columns = state.mapper.column_attrs
    return sorted(
        key for key in state.committed_state if key in columns and state.attrs[key].history.has_changes()
    )


def _pending(session: Session) -> dict[SessionTransaction, dict[tuple[str, int], Event]]:
    found: dict[SessionTransaction, dict[tuple[str, int], Event]] = session.info.setdefault(_PENDING, {})
    return found


def record(session: Session, event: Event, row_id: int) -> None:
    """Publish `event` when the session's transaction commits (or never, if it rolls back)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        publish(event, row_id)
        return
    _pending(session).setdefault(transaction, {})[(event.name, row_id)] = event


def drafts_moved(
    session: Session, workspace_id: int, case_id: int, moved: Sequence[Row[int, int, DraftStatus]]
) -> None:
    """Announce drafts a bulk UPDATE moved to case `case_id` (rows of id, author_id, status): the
    hook cannot see such a statement, and an open Approvals page would go on linking the old case."""
    for draft_id, author_id, status in moved:
        data = _draft_data(draft_id, case_id, author_id, status, ["case_id"])
        record(session, Event(DRAFT_UPDATED, workspace_id, data), draft_id)


def _record_deletion(session: Session, row: Any, name: str) -> None:
    """Only what is loaded is read: touching an expired attribute of a deleted row would fail."""
    loaded = sa_inspect(row).dict
    workspace_id, row_id = loaded.get("workspace_id"), loaded.get("id")
    if workspace_id is None or row_id is None:
        log.warning("live update lost: %s of a row whose workspace was not loaded", name)
        return
    data: EventData = {"case_id": row_id, "conversation_id": loaded.get("conversation_id"), "changed": []}
    record(session, Event(name, workspace_id, data), row_id)


@sa_event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    for kind, rows in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for row in rows:
            watched = _WATCHED.get(type(row))
            if watched is None:
                continue
            created, updated, deleted, data = watched
            if kind == "deleted":
                if deleted is not None:
                    _record_deletion(session, row, deleted)
                continue
            changed = _changed_columns(row) if kind == "dirty" else []
            if kind == "dirty" and not changed:
                continue  # touched, not changed
            name = created if kind == "new" else updated
            key = (created, row.id) if kind == "dirty" else None
            pending = _pending(session)
            if key is not None and any(key in events for events in pending.values()):
                continue  # created in this transaction: one "created" event says it all
            record(session, Event(name, row.workspace_id, data(row, name, changed)), row.id)


@sa_event.listens_for(Session, "after_transaction_end")
def _close(session: Session, transaction: SessionTransaction) -> None:
    """A released savepoint hands what it collected to its parent (a rolled-back one has none left)."""
    pending = session.info.get(_PENDING)
    if not pending or transaction.parent is None:
        return
    events = pending.pop(transaction, None)
    if events:
        pending.setdefault(transaction.parent, {}).update(events)


@sa_event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    """Runs before the rolled-back transaction ends, while it is still the session's innermost one."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is None:
        pending.clear()
    else:
        pending.pop(savepoint, None)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_all(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_PENDING, None)


@sa_event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its events wait for the outermost commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for events in pending.values():
        for (_, row_id), event in events.items():
            publish(event, row_id)
