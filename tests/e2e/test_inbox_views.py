"""The inbox in a real browser: save a view, apply it, resolve two cases from the keyboard, and see them
leave the view. The test imports two fresh posts of its own, so other browser tests cannot disturb it."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, customer_post, import_posts, sign_in

pytestmark = pytest.mark.browser


def _import(demo: DemoServer, token: str, count: int) -> None:
    """`count` customer posts that mention `token`, stored by `socialdesk import` (its own process)."""
    import_posts(
        demo,
        [
            customer_post(
                f"Traveller {i} {token}",
                f"@SkylarkAir my bag {token} is lost, flight {i}",
                external_id=f"views-{token}-{i}",
                handle=f"traveller_{token}_{i}",
            )
            for i in range(count)
        ],
    )


def test_save_a_view_apply_it_and_resolve_two_cases_from_the_keyboard(demo: DemoServer, page: Page) -> None:
    server = demo.url
    token = f"zq{secrets.token_hex(4)}"
    _import(demo, token, 2)
    sign_in(page, server, EMAIL)  # it waits for the page to load: the shortcut scripts are deferred

    # Filter by the token with the search box ("/" focuses it), then save the filters as a view.
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"q={token}"))
    rows = page.locator("tr.case-row")
    expect(rows).to_have_count(2)
    page.locator("#view-name").fill(f"Lost bags {token}")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".view.active")).to_contain_text(f"Lost bags {token}")

    # Apply it from the sidebar of the plain inbox.
    page.goto(f"{server}/inbox")
    page.get_by_role("link", name=f"Lost bags {token}").click()
    expect(page.locator(".view.active")).to_be_visible()
    expect(rows).to_have_count(2)
    page.wait_for_load_state()

    # The help overlay lists the shortcuts; Escape closes it.
    page.keyboard.press("?")
    help_overlay = page.locator("#shortcut-help")
    expect(help_overlay).to_be_visible()
    expect(help_overlay).to_contain_text("resolve the selected cases")
    page.keyboard.press("Escape")
    expect(help_overlay).to_be_hidden()

    # j x j x e: select both cases and resolve them in one bulk request.
    for key in ("j", "x", "j", "x"):
        page.keyboard.press(key)
    expect(page.locator("input.case-pick:checked")).to_have_count(2)
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.keyboard.press("e")
    expect(page.locator(".view.active")).to_be_visible()  # back on the same view...
    expect(page.locator("p.empty")).to_have_text("No cases match these filters.")  # ...which is empty now

    page.goto(f"{server}/inbox?status=resolved&q={token}")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.case-row .status-resolved")).to_have_count(2)
