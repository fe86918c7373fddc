"""Public to private in a real browser: the agent moves a case to private, the customer (a browser
of their own) opens the link, signs in with the code from the demo's dev outbox and writes; the agent
sees it on the case and answers; the customer sees the answer arrive."""

from __future__ import annotations

import re
import secrets
from email import message_from_bytes
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from socialdesk.demo.loader import EMAIL
from tests.e2e.demo_server import DemoServer, OpenPage, import_post, open_case, sign_in

pytestmark = pytest.mark.browser


def test_a_case_moves_to_private_and_both_sides_talk_there(
    demo: DemoServer, page: Page, second_browser: OpenPage
) -> None:
    server = demo.url
    tag = secrets.token_hex(3)
    name, handle = f"Priya Handoff {tag}", f"priya_{tag}"
    import_post(
        demo, name, "@SkylarkAir my bag never arrived in Lisbon and nobody answers the phone", handle=handle
    )

    sign_in(page, server, EMAIL)
    open_case(page, name)
    public_case = page.url
    page.get_by_role("button", name="Move to private").click()
    public_reply = page.locator("li.post.outbound", has_text="/private/").last
    expect(public_reply).to_contain_text("continue with us privately")
    link_match = re.search(r"https?://\S+/private/\S+", public_reply.locator(".text").inner_text())
    assert link_match
    link = link_match.group(0)
    assert "Lisbon" not in public_reply.inner_text()
    expect(page.locator("#handoff-waiting")).to_be_visible()

    customer = second_browser(width=900)
    customer.goto(link)
    address = f"priya.{tag}@example.com"
    customer.get_by_label("E-mail address").fill(address)
    customer.get_by_role("button", name="Send me a code").click()
    notice = customer.locator("#private-notice")
    expect(notice).to_contain_text("written to")
    mail_path = re.search(r"written to (\S+\.eml)", notice.inner_text())
    assert mail_path
    mail = message_from_bytes(Path(mail_path.group(1)).read_bytes())
    assert mail["To"] == address
    code = re.search(r"\d{6}", str(mail["Subject"]))
    assert code
    customer.get_by_label(re.compile("6-digit code")).fill(code.group(0))
    customer.get_by_role("button", name="Sign in").click()
    expect(customer.get_by_role("heading", name=re.compile("Your private conversation"))).to_be_visible()
    customer.get_by_label("Your message").fill(f"My booking is SKY{tag}, bag tag 0042")
    customer.get_by_role("button", name="Send").click()
    expect(customer.locator("#private-messages")).to_contain_text(f"My booking is SKY{tag}")
    # Nothing of the public thread shows on the private page.
    expect(customer.locator("body")).not_to_contain_text("Lisbon")

    page.goto(public_case)
    expect(page.locator("#handoff")).to_contain_text(f"My booking is SKY{tag}")
    expect(page.locator("#handoff")).to_contain_text(address)
    page.locator("#private-case-link").click()
    expect(page.locator("li.post.inbound").last).to_contain_text(f"My booking is SKY{tag}")
    answer = f"Thanks Priya, we found bag {tag}: it is on its way to you."
    page.get_by_label(re.compile("^Reply")).fill(answer)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("li.post.outbound", has_text=answer)).to_be_visible()

    # The worker delivers it; the open private page (its live stream) shows it without a reload.
    expect(customer.locator("#private-messages")).to_contain_text(answer, timeout=15_000)

    # The agent withdraws the link (after saying yes to the question): the customer's open page says
    # so by itself, within seconds, and shows nothing of the conversation.
    page.goto(public_case)
    dismissed: list[str] = []

    def say_no(dialog: Dialog) -> None:
        dismissed.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", say_no)
    page.get_by_role("button", name="Withdraw the link").click()
    assert dismissed
    assert "Withdraw the private link?" in dismissed[0]
    page.reload()  # "no" posted nothing: the link still works
    expect(page.locator("#handoff-link-state")).to_contain_text("works until")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw the link").click()
    expect(page.locator("#handoff-link-state")).to_contain_text("withdrawn")
    expect(page.get_by_role("button", name="Send a new private link")).to_be_visible()
    expect(customer.locator("body")).to_contain_text("This link was withdrawn", timeout=15_000)
    expect(customer.locator("body")).not_to_contain_text(f"SKY{tag}")
