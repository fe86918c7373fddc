"""Reading saved inbox views: the ones an agent may see (their own and the workspace's shared ones)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from socialdesk.store.models import Agent, SavedView


@dataclass(frozen=True, slots=True)
class SavedViewRow:
    id: int
    name: str
    shared: bool
    owner_name: str
    mine: bool  # the reader owns it (and may rename or delete it)
    filters: dict[str, str]
    sort: str

    @property
    def query(self) -> str:
        """The inbox query string that applies the view."""
        params = dict(self.filters)
        if self.sort != "newest":
            params["sort"] = self.sort
        params["view"] = str(self.id)
        return urlencode(params)


def _row(view: SavedView, owner: str, agent_id: int) -> SavedViewRow:
    return SavedViewRow(
        id=view.id,
        name=view.name,
        shared=view.shared,
        owner_name=owner,
        mine=view.owner_id == agent_id,
        filters={str(k): str(v) for k, v in (view.filters or {}).items()},
        sort=view.sort,
    )


def list_views(session: Session, workspace_id: int, agent_id: int) -> list[SavedViewRow]:
    """The agent's own views, then the views others shared, each by name."""
    rows = session.execute(
        select(SavedView, Agent.name)
        .join(Agent, Agent.id == SavedView.owner_id)
        .where(
            SavedView.workspace_id == workspace_id,
            or_(SavedView.owner_id == agent_id, SavedView.shared.is_(True)),
        )
        .order_by(SavedView.owner_id != agent_id, SavedView.name, SavedView.id)
    ).all()
    return [_row(view, owner, agent_id) for view, owner in rows]


def get_view(session: Session, workspace_id: int, agent_id: int, view_id: int) -> SavedViewRow | None:
    """The view if the agent may see it, else None (another agent's personal view included)."""
    found = session.execute(
        select(SavedView, Agent.name)
        .join(Agent, Agent.id == SavedView.owner_id)
        .where(
            SavedView.workspace_id == workspace_id,
            SavedView.id == view_id,
            or_(SavedView.owner_id == agent_id, SavedView.shared.is_(True)),
        )
    ).first()
    return _row(found[0], found[1], agent_id) if found else None
