"""Customer profiles in a real browser: open one, edit its attributes, merge a duplicate, count a segment."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, customer_post, import_posts, sign_in

pytestmark = pytest.mark.browser


def _import_person(demo: DemoServer, name: str, token: str) -> None:
    """One person writing on X and by e-mail: two customers until an agent merges them."""
    handle = f"{name.split()[0].lower()}_{token}"
    on_x = customer_post(
        name, "@SkylarkAir my bag did not arrive in Lisbon", external_id=f"cx-{token}", handle=handle
    )
    by_email = {
        "network": "email",
        "external_id": f"<cm-{token}@mail.example>",
        "direction": "inbound",
        "channel": "support@skylark-air.example",
        "author_id": f"{handle}@mail.example",
        "author_handle": f"{handle}@mail.example",
        "author_name": None,
        "text": "Hello, my bag is still missing. Reference LIS123.",
        "created_at": on_x["created_at"],
        "private": True,
        "conversation_key": f"cm-{token}",
    }
    import_posts(demo, [on_x, by_email])


def test_edit_a_profile_merge_a_duplicate_and_count_a_segment(demo: DemoServer, page: Page) -> None:
    server = demo.url
    token = secrets.token_hex(4)
    _import_person(demo, "Rosa Quintana", token)
    sign_in(page, server, EMAIL)

    page.get_by_role("link", name="Customers").click()
    expect(page).to_have_url(f"{server}/customers")
    page.wait_for_load_state()  # "/" is a deferred script's: keys work once the page has loaded
    page.keyboard.press("/")
    expect(page.locator("#customer-search")).to_be_focused()
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    rows = page.locator("tr.customer-row")
    expect(rows).to_have_count(2)
    page.locator("a.customer-link", has_text="Rosa Quintana").click()
    expect(page.locator("#customer-name")).to_contain_text("Rosa Quintana")
    survivor_url = page.url

    form = page.locator("#profile-form")
    form.get_by_label("Tags").fill(f"frequent flyer, e2e-{token}")
    form.get_by_label("Attributes (JSON)").fill('{"tier": "gold", "seat": "aisle"}')
    form.get_by_label("Language").fill("pt")
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Profile saved.")
    expect(form.get_by_label("Attributes (JSON)")).to_have_value(re.compile(r'"seat": "aisle"'))

    # A bad edit says why and keeps what was typed.
    form.get_by_label("Attributes (JSON)").fill('{"tier": ')
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid JSON")
    page.goto(survivor_url)

    page.get_by_label("Find").fill(f"{token}@mail")
    page.get_by_role("button", name="Find").click()
    candidate = page.locator(".merge-candidates li")
    expect(candidate).to_have_count(1)
    duplicate_url = server + str(candidate.locator("a").get_attribute("href"))
    candidate.get_by_role("button", name="Merge into this profile").click()
    expect(page.get_by_role("status")).to_contain_text("was merged into this profile")
    expect(page.locator("ul.identities li")).to_have_count(2)
    expect(page.locator("ol.history li")).to_have_count(2)
    page.goto(duplicate_url)
    expect(page).to_have_url(survivor_url)  # the old link redirects

    page.goto(f"{server}/segments")
    segment_form = page.locator("#segment-form")
    segment_form.get_by_label("Name").fill(f"E2E gold {token}")
    segment_form.get_by_label("Tags (all of them)").fill(f"e2e-{token}")
    segment_form.get_by_label("Attributes equal").fill("tier=gold")
    segment_form.get_by_role("button", name="Save segment").click()
    expect(page.locator("#segment-name")).to_have_text(f"E2E gold {token}")
    expect(page.locator("#member-count")).to_have_text("1")
    expect(page.locator("#members a.customer-link")).to_have_text("Rosa Quintana")
    page.goto(f"{server}/segments")
    row = page.locator("tr.segment-row", has_text=f"E2E gold {token}")
    expect(row.locator(".member-count")).to_have_text("1")
