"""Live updates in a real browser: two signed-in agents see each other on a case, are warned before
their replies collide and see each other's notes; an open inbox shows a post another process stored
within a second."""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.colleague import COLLEAGUE_EMAIL, COLLEAGUE_NAME
from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, OpenPage, import_post, open_case, sign_in

pytestmark = pytest.mark.browser


def _stored_at(demo: DemoServer, external_id: str) -> float:
    """When the post was written (just before its transaction committed), as Unix seconds."""
    with sqlite3.connect(demo.database) as connection:
        (received,) = connection.execute(
            "SELECT received_at FROM posts WHERE external_id = ?", (external_id,)
        ).fetchone()
    return datetime.fromisoformat(received).replace(tzinfo=UTC).timestamp()


def test_an_open_inbox_shows_a_new_post_within_a_second(demo: DemoServer, page: Page) -> None:
    server = demo.url
    name = f"Live Inbox {secrets.token_hex(3)}"
    sign_in(page, server, EMAIL)
    expect(page.locator("#live-state")).to_have_text("live")
    # Note the moment the row enters the page, in the page's own clock (the machine's).
    page.evaluate(
        """name => new MutationObserver((_, observer) => {
             for (const row of document.querySelectorAll("tr.case-row")) {
               if (row.textContent.includes(name)) { window.rowSeenAt = Date.now(); observer.disconnect(); }
             }
           }).observe(document.body, {childList: true, subtree: true, characterData: true})""",
        name,
    )
    external_id = import_post(demo, name, "@SkylarkAir my flight to Porto shows no gate")
    row = page.locator("tr.case-row", has_text=name)
    expect(row).to_be_visible(timeout=5000)
    expect(row).to_have_class(re.compile(r"live-new-row"))
    expect(page.locator("#live-new")).to_contain_text("new")
    delay = page.evaluate("window.rowSeenAt") / 1000 - _stored_at(demo, external_id)
    print(f"\nlive inbox: the row appeared {delay * 1000:.0f} ms after the post was stored")
    assert 0 < delay < 1.0, f"the new row took {delay:.3f} s"
    # The row is a working one: it opens its case.
    row.locator("a.case-link").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))


def test_two_agents_see_each_other_and_are_warned_before_replies_collide(
    demo: DemoServer, page: Page, second_browser: OpenPage
) -> None:
    server = demo.url
    name = f"Live Collision {secrets.token_hex(3)}"
    import_post(demo, name, "@SkylarkAir my seat was given away")
    sign_in(page, server, EMAIL)
    open_case(page, name)
    case_url = page.url

    noor = second_browser()
    sign_in(noor, server, COLLEAGUE_EMAIL)
    noor.goto(case_url)

    presence = page.locator("#case-presence")
    expect(presence).to_have_text(f"{COLLEAGUE_NAME} is viewing this case")
    expect(noor.locator("#case-presence")).to_have_text("Demo Agent is viewing this case")

    noor.get_by_label(re.compile("^Reply")).fill("Hi! Noor here, I'm on it.")
    expect(presence).to_have_text(f"{COLLEAGUE_NAME} is typing a reply…")

    mine = "Hello from the demo agent, we are checking your seat."
    page.get_by_label(re.compile("^Reply")).fill(mine)
    page.get_by_role("button", name="Send reply").click()
    warning = page.locator("#collision-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{COLLEAGUE_NAME} was typing a reply")
    expect(page.locator("li.post.outbound", has_text=mine)).to_have_count(0)  # nothing was sent

    # Noor sends first (she was warned too: the other agent typed), and her reply appears on the
    # other agent's page without a reload.
    noor.get_by_role("button", name="Send reply").click()
    expect(noor.locator("#collision-warning")).to_contain_text("Demo Agent was typing a reply")
    noor.get_by_role("button", name="Send anyway").click()
    expect(noor.locator("li.post.outbound", has_text="Noor here")).to_be_visible()
    expect(page.locator("li.post.outbound", has_text="Noor here")).to_be_visible()
    expect(page).to_have_url(case_url)

    # Reviewed: a second try warns again about the reply itself, then sends when told to.
    page.get_by_role("button", name="Review first").click()
    expect(warning).to_be_hidden()
    noor.get_by_label(re.compile("^Reply")).fill("One more thing")
    expect(presence).to_contain_text("typing a reply")
    page.get_by_role("button", name="Send reply").click()
    expect(warning).to_contain_text("typing a reply")
    page.get_by_role("button", name="Send anyway").click()
    expect(page.locator("li.post.outbound", has_text=mine)).to_be_visible()

    # A note Noor adds shows on the other page without a reload; a note being typed there stays.
    page.get_by_label("Add an internal note").fill("still checking the seat map")
    noor.get_by_label("Add an internal note").fill("I asked the gate about the seat")
    noor.get_by_role("button", name="Add note").click()
    expect(page.locator("li.note", has_text="I asked the gate about the seat")).to_be_visible()
    expect(page.get_by_label("Add an internal note")).to_have_value("still checking the seat map")

    # Noor leaves: the other page says so within the heartbeat's time.
    noor.goto(f"{server}/inbox")
    started = time.monotonic()
    expect(page.locator("#case-presence")).to_be_hidden(timeout=5000)
    assert time.monotonic() - started < 5
