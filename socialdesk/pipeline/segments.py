"""Saving segments, and which segments a customer is in (for routing rules).

A segment stores its filter only; its members are computed whenever they are asked for, so a
segment is always up to date with the profiles and cases it looks at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels import NETWORKS
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.segments import SegmentFilter, parse_filter
from socialdesk.routing.segments import matches
from socialdesk.store.db import Database
from socialdesk.store.models import Segment
from socialdesk.store.repos.customers import survivor_id
from socialdesk.store.repos.segments import customer_facts, segment_rows

MAX_NAME = 100
MAX_DESCRIPTION = 500


def validated_filter(raw: object) -> SegmentFilter:
    """`parse_filter`, plus the checks that need to know the installed networks."""
    flt = parse_filter(raw)
    unknown = [n for n in flt.networks if n not in NETWORKS]
    if unknown:
        raise InvalidAction(f"unknown network {unknown[0]!r}; networks: {', '.join(NETWORKS)}")
    return flt


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidAction("a segment needs a name")
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise InvalidAction(f"a segment's name has at most {MAX_NAME} characters")
    return name


def _description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAction("a description is text")
    text = value.strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidAction(f"a description has at most {MAX_DESCRIPTION} characters")
    return text or None


def _taken(session: Session, workspace_id: int, name: str, other_than: int | None = None) -> bool:
    query = select(Segment.id).where(Segment.workspace_id == workspace_id, Segment.name == name)
    if other_than is not None:
        query = query.where(Segment.id != other_than)
    return session.scalar(query) is not None


def create_segment(
    db: Database, workspace_id: int, name: str, segment_filter: object, description: str | None = None
) -> int:
    """Save a segment; its name is unique in the workspace. Returns its id."""
    clean_name = _name(name)
    flt = validated_filter(segment_filter)
    note = _description(description)
    with db.write() as session:
        if _taken(session, workspace_id, clean_name):
            raise InvalidAction(f"there is already a segment called {clean_name!r}")
        segment = Segment(workspace_id=workspace_id, name=clean_name, description=note, filter=flt.to_dict())
        session.add(segment)
        session.flush()
        return segment.id


def update_segment(db: Database, workspace_id: int, segment_id: int, changes: Mapping[str, object]) -> None:
    """Change a segment's name, description and/or filter (the filter is replaced as a whole)."""
    unknown = sorted(set(changes) - {"name", "description", "filter"})
    if unknown:
        raise InvalidAction(f"unknown segment field {', '.join(unknown)}; fields: name, description, filter")
    name = _name(changes["name"]) if "name" in changes else None
    flt = validated_filter(changes["filter"]) if "filter" in changes else None
    with db.write() as session:
        segment = session.scalars(
            select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id)
        ).first()
        if segment is None:
            raise NotFound(f"segment {segment_id} not found")
        if name is not None:
            if _taken(session, workspace_id, name, other_than=segment.id):
                raise InvalidAction(f"there is already a segment called {name!r}")
            segment.name = name
        if "description" in changes:
            segment.description = _description(changes["description"])
        if flt is not None:
            segment.filter = flt.to_dict()
        segment.updated_at = utcnow()


def delete_segment(db: Database, workspace_id: int, segment_id: int) -> None:
    with db.write() as session:
        segment = session.scalars(
            select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id)
        ).first()
        if segment is None:
            raise NotFound(f"segment {segment_id} not found")
        session.delete(segment)


def segment_ids_for(
    session: Session, workspace_id: int, customer_id: int, now: datetime | None = None
) -> frozenset[int]:
    """The ids of the workspace's segments the customer is in (a merged id counts as its survivor).

    For routing rules' facts: evaluated with the pure matcher on one customer's facts, inside whatever
    transaction the caller has open (it reads only).
    """
    live = survivor_id(session, workspace_id, customer_id)
    if live is None:
        return frozenset()
    facts = customer_facts(session, workspace_id, live)
    if facts is None:
        return frozenset()
    return frozenset(sid for sid, flt in segment_rows(session, workspace_id) if matches(flt, facts, now))
