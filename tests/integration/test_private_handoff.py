"""Public to private, end to end through the pipeline and the pages, on SQLite and PostgreSQL: the
public reply, the signed link, the e-mail code over a real SMTP server, the private conversation on a
linked case, the agent's reply delivered to the customer's page, and what must never leak."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.message import Message
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select, update

from socialdesk.core.clock import utcnow
from socialdesk.core.types import DeliveryStatus, Direction
from socialdesk.pipeline.handoff_links import LinkClaims, sign_link
from socialdesk.pipeline.handoffs import WITHDRAWN_NOTE, move_to_private, set_public_reply, withdraw_link
from socialdesk.pipeline.outbox import deliver_due
from socialdesk.store.db import Database
from socialdesk.store.models import (
    Case,
    Conversation,
    Identity,
    Note,
    Post,
    PrivateHandoff,
    PrivateSession,
    PrivateSignInCode,
    VerifiedIdentity,
)
from tests import factories as f
from tests.channels import CREDENTIALS_KEY, vault
from tests.mail_servers import SmtpServer
from tests.web_client import SECRET, Browser, csrf_from

AGENT = "dana@acme.example"
SECRET_TEXT = "my booking is ZX-4471 and my card 4111 1111 1111 1111 was charged twice"
NOTE = "VIP: refund approved by finance, do not mention"
_LINK = re.compile(r"https://testserver/private/(\S+)")


def _settings(smtp: SmtpServer) -> dict[str, object]:
    return {
        "credentials_key": CREDENTIALS_KEY,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "smtp_user": smtp.user,
        "smtp_password": smtp.password,
        "mail_from": "support@acme.example",
    }


def _public_case(db: Database, workspace: str = "Acme", author: str = "cust1") -> tuple[int, int]:
    """A workspace with a public X complaint (and an internal note); (workspace id, case id)."""
    ws = f.workspace(db, workspace)
    f.ingest(db, ws, f.post(text=f"@AcmeHelp {SECRET_TEXT}", author=author))
    with db.write() as s:
        case = s.scalars(select(Case).where(Case.workspace_id == ws)).one()
        s.add(Note(workspace_id=ws, case_id=case.id, body=NOTE))
        return ws, case.id


def _agent(db: Database, smtp: SmtpServer, workspace: str = "Acme", address: str = AGENT) -> Browser:
    f.agent(db, workspace, address)
    browser = Browser(db, **_settings(smtp))
    assert browser.login(address).status_code == 303
    return browser


def _move(agent: Browser, case_id: int) -> str:
    answer = agent.submit(f"/cases/{case_id}", f"/cases/{case_id}/private", {})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def _public_replies(db: Database, case_id: int) -> list[Post]:
    with db.read() as s:
        case = s.get_one(Case, case_id)
        return list(
            s.scalars(
                select(Post).where(
                    Post.conversation_id == case.conversation_id, Post.direction == Direction.OUTBOUND
                )
            )
        )


def _token(db: Database, case_id: int) -> str:
    [reply] = _public_replies(db, case_id)
    match = _LINK.search(reply.text)
    assert match, reply.text
    return match.group(1)


def _code(smtp: SmtpServer, to: str) -> str:
    mail: Message = email.message_from_bytes(smtp.delivered[-1].data)
    assert smtp.delivered[-1].rcpt_tos == [to.lower()]
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    match = re.search(rb"\b(\d{6})\b", body)
    assert match
    return match.group(1).decode()


def _sign_in(db: Database, smtp: SmtpServer, token: str, address: str) -> Browser:
    customer = Browser(db, **_settings(smtp))
    page = f"/private/{token}"
    asked = customer.submit(page, f"{page}/code", {"email": address})
    assert asked.status_code == 200, asked.text
    assert "6-digit code" in asked.text
    code = _code(smtp, address)
    done = customer.submit(page, f"{page}/verify", {"email": address, "code": code})
    assert done.status_code == 303, done.text
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("sd_private="))
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/private/"):
        assert flag.lower() in cookie.lower()
    assert "sd_private" in customer.client.cookies
    return customer


def _send_new_link(db: Database, agent: Browser, visitor: Browser, case_id: int, old_token: str) -> str:
    """Move the case to private again: a second public reply with a new link, which opens."""
    _move(agent, case_id)
    replies = _public_replies(db, case_id)
    assert len(replies) == 2
    newer = _LINK.search(max(replies, key=lambda p: p.id).text)
    assert newer
    assert newer.group(1) != old_token
    assert visitor.get(f"/private/{newer.group(1)}").status_code == 200
    return newer.group(1)


def _write(customer: Browser, token: str, text: str) -> None:
    page = customer.get(f"/private/{token}")
    form_key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert form_key
    answer = customer.submit(
        f"/private/{token}", f"/private/{token}/messages", {"text": text, "form_key": form_key.group(1)}
    )
    assert answer.status_code == 303, answer.text


def test_a_case_moves_to_private_and_the_conversation_continues_there(
    db: Database, smtp: SmtpServer, http: httpx.Client
) -> None:
    _ws, case_id = _public_case(db)
    agent = _agent(db, smtp)
    assert "Move to private" in agent.get(f"/cases/{case_id}").text
    _move(agent, case_id)

    # The public reply is the template and the link, nothing of the case.
    [reply] = _public_replies(db, case_id)
    token = _token(db, case_id)
    assert (
        reply.text
        == f"Sorry to hear that. Please continue with us privately here: https://testserver/private/{token}"
    )
    assert not reply.is_private
    assert reply.delivery_status is DeliveryStatus.QUEUED
    for private in ("ZX-4471", "4111", "refund", "cust1", "VIP"):
        assert private not in reply.text

    _move(agent, case_id)  # a second click: the same hand-off, no second public post
    assert len(_public_replies(db, case_id)) == 1
    assert _token(db, case_id) == token

    customer = _sign_in(db, smtp, token, "Ana@Example.com")
    _write(customer, token, "Here are the details: booking ZX-4471.")

    with db.read() as s:
        public = s.get_one(Case, case_id)
        message = s.scalars(select(Post).where(Post.network == "socialdesk")).one()
        conversation = s.get_one(Conversation, message.conversation_id)
        private_case = s.scalars(select(Case).where(Case.conversation_id == conversation.id)).one()
        assert message.direction is Direction.INBOUND
        assert message.is_private
        assert conversation.is_private
        assert private_case.id != public.id
        assert private_case.customer_id == public.customer_id
        assert message.customer_id == public.customer_id
        identity = s.scalars(select(Identity).where(Identity.network == "email")).one()
        assert (identity.external_id, identity.customer_id) == ("ana@example.com", public.customer_id)
        verified = s.scalars(select(VerifiedIdentity)).one()
        assert (verified.method, verified.subject, verified.conflict_customer_id) == (
            "email",
            "ana@example.com",
            None,
        )
        assert verified.identity_id == identity.id

    # Agents see it on the public case (with the way to the linked case) and on the private case.
    public_page = agent.get(f"/cases/{case_id}").text
    assert "booking ZX-4471." in public_page
    assert f"/cases/{private_case.id}" in public_page
    assert "ana@example.com" in public_page
    private_page = agent.get(f"/cases/{private_case.id}").text
    assert "booking ZX-4471." in private_page
    assert f"case #{case_id}" in private_page

    answer = agent.submit(
        f"/cases/{private_case.id}",
        f"/cases/{private_case.id}/reply",
        {"text": "Thanks Ana, the double charge is refunded.", "idempotency_key": "k-private-1"},
    )
    assert answer.status_code == 303, answer.text
    # Queued is not delivered: the customer sees the reply once the outbox has sent it.
    assert "double charge is refunded" not in customer.get(f"/private/{token}").text
    assert deliver_due(db, vault(), http) == 1
    with db.read() as s:
        sent = s.scalars(select(Post).where(Post.idempotency_key == "k-private-1")).one()
        assert sent.delivery_status is DeliveryStatus.SENT
        assert sent.is_private
    seen = customer.get(f"/private/{token}").text
    assert "double charge is refunded" in seen
    assert "booking ZX-4471." in seen
    fragment = customer.get(f"/private/{token}/messages")
    assert fragment.status_code == 200
    assert "double charge is refunded" in fragment.text
    # Only the private conversation: nothing of the public thread, the note or the case.
    for hidden in ("4111", NOTE, "charged twice", "Case #"):
        assert hidden not in seen


def test_the_public_reply_follows_the_workspace_template(db: Database, smtp: SmtpServer) -> None:
    ws, case_id = _public_case(db)
    agent = _agent(db, smtp)
    with pytest.raises(Exception, match="exactly once"):
        set_public_reply(db, ws, "Please DM us")
    with pytest.raises(Exception, match="only contain"):
        set_public_reply(db, ws, "Hi {customer}, continue here: {link}")
    f.agent(db, "Acme", "admin@acme.example")
    saved = agent.submit(
        "/settings/private-handoff",
        "/settings/private-handoff",
        {"public_reply": "Let's talk privately: {link}"},
    )
    assert saved.status_code == 403  # an agent, not an admin
    set_public_reply(db, ws, "Let's   talk privately: {link}")
    _move(agent, case_id)
    [reply] = _public_replies(db, case_id)
    assert reply.text.startswith("Let's talk privately: https://testserver/private/")


def test_a_code_is_hashed_expires_and_allows_five_tries(db: Database, smtp: SmtpServer) -> None:
    _ws, case_id = _public_case(db)
    _move(_agent(db, smtp), case_id)
    token = _token(db, case_id)
    customer = Browser(db, **_settings(smtp))
    page = f"/private/{token}"
    customer.submit(page, f"{page}/code", {"email": "ana@example.com"})
    code = _code(smtp, "ana@example.com")
    with db.read() as s:
        row = s.scalars(select(PrivateSignInCode)).one()
        assert code not in row.code_digest
        assert len(row.code_digest) == 64
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        answer = customer.submit(page, f"{page}/verify", {"email": "ana@example.com", "code": wrong})
        assert answer.status_code == 400
        assert f"{left} tr" in answer.text
    answer = customer.submit(page, f"{page}/verify", {"email": "ana@example.com", "code": wrong})
    assert "now void" in answer.text
    answer = customer.submit(page, f"{page}/verify", {"email": "ana@example.com", "code": code})
    assert answer.status_code == 400
    assert "sd_private" not in customer.client.cookies

    customer.submit(page, f"{page}/code", {"email": "ana@example.com"})
    fresh = _code(smtp, "ana@example.com")
    with db.write() as s:
        s.execute(update(PrivateSignInCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    answer = customer.submit(page, f"{page}/verify", {"email": "ana@example.com", "code": fresh})
    assert answer.status_code == 400
    assert "expired" in answer.text

    assert customer.submit(page, f"{page}/code", {"email": "ana@example.com"}).status_code == 200
    answer = customer.submit(page, f"{page}/code", {"email": "ana@example.com"})
    assert answer.status_code == 429
    assert "Too many codes" in answer.text
    assert len(smtp.delivered) == 3

    bad = customer.submit(page, f"{page}/code", {"email": "not an address"})
    assert bad.status_code == 422
    assert "valid e-mail" in bad.text


def test_a_link_belongs_to_the_first_verified_address(db: Database, smtp: SmtpServer) -> None:
    _ws, case_id = _public_case(db)
    _move(_agent(db, smtp), case_id)
    token = _token(db, case_id)
    _sign_in(db, smtp, token, "ana@example.com")
    stranger = Browser(db, **_settings(smtp))
    sent = len(smtp.delivered)
    answer = stranger.submit(f"/private/{token}", f"/private/{token}/code", {"email": "mallory@example.com"})
    assert answer.status_code == 403
    assert "already used by someone else" in answer.text
    assert len(smtp.delivered) == sent  # no mail for someone the link does not belong to
    assert "ZX-4471" not in answer.text


def test_tampered_expired_and_replaced_links_are_refused(db: Database, smtp: SmtpServer) -> None:
    _ws, case_id = _public_case(db)
    agent = _agent(db, smtp)
    _move(agent, case_id)
    token = _token(db, case_id)
    visitor = Browser(db, **_settings(smtp))
    assert visitor.get(f"/private/{token}").status_code == 200

    handoff_id, expires, nonce, mac = token.split(".")
    for tampered in (
        f"{int(handoff_id) + 1}.{expires}.{nonce}.{mac}",
        f"{handoff_id}.{int(expires) + 3600}.{nonce}.{mac}",
        f"{handoff_id}.{expires}.{nonce}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        "garbage",
        f"{token}x",
    ):
        answer = visitor.get(f"/private/{tampered}")
        assert answer.status_code == 404
        assert "not valid" in answer.text
        assert "ZX-4471" not in answer.text
        assert "Acme" not in answer.text
    # A link signed with the right key but past its time.
    with db.read() as s:
        handoff = s.get_one(PrivateHandoff, int(handoff_id))
        stale = sign_link(
            SECRET.encode(), LinkClaims(handoff.id, utcnow() - timedelta(minutes=1), handoff.nonce)
        )
    answer = visitor.get(f"/private/{stale}")
    assert answer.status_code == 410
    assert "expired" in answer.text

    # Once expired, moving to private again sends a new link and voids the old one.
    with db.write() as s:
        s.execute(update(PrivateHandoff).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert "Send a new private link" in agent.get(f"/cases/{case_id}").text
    _send_new_link(db, agent, visitor, case_id, token)
    old = visitor.get(f"/private/{token}")
    assert old.status_code == 410
    assert "replaced" in old.text


def test_an_agent_withdraws_a_link_and_can_send_a_new_one(db: Database, smtp: SmtpServer) -> None:
    ws, case_id = _public_case(db)
    _other_ws, other_case = _public_case(db, "Globex", author="cust2")
    agent = _agent(db, smtp)
    outsider = _agent(db, smtp, "Globex", "olga@globex.example")
    assert outsider.submit("/inbox", f"/cases/{case_id}/private/withdraw", {}).status_code == 404
    assert agent.submit("/inbox", f"/cases/{case_id}/private/withdraw", {}).status_code == 404  # no link yet
    _move(agent, case_id)
    token = _token(db, case_id)
    customer = _sign_in(db, smtp, token, "ana@example.com")
    _write(customer, token, "Here is my booking")
    visitor = Browser(db, **_settings(smtp))
    visitor.submit(f"/private/{token}", f"/private/{token}/code", {"email": "ana@example.com"})
    assert "Withdraw the link" in agent.get(f"/cases/{case_id}").text
    csrf = csrf_from(customer.get(f"/private/{token}").text)  # the customer's page is open
    # Another workspace's agent cannot withdraw it.
    assert outsider.submit("/inbox", f"/cases/{case_id}/private/withdraw", {}).status_code == 404

    answer = agent.submit(f"/cases/{case_id}", f"/cases/{case_id}/private/withdraw", {})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{case_id}#handoff"
    # The link opens nothing now, the customer's session is gone, and nothing about the case shows.
    for who in (customer, visitor):
        page = who.get(f"/private/{token}")
        assert page.status_code == 410
        assert "withdrawn" in page.text
        assert "Here is my booking" not in page.text
        assert "ZX-4471" not in page.text
    assert customer.get(f"/private/{token}/messages").status_code == 410
    late = customer.client.post(
        f"/private/{token}/messages",
        data={"csrf_token": csrf, "text": "hi", "form_key": "k" * 16},
        headers={"accept": "text/html", "origin": "https://testserver"},
    )
    assert late.status_code == 410
    with db.read() as s:
        handoff = s.scalars(select(PrivateHandoff).where(PrivateHandoff.case_id == case_id)).one()
        assert handoff.revoked_at is not None
        assert s.scalars(select(PrivateSession).where(PrivateSession.handoff_id == handoff.id)).all() == []
        unused = select(PrivateSignInCode).where(
            PrivateSignInCode.handoff_id == handoff.id, PrivateSignInCode.used_at.is_(None)
        )
        assert s.scalars(unused).all() == []
    case_page = agent.get(f"/cases/{case_id}").text
    assert "withdrawn" in case_page
    assert "Send a new private link" in case_page
    assert "Withdraw the link" not in case_page
    # Withdrawing again changes nothing.
    assert agent.submit(f"/cases/{case_id}", f"/cases/{case_id}/private/withdraw", {}).status_code == 303
    assert withdraw_link(db, ws, case_id, None) is False
    with db.read() as s:
        notes = s.scalars(select(Note.body).where(Note.case_id == case_id)).all()
    assert notes.count(WITHDRAWN_NOTE) == 1
    # The other workspace's link works as before.
    _move(outsider, other_case)
    assert visitor.get(f"/private/{_token(db, other_case)}").status_code == 200

    # Agents on the private case see that the customer can no longer read their replies.
    with db.read() as s:
        private_case = s.scalars(
            select(Case.id).join(Conversation).where(Conversation.external_key == f"handoff-{handoff.id}")
        ).one()
        assert WITHDRAWN_NOTE in s.scalars(select(Note.body).where(Note.case_id == private_case)).all()
    assert 'id="handoff-withdrawn-here"' in agent.get(f"/cases/{private_case}").text

    # Moving to private again posts a new link, which works; the withdrawn one says it was replaced.
    newer = _send_new_link(db, agent, visitor, case_id, token)
    assert visitor.get(f"/private/{token}").status_code == 410
    assert "Withdraw the link" in agent.get(f"/cases/{case_id}").text
    # Whoever claimed the withdrawn link is not trusted with what follows: the new link may be claimed
    # by another address, and it opens an empty conversation, not the old one.
    assert "Send me a code" in customer.get(f"/private/{newer}").text  # the old session does not carry over
    other = _sign_in(db, smtp, newer, "real.ana@example.com")
    fresh = other.get(f"/private/{newer}").text
    assert "Your private conversation" in fresh
    assert "Here is my booking" not in fresh
    _write(other, newer, "It is me, the real Ana")
    with db.read() as s:
        cases = s.scalars(
            select(Case.id).join(Conversation).where(Conversation.network == "socialdesk")
        ).all()
    assert len(cases) == 2  # the old private case stays, with its own thread; the new one is separate
    assert "Here is my booking" in agent.get(f"/cases/{private_case}").text
    assert 'id="handoff-withdrawn-here"' in agent.get(f"/cases/{private_case}").text
    newest = max(cases)
    assert "It is me, the real Ana" in agent.get(f"/cases/{newest}").text
    assert 'id="handoff-withdrawn-here"' not in agent.get(f"/cases/{newest}").text


def test_a_renewed_expired_link_stays_with_the_address_that_verified_it(
    db: Database, smtp: SmtpServer
) -> None:
    _ws, case_id = _public_case(db)
    agent = _agent(db, smtp)
    _move(agent, case_id)
    token = _token(db, case_id)
    ana = _sign_in(db, smtp, token, "ana@example.com")
    _write(ana, token, "My booking is ZX-4471")
    with db.write() as s:
        s.execute(update(PrivateHandoff).values(expires_at=utcnow() - timedelta(minutes=1)))
    visitor = Browser(db, **_settings(smtp))
    newer = _send_new_link(db, agent, visitor, case_id, token)
    # A stranger reading the public thread cannot claim the new link and read Ana's conversation.
    refused = visitor.submit(f"/private/{newer}", f"/private/{newer}/code", {"email": "mallory@example.com"})
    assert refused.status_code == 403
    assert "ZX-4471" not in refused.text
    # Ana signs in again (her session ended with the old link) and finds her conversation.
    assert "Send me a code" in ana.get(f"/private/{newer}").text
    again = _sign_in(db, smtp, newer, "ana@example.com")
    assert "My booking is ZX-4471" in again.get(f"/private/{newer}").text


def test_another_workspace_and_another_hand_off_stay_out(db: Database, smtp: SmtpServer) -> None:
    _ws, case_id = _public_case(db)
    _other_ws, other_case = _public_case(db, "Globex", author="cust2")
    agent = _agent(db, smtp)
    outsider = _agent(db, smtp, "Globex", "olga@globex.example")
    refused = outsider.submit("/inbox", f"/cases/{case_id}/private", {})
    assert refused.status_code == 404
    assert _public_replies(db, case_id) == []

    _move(agent, case_id)
    _move(outsider, other_case)
    token, other_token = _token(db, case_id), _token(db, other_case)
    customer = _sign_in(db, smtp, token, "ana@example.com")
    _write(customer, token, "Only for Acme")
    # Signed in for one hand-off is not signed in for another, nor an agent.
    page = customer.get(f"/private/{other_token}")
    assert page.status_code == 200
    assert "Send me a code" in page.text
    assert "Only for Acme" not in page.text
    assert customer.get(f"/private/{other_token}/messages").status_code == 401
    assert customer.get(f"/cases/{case_id}").status_code == 303  # to the agents' login
    # The other workspace's agent cannot open the private case either.
    with db.read() as s:
        private_case = s.scalars(
            select(Case).join(Conversation).where(Conversation.network == "socialdesk")
        ).one()
    assert outsider.get(f"/cases/{private_case.id}").status_code == 404
    # A message cannot be written without a session.
    stranger = Browser(db, **_settings(smtp))
    answer = stranger.submit(
        f"/private/{token}", f"/private/{token}/messages", {"text": "hi", "form_key": "k" * 16}
    )
    assert answer.status_code == 401


def test_an_address_of_another_customer_is_flagged_for_merge(db: Database, smtp: SmtpServer) -> None:
    ws, case_id = _public_case(db)
    f.ingest(
        db,
        ws,
        f.post(
            "<bea-1@example.com>",
            network="email",
            channel="help@acme.example",
            author="bea@example.com",
            text="Hello from my mail",
            private=True,
            conversation_key="<bea-1@example.com>",
        ),
    )
    agent = _agent(db, smtp)
    _move(agent, case_id)
    token = _token(db, case_id)
    _sign_in(db, smtp, token, "bea@example.com")
    with db.read() as s:
        public = s.get_one(Case, case_id)
        bea = s.scalars(select(Identity).where(Identity.network == "email")).one()
        verified = s.scalars(select(VerifiedIdentity)).one()
        assert bea.customer_id != public.customer_id  # not merged
        assert verified.customer_id == public.customer_id
        assert verified.conflict_customer_id == bea.customer_id
        assert verified.identity_id is None
    assert "already belongs to another customer" in agent.get(f"/cases/{case_id}").text


def test_moving_a_private_case_or_without_a_vault_is_refused(db: Database, smtp: SmtpServer) -> None:
    ws, case_id = _public_case(db)
    agent_id = f.agent(db, "Acme", AGENT)
    with pytest.raises(Exception, match="CREDENTIALS_KEY"):
        move_to_private(db, None, ws, case_id, agent_id, key=b"k" * 32, base_url="https://x", hours=1)
    f.ingest(db, ws, f.post("dm-1", text="a DM", private=True, conversation_key="dm-conv", author="cust9"))
    with db.read() as s:
        dm_case = s.scalars(select(Case).where(Case.id != case_id)).one()
    with pytest.raises(Exception, match="private already"):
        move_to_private(db, vault(), ws, dm_case.id, agent_id, key=b"k" * 32, base_url="https://x", hours=1)


def test_without_a_mail_server_the_demo_writes_the_code_to_the_dev_outbox(
    db: Database, smtp: SmtpServer, tmp_path: Path
) -> None:
    _ws, case_id = _public_case(db)
    _move(_agent(db, smtp), case_id)
    token = _token(db, case_id)
    page = f"/private/{token}"
    production = Browser(db, credentials_key=CREDENTIALS_KEY)
    refused = production.submit(page, f"{page}/code", {"email": "ana@example.com"})
    assert refused.status_code == 503
    assert "SOCIALDESK_SMTP_HOST" in refused.text

    demo = Browser(db, credentials_key=CREDENTIALS_KEY, demo=True, data_dir=tmp_path)
    asked = demo.submit(page, f"{page}/code", {"email": "ana@example.com"})
    assert asked.status_code == 200
    assert "no mail server is set up" in asked.text
    [mail_file] = (tmp_path / "dev-outbox").glob("*.eml")
    assert str(mail_file) in asked.text
    mail = email.message_from_bytes(mail_file.read_bytes())
    assert mail["To"] == "ana@example.com"
    code = re.search(r"\b(\d{6})\b", str(mail["Subject"]))
    assert code
    done = demo.submit(page, f"{page}/verify", {"email": "ana@example.com", "code": code.group(1)})
    assert done.status_code == 303
