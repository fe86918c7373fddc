"""Routing rules in a real browser: write a rule in the form, edit it, and dry-run a sample post."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import sign_in

pytestmark = pytest.mark.browser

# A word no other test's posts contain, so this test's rule changes nothing they see.
KEYWORD = "zeppelin"


def test_edit_a_rule_and_dry_run_a_sample_post(server: str, page: Page) -> None:
    sign_in(page, server, EMAIL)
    page.get_by_role("link", name="Rules").click()
    expect(page).to_have_url(f"{server}/settings/rules")
    expect(page.locator("tr.rule-row").first).to_be_visible()  # the demo's own rules

    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name", exact=True).fill("Airship complaints")
    page.get_by_label("Condition 1 field").select_option("text")
    page.get_by_label("Condition 1 operator").select_option("contains_any")
    page.get_by_label("Condition 1 value").fill(f"{KEYWORD}, blimp")
    page.get_by_label("Action 1", exact=True).select_option("add_tags")
    expect(page.get_by_label("Action 1 team")).to_be_hidden()  # only the chosen action's details show
    page.get_by_label("Action 1 tags").fill("airship")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("p.notice")).to_have_text("Rule created.")
    row = page.locator("tr.rule-row", has_text="Airship complaints")
    expect(row.locator(".rule-when")).to_contain_text(f"text contains any of {KEYWORD}, blimp")

    # Edit it from the keyboard: a second condition and a second action.
    row.get_by_role("link", name="Edit Airship complaints").click()
    expect(page).to_have_url(re.compile(r"/settings/rules/\d+$"))
    page.get_by_label("Condition 2 field").select_option("sentiment")
    page.get_by_label("Condition 2 operator").select_option("is")
    page.get_by_label("Condition 2 value").fill("negative")
    page.get_by_label("Action 2", exact=True).select_option("set_priority")
    page.get_by_label("Action 2 priority").select_option("high")
    page.get_by_label("Name", exact=True).fill("Angry airship passengers")
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.locator("p.notice")).to_have_text("Rule saved.")
    row = page.locator("tr.rule-row", has_text="Angry airship passengers")
    expect(row.locator(".rule-then")).to_contain_text("priority → high")

    # A bad value is refused with a message naming the field, and the form keeps what was typed.
    row.get_by_role("link", name="Edit Angry airship passengers").click()
    page.get_by_label("Condition 2 value").fill("furious")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#rule-error")).to_contain_text("conditions.1.value: sentiment is one of")
    expect(page.get_by_label("Condition 2 value")).to_have_value("furious")
    page.get_by_role("link", name="Cancel").click()

    page.get_by_label("Sample post").fill(
        f"@SkylarkAir the {KEYWORD} tour was awful and nobody told us anything, terrible service!"
    )
    page.get_by_role("button", name="Try it").click()
    expect(page.locator("#dry-run-verdict")).to_contain_text("Angry airship passengers")
    hit = page.locator("li.trial-rule.hit", has_text="Angry airship passengers")
    expect(hit.locator("li.condition.pass")).to_have_count(2)
    expect(page.locator("#dry-run-actions")).to_contain_text("tags + airship")
    expect(page.locator("#dry-run-actions")).to_contain_text("priority → high")

    page.get_by_label("Sample post").fill(f"@SkylarkAir is the {KEYWORD} lounge open on Sundays?")
    page.get_by_role("button", name="Try it").click()
    miss = page.locator("li.trial-rule", has_text="Angry airship passengers")
    expect(miss.locator(".chip")).to_have_text("no match")
    expect(miss.locator("li.condition.fail")).to_contain_text("sentiment is negative")

    # Leave the shared demo as it was.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr.rule-row", has_text="Angry airship passengers").get_by_role(
        "button", name="Delete Angry airship passengers"
    ).click()
    expect(page.locator("p.notice")).to_have_text("Rule deleted.")
    expect(page.locator("tr.rule-row", has_text="Angry airship passengers")).to_have_count(0)
