"""Saved inbox views: create, rename, share, delete. The filters come checked by the inbox's own
validation (`web.filters.view_filters`); this module checks who may do what and keeps names unique.

A personal view is its owner's alone. A shared view is listed to every agent of the workspace; only
its owner or an admin changes or deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, SavedView
from socialdesk.store.repos.cases import SORTS

MAX_NAME = 100
MAX_VIEWS = 100  # per agent: a sidebar longer than this helps nobody
MAX_FILTER_VALUE = 200


@dataclass(frozen=True, slots=True)
class ViewChange:
    """What to change on a view; None leaves a field as it is."""

    name: str | None = None
    shared: bool | None = None
    filters: Mapping[str, str] | None = None
    sort: str | None = None


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidAction("a view needs a name")
    if len(name) > MAX_NAME:
        raise InvalidAction(f"a view's name has at most {MAX_NAME} characters")
    return name


def _clean_filters(filters: Mapping[str, str]) -> dict[str, str]:
    for key, value in filters.items():
        if not isinstance(value, str) or len(value) > MAX_FILTER_VALUE or len(key) > 32:
            raise InvalidAction(f"the filter {key[:32]!r} is too long")
    return dict(filters)


def _check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise InvalidAction(f"sort must be one of {', '.join(SORTS)}")
    return sort


def _agent(session: Session, workspace_id: int, agent_id: int) -> Agent:
    agent = session.scalars(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
    ).first()
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


def _name_taken(session: Session, view: SavedView, name: str) -> bool:
    clash = session.scalar(
        select(SavedView.id).where(
            SavedView.workspace_id == view.workspace_id,
            SavedView.owner_id == view.owner_id,
            SavedView.name == name,
            SavedView.id != view.id if view.id is not None else SavedView.id.is_not(None),
        )
    )
    return clash is not None


def create_view(
    db: Database,
    workspace_id: int,
    agent_id: int,
    name: str,
    filters: Mapping[str, str],
    sort: str = "newest",
    *,
    shared: bool = False,
) -> int:
    """Save a view for the agent (shared with the workspace if asked); returns its id."""
    name = _clean_name(name)
    cleaned = _clean_filters(filters)
    _check_sort(sort)
    with db.write() as session:
        agent = _agent(session, workspace_id, agent_id)
        count = len(session.scalars(select(SavedView.id).where(SavedView.owner_id == agent.id)).all())
        if count >= MAX_VIEWS:
            raise InvalidAction(f"an agent keeps at most {MAX_VIEWS} views; delete one first")
        view = SavedView(
            workspace_id=workspace_id, owner_id=agent.id, name=name, shared=shared, filters=cleaned, sort=sort
        )
        if _name_taken(session, view, name):
            raise InvalidAction(f"you already have a view called {name!r}")
        session.add(view)
        session.flush()
        return view.id


def _editable(session: Session, workspace_id: int, agent_id: int, view_id: int) -> SavedView:
    agent = _agent(session, workspace_id, agent_id)
    view = session.scalars(
        select(SavedView).where(SavedView.workspace_id == workspace_id, SavedView.id == view_id)
    ).first()
    # Another agent's personal view does not exist as far as this agent can tell.
    if view is None or (view.owner_id != agent.id and not view.shared):
        raise NotFound(f"view {view_id} not found")
    if view.owner_id != agent.id and agent.role != "admin":
        raise InvalidAction("only its owner or an admin can change a shared view")
    return view


def update_view(db: Database, workspace_id: int, agent_id: int, view_id: int, change: ViewChange) -> None:
    """Rename, share or unshare a view, or give it new filters."""
    with db.write() as session:
        view = _editable(session, workspace_id, agent_id, view_id)
        if change.name is not None:
            name = _clean_name(change.name)
            if _name_taken(session, view, name):
                raise InvalidAction(f"there is already a view called {name!r}")
            view.name = name
        if change.shared is not None:
            view.shared = change.shared
        if change.filters is not None:
            view.filters = _clean_filters(change.filters)
        if change.sort is not None:
            view.sort = _check_sort(change.sort)
        view.updated_at = utcnow()


def delete_view(db: Database, workspace_id: int, agent_id: int, view_id: int) -> None:
    with db.write() as session:
        session.delete(_editable(session, workspace_id, agent_id, view_id))
