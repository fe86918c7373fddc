"""The demo's customer profiles and segments: seeded once, on the demo's own people, with members."""

from __future__ import annotations

from socialdesk.core.types import InboundPost
from socialdesk.demo.loader import DATA, WORKSPACE
from socialdesk.demo.profiles import PROFILES, seed_profiles
from socialdesk.importers.jsonl import JsonlReader
from socialdesk.pipeline.importing import import_rows
from socialdesk.store.db import Database
from socialdesk.store.repos.segments import list_segments
from tests import factories as f


def test_the_demo_segments_have_members_among_the_demo_customers(db: Database) -> None:
    ws = f.workspace(db, WORKSPACE)
    # Only the conversations of the people the seed names (the whole demo takes a minute to load).
    rows = [
        (line, row)
        for line, row in JsonlReader(DATA).rows()
        if isinstance(row, InboundPost) and (row.network, row.author_id) in PROFILES
    ]
    assert {(r.network, r.author_id) for _, r in rows} == set(PROFILES)  # every seeded person is in the demo
    import_rows(db, ws, iter(rows))
    seed_profiles(db, ws)
    with db.read() as s:
        counts = {v.name: v.member_count for v in list_segments(s, ws)}
    assert counts["Spanish-speaking frequent flyers"] == 2
    assert counts["Gold members"] == 2
    assert "Complaints from Germany" in counts  # its members appear as triage marks complaints
    seed_profiles(db, ws)  # a second start changes nothing
    with db.read() as s:
        assert {v.name: v.member_count for v in list_segments(s, ws)} == counts
