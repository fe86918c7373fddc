"""Workspaces and their teams."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.store.models import Team, Workspace

DEFAULT_WORKSPACE = "Default"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:64] or "workspace"


def find_workspace(session: Session, name_or_slug: str) -> Workspace | None:
    slug = slugify(name_or_slug)
    return session.scalars(
        select(Workspace).where((Workspace.slug == slug) | (Workspace.name == name_or_slug))
    ).first()


def ensure_workspace(session: Session, name: str, default_team: str = "Support") -> Workspace:
    """The workspace called `name` (or with its slug), created with a default team when missing."""
    workspace = find_workspace(session, name)
    if workspace is not None:
        return workspace
    workspace = Workspace(name=name, slug=slugify(name))
    session.add(workspace)
    session.flush()
    session.add(Team(workspace_id=workspace.id, name=default_team, languages="", is_default=True))
    session.flush()
    return workspace


def ensure_team(session: Session, workspace_id: int, name: str, languages: str, *, is_default: bool) -> Team:
    team = session.scalars(select(Team).where(Team.workspace_id == workspace_id, Team.name == name)).first()
    if team is None:
        team = Team(workspace_id=workspace_id, name=name)
        session.add(team)
    team.languages = languages
    team.is_default = is_default
    session.flush()
    return team
