"""An agent's first minutes, in a real browser: sign in, open a case, answer it, see it pending."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, fresh_case, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_open_a_case_reply_and_see_it_pending(demo: DemoServer, page: Page) -> None:
    server = demo.url
    # A case of its own: the demo's "first new case" depends on what the other tests have done.
    name = fresh_case(demo, "Dana First", "@SkylarkAir can I still add a seat to my booking?")
    sign_in(page, server, EMAIL)
    new_cases = page.locator("tr.case-row", has=page.locator(".status-new"), has_text=name)
    expect(new_cases.first).to_be_visible()
    customer = new_cases.first.locator("a.case-link").inner_text()
    new_cases.first.locator("a.case-link").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("#case-status")).to_have_text("new")
    expect(page.locator(".sidebar h2").first).to_have_text(customer)

    reply = "Hi! So sorry about this. We're looking into it right now. ^DA"
    page.get_by_label(re.compile("^Reply")).fill(reply)
    expect(page.locator("#reply-counter")).to_contain_text(f"{len(reply)} /")
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator("#case-status")).to_have_text("pending")
    sent = page.locator("li.post.outbound").last
    expect(sent).to_contain_text(reply)
    expect(sent.locator(".delivery")).to_have_text("queued")

    page.goto(f"{server}/inbox?status=pending")
    expect(page.locator("tr.case-row", has_text=customer).first).to_be_visible()


def test_the_inbox_works_from_the_keyboard(server: str, page: Page) -> None:
    sign_in(page, server, EMAIL)
    expect(page.locator("tr.case-row").first).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("tr.case-row.selected")).to_have_count(1)
    target = page.locator("tr.case-row.selected").get_attribute("data-href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}{target}")
    page.wait_for_load_state()  # "r" is a deferred script's: it works once the case page has loaded
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
