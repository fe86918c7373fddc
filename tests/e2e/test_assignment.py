"""Auto-assignment in a real browser: an agent comes online from the header, a new post arrives, and
the case it opens is theirs (the Nordic desk assigns round robin; Sven Lind is its only agent)."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from socialdesk.core.types import Direction, InboundPost
from socialdesk.demo.loader import WORKSPACE
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.pipeline.workspaces import find_workspace
from socialdesk.store.db import Database
from tests.e2e.demo_server import DemoServer, sign_in

pytestmark = pytest.mark.browser

SVEN = "sven@skylark-air.example"


def _deliver_post(demo: DemoServer, text: str) -> str:
    """Store a fresh customer post in the server's database, as a webhook or poller would.

    The post and its triage job are written by the real ingest; the demo server's own worker then
    triages it, runs the rules and assigns the case, which is what the browser must show.
    """
    external_id = f"assign-{secrets.token_hex(8)}"
    post = InboundPost(
        network="x",
        external_id=external_id,
        direction=Direction.INBOUND,
        author_id=external_id,
        author_handle=f"resenar_{external_id[-6:]}",
        author_name="Astrid Berg",
        text=text,
        created_at=datetime.now(UTC),
        channel="SkylarkAir",
        lang="sv",
    )
    db = Database(f"sqlite:///{demo.database}")
    try:
        with db.read() as session:
            workspace = find_workspace(session, WORKSPACE)
            assert workspace is not None
        ingest_posts(db, workspace.id, [post])
    finally:
        db.dispose()
    return external_id


def test_a_new_post_is_assigned_to_the_agent_who_came_online(demo: DemoServer, page: Page) -> None:
    server = demo.url
    sign_in(page, server, SVEN)

    presence = page.locator("#presence")
    if "Online" not in presence.inner_text():  # the demo starts Sven offline
        presence.click()
    expect(page.locator("#presence")).to_have_text("● Online")

    started = time.monotonic()
    text = "@SkylarkAir Hej! Min väska kom aldrig fram till Stockholm, kan ni hjälpa mig?"
    _deliver_post(demo, text)

    page.locator("#view-mine").click()
    expect(page).to_have_url(f"{server}/inbox?assignee=me")
    row = page.locator("tr.case-row", has_text="Min väska kom aldrig fram")
    deadline = time.monotonic() + 20
    while row.count() == 0 and time.monotonic() < deadline:  # the server's worker triages, then assigns
        page.wait_for_timeout(500)
        page.reload()
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Nordic desk")
    expect(row).to_contain_text("→ Sven Lind")
    expect(row.locator("[data-sla]")).to_have_attribute("data-sla", re.compile("ok|risk"))

    row.locator("a.case-link").click()
    expect(page.locator("#assignee")).to_contain_text("Assigned to Sven Lind")
    print(f"assigned and shown {time.monotonic() - started:.1f} s after the post was stored")

    # Away again, as the demo had him (the queue's own behaviour is in tests/integration/test_assignment.py).
    page.locator("#presence").click()
    expect(page.locator("#presence")).to_have_text("○ Away")
