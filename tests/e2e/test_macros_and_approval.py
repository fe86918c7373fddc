"""The case page's tools in a real browser: a macro picked from the keyboard fills the reply box and
is sent; a trainee's reply waits as a draft until a supervisor (a second browser) approves it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.case_tools import TRAINEE_EMAIL
from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, OpenPage, fresh_case, open_case, sign_in

pytestmark = pytest.mark.browser


def test_a_macro_picked_from_the_keyboard_fills_the_reply_and_is_sent(demo: DemoServer, page: Page) -> None:
    server = demo.url
    customer = fresh_case(demo, "Marta Macro", "@SkylarkAir my bag did not arrive in Porto")
    sign_in(page, server, EMAIL)
    open_case(page, customer)

    expect(page.locator("#macro-picker")).to_have_attribute("data-ready", "true")
    page.keyboard.press("m")
    picker_filter = page.get_by_label("Insert a macro")
    expect(picker_filter).to_be_focused()
    picker_filter.fill("refund")
    expect(page.locator("li.macro-option:visible")).to_have_count(1)
    expect(page.locator("li.macro-option:visible")).to_contain_text("too long for X / Twitter")

    picker_filter.fill("bag")
    expect(page.locator("li.macro-option:visible")).to_have_count(1)
    page.keyboard.press("Enter")
    box = page.locator("#reply-text")
    expect(box).to_be_focused()
    expected = (
        "So sorry your bag didn't make it, Marta! Please file a report at skylark-air.example/bags and "
        "DM us the reference: we'll chase it for you. ^Demo"
    )
    expect(box).to_have_value(expected)
    expect(page.locator("#reply-counter")).to_have_text(f"{len(expected)} / 280")
    expect(page.locator("#macro-warning")).to_be_hidden()

    page.get_by_role("button", name="Send reply").click()
    sent = page.locator("li.post.outbound", has_text="So sorry your bag didn't make it, Marta!")
    expect(sent).to_have_count(1)
    expect(sent.locator(".delivery")).to_have_text("queued")
    expect(page.locator("#case-status")).to_have_text("pending")


def test_a_too_long_macro_is_flagged_before_sending(demo: DemoServer, page: Page) -> None:
    server = demo.url
    customer = fresh_case(demo, "Lena Long", "@SkylarkAir how do refunds work?")
    sign_in(page, server, EMAIL)
    open_case(page, customer)
    expect(page.locator("#macro-picker")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Macros").click()
    page.get_by_label("Insert a macro").fill("refund")
    page.keyboard.press("Enter")
    expect(page.locator("#macro-warning")).to_contain_text("X / Twitter allows 280 characters")
    expect(page.locator("#reply-counter")).to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("p.error[role=alert]").first).to_contain_text("X / Twitter allows 280")
    expect(page.locator("li.post.outbound", has_text="Refund")).to_have_count(0)


def test_a_trainees_reply_waits_for_a_supervisor_who_approves_it(
    demo: DemoServer, page: Page, second_browser: OpenPage
) -> None:
    server = demo.url
    customer = fresh_case(demo, "Tariq Trainee", "@SkylarkAir my seat was given away, flight SK221")
    reply = (
        f"@{customer.split()[0].lower()} So sorry about your seat! Could you DM us your booking reference?"
    )

    sign_in(page, server, TRAINEE_EMAIL)
    open_case(page, customer)
    case_url = page.url
    page.get_by_label(re.compile("^Reply")).fill(reply)
    page.get_by_role("button", name="Submit for approval").click()
    draft = page.locator("li.draft", has_text=reply)
    expect(draft).to_be_visible()
    expect(draft.locator(".draft-status")).to_have_text("awaiting approval")
    expect(page.locator("li.post.outbound", has_text=reply)).to_have_count(0)

    supervisor = second_browser()
    try:
        sign_in(supervisor, server, EMAIL)
        supervisor.goto(f"{server}/approvals")
        row = supervisor.locator("#approval-queue tr", has_text=reply)
        expect(row).to_contain_text("Tom Reyes")
        row.get_by_role("link").click()
        expect(supervisor).to_have_url(re.compile(re.escape(case_url) + "#draft-\\d+$"))
        supervisor.locator("li.draft", has_text=reply).get_by_role("button", name="Approve and send").click()
        sent = supervisor.locator("li.post.outbound", has_text=reply)
        expect(sent).to_have_count(1)
        expect(sent).to_contain_text("Tom Reyes")
        expect(sent.locator(".delivery")).to_have_text("queued")
        expect(supervisor.locator("#case-status")).to_have_text("pending")
    finally:
        supervisor.context.close()  # the supervisor leaves before the trainee looks again

    page.reload()
    expect(page.locator("li.draft", has_text=reply).locator(".draft-status")).to_have_text(
        "approved by Demo Agent"
    )
    expect(page.locator("li.post.outbound", has_text=reply)).to_have_count(1)


def test_drafts_appear_and_are_decided_live_on_open_pages(
    demo: DemoServer, page: Page, second_browser: OpenPage
) -> None:
    server = demo.url
    customer = fresh_case(demo, "Lina Live", "@SkylarkAir my refund for SK404 never came")
    reply = f"@{customer.split()[0].lower()} Sorry, Lina! We are checking your refund now."

    supervisor = second_browser()
    sign_in(supervisor, server, EMAIL)
    supervisor.goto(f"{server}/approvals")
    expect(supervisor.locator("#live-state")).to_have_text("live")

    sign_in(page, server, TRAINEE_EMAIL)
    open_case(page, customer)
    expect(page.locator("#live-state")).to_have_text("live")
    page.get_by_label(re.compile("^Reply")).fill(reply)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("li.draft", has_text=reply)).to_be_visible()

    # The supervisor's open approvals page lists it without a reload.
    row = supervisor.locator("#approval-queue tr", has_text=reply)
    expect(row).to_contain_text("awaiting approval")
    expect(row).to_contain_text("Tom Reyes")

    # While the supervisor points at the list, it holds still (a row moving under the pointer could
    # be approved unread); the next draft appears once the pointer leaves it.
    row.get_by_role("button", name="Approve").hover()
    second = f"@{customer.split()[0].lower()} One more thing: the refund takes 5 days."
    page.get_by_label(re.compile("^Reply")).fill(second)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("li.draft", has_text=second)).to_be_visible()
    supervisor.wait_for_timeout(1500)  # long enough for the event and the page's fetch
    expect(supervisor.locator("#approval-queue tr", has_text=second)).to_have_count(0)
    supervisor.mouse.move(5, 5)
    expect(supervisor.locator("#approval-queue tr", has_text=second)).to_contain_text("awaiting approval")

    # It approves the first from there.
    row.get_by_role("button", name="Approve").click()
    expect(supervisor.locator("#approval-queue tr", has_text=reply)).to_have_count(0)

    # The trainee's open case page shows the decision and the queued reply without a reload.
    expect(page.locator("li.draft", has_text=reply).locator(".draft-status")).to_have_text(
        "approved by Demo Agent"
    )
    expect(page.locator("li.post.outbound", has_text=reply)).to_have_count(1)
