"""The agent's pages: sign-in, inbox, case page, reply, status (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import select

from socialdesk.core.types import DeliveryStatus, Direction
from socialdesk.pipeline.worker import run_pending
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ChannelAccount, Post, Team
from tests import factories as f
from tests.web_client import Browser


def seeded(db: Database) -> tuple[int, Browser]:
    ws = f.workspace(db, "Acme", teams=(("Soporte", "es"),))
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(
        db,
        ws,
        f.post("1", text="@AcmeHelp my order never arrived", minutes=0, author="c1"),
        f.reply("2", to="1", minutes=5),
        f.post("3", text="@AcmeHelp mi pedido llegó roto", minutes=10, author="c2"),
        f.post(
            "4",
            text="hello on mastodon",
            minutes=20,
            author="c3",
            network="mastodon",
            channel="acme@m.social",
        ),
    )
    run_pending(db)
    browser = Browser(db)
    assert browser.login("ana@acme.example").status_code == 303
    return ws, browser


def case_ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-href="/cases/(\d+)"', html)]


def case_id_of(db: Database, external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


def test_pages_need_a_signed_in_agent(db: Database) -> None:
    f.workspace(db)
    browser = Browser(db)
    for url in ("/", "/inbox", "/cases/1", "/docs"):
        response = browser.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert browser.client.get("/openapi.json").status_code == 401


def test_sign_in_sets_a_secure_session_cookie_and_sign_out_ends_it(db: Database) -> None:
    f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    browser = Browser(db)
    response = browser.login("ana@acme.example")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sd_session="))
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=lax" in cookie
    assert browser.get("/inbox").status_code == 200
    assert browser.submit("/inbox", "/logout", {}).status_code == 303
    assert browser.get("/inbox").status_code == 303


def test_a_wrong_password_is_refused_with_a_readable_message(db: Database) -> None:
    f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    response = Browser(db).login("ana@acme.example", "not the password")
    assert response.status_code == 401
    assert "wrong e-mail or password" in response.text
    assert "sd_session" not in response.headers.get("set-cookie", "")


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(db: Database) -> None:
    f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    browser = Browser(db)
    form = {"email": "ana@acme.example", "password": "correct horse battery"}
    assert browser.client.post("/login", data=form).status_code == 403
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    cross_site = browser.client.post(
        "/login", data={**form, "csrf_token": token.group(1)}, headers={"origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403


def test_login_never_redirects_off_site(db: Database) -> None:
    f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    browser = Browser(db)
    response = browser.submit(
        "/login",
        "/login",
        {"email": "ana@acme.example", "password": "correct horse battery", "next": "//evil.example/x"},
    )
    assert response.headers["location"] == "/inbox"


def test_the_inbox_lists_open_cases_newest_first_and_filters_them(db: Database) -> None:
    _, browser = seeded(db)
    c1, c3, c4 = case_id_of(db, "1"), case_id_of(db, "3"), case_id_of(db, "4")
    page = browser.get("/inbox")
    assert page.status_code == 200
    assert case_ids_in(page.text) == [c4, c3, c1]
    assert case_ids_in(browser.get("/inbox?status=pending").text) == [c1]
    assert case_ids_in(browser.get("/inbox?status=new").text) == [c4, c3]
    assert case_ids_in(browser.get("/inbox?network=mastodon").text) == [c4]
    with db.read() as s:
        mastodon = s.scalars(select(ChannelAccount.id).where(ChannelAccount.network == "mastodon")).one()
        soporte = s.scalars(select(Team.id).where(Team.name == "Soporte")).one()
    assert case_ids_in(browser.get(f"/inbox?channel={mastodon}").text) == [c4]
    assert case_ids_in(browser.get(f"/inbox?team={soporte}").text) == [c3]
    assert "No cases match" in browser.get("/inbox?status=resolved").text
    assert browser.get("/inbox?status=bogus").status_code == 422


def test_the_case_page_shows_the_whole_conversation_and_the_customer(db: Database) -> None:
    _, browser = seeded(db)
    page = browser.get(f"/cases/{case_id_of(db, '1')}")
    assert page.status_code == 200
    assert "my order never arrived" in page.text
    assert "Sorry! Please DM us." in page.text
    assert page.text.index("my order never arrived") < page.text.index("Sorry! Please DM us.")
    assert "@c1" in page.text
    assert "Reply publicly on X / Twitter" in page.text


def test_a_reply_is_recorded_as_an_outbound_post_and_the_case_goes_pending(db: Database) -> None:
    _, browser = seeded(db)
    case_id = case_id_of(db, "3")
    form = {"text": "@c2 Lo sentimos, ¿nos envías un DM con tu número de pedido?", "idempotency_key": "k-1"}
    response = browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/reply", form)
    assert response.status_code == 303
    again = browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/reply", form)  # a double submit
    assert again.status_code == 303
    with db.read() as s:
        case = s.get_one(Case, case_id)
        assert case.status.value == "pending"
        replies = s.scalars(select(Post).where(Post.agent_id.is_not(None))).all()
        assert len(replies) == 1
        assert replies[0].direction is Direction.OUTBOUND
        assert replies[0].delivery_status is DeliveryStatus.QUEUED
        assert replies[0].in_reply_to == "3"
        assert replies[0].conversation_id == case.conversation_id
    page = browser.get(f"/cases/{case_id}")
    assert "nos envías un DM" in page.text
    assert 'id="case-status">pending<' in page.text


def test_a_reply_over_the_network_limit_is_refused_and_the_draft_kept(db: Database) -> None:
    _, browser = seeded(db)
    case_id = case_id_of(db, "1")
    response = browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/reply", {"text": "x" * 281})
    assert response.status_code == 422
    assert "X / Twitter allows 280 characters in a post; this reply has 281" in response.text
    assert "x" * 281 in response.text


def test_an_agent_resolves_and_reopens_a_case(db: Database) -> None:
    _, browser = seeded(db)
    case_id = case_id_of(db, "3")
    assert (
        browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/status", {"status": "resolved"}).status_code
        == 303
    )
    assert case_id not in case_ids_in(browser.get("/inbox").text)
    assert case_id in case_ids_in(browser.get("/inbox?status=resolved").text)
    assert (
        browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/status", {"status": "open"}).status_code == 303
    )
    assert case_id in case_ids_in(browser.get("/inbox?status=open").text)


def test_pages_send_security_headers(db: Database) -> None:
    response = Browser(db).get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
