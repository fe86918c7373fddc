"""The bundled demo goes in through the real import path and looks like a working day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from socialdesk.demo.loader import EMAIL, PASSWORD, WORKSPACE, load_demo
from socialdesk.pipeline.worker import run_pending
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post, Team
from tests.snapshot import integrity_problems
from tests.web_client import Browser


def test_the_demo_loads_its_conversations_once(db: Database) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    first = load_demo(db, now=now)
    assert first.summary.rejected == 0
    assert first.summary.stored == first.summary.read > 200
    again = load_demo(db, now=now + timedelta(hours=1))
    assert (again.summary.stored, again.summary.duplicates) == (0, first.summary.read)
    run_pending(db)
    assert integrity_problems(db) == []
    with db.read() as s:
        newest = s.scalar(select(func.max(Post.created_at)))
        assert newest == now - timedelta(minutes=5)
        networks = set(s.scalars(select(Post.network)).all())
        assert networks == {"x", "facebook", "instagram", "reddit", "mastodon", "bluesky", "email"}
        languages = Counter(s.scalars(select(Post.language)).all())
        assert {"en", "es", "de", "fr"} <= set(languages)
        routed = Counter(s.execute(select(Team.name).join(Case, Case.team_id == Team.id)).scalars().all())
        assert routed["Customer Care"] > 0
        assert routed["Atención al cliente"] > 0
        assert routed["Kundenservice"] > 0
        statuses = Counter(s.scalars(select(Case.status)).all())
        assert statuses.keys() >= {"new", "pending"}


def test_the_demo_login_works(db: Database) -> None:
    load_demo(db)
    browser = Browser(db)
    assert browser.login(EMAIL, PASSWORD).status_code == 303
    inbox = browser.get("/inbox")
    assert WORKSPACE in inbox.text
    assert inbox.text.count('class="case-row"') >= 20
