"""A reply typed on the case page reaches the customer's network and the case shows it as sent.

The whole production path: the post arrives (a poll of X, a signed Facebook webhook), an agent signs
in and replies through the case page's form, the worker's round (`Rounds.run_once`, what `socialdesk
serve` and `socialdesk worker` run) sends it through the connector to a stand-in of the network, and
the case page then shows the reply as sent. E-mail goes to real local servers (Dovecot, aiosmtpd).
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

from pydantic import SecretStr
from sqlalchemy import select

from socialdesk.core.types import DeliveryStatus
from socialdesk.pipeline.worker import Rounds
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post
from tests import factories as f
from tests.channels import CREDENTIALS_KEY, connect, connect_x, fixture, hook_client, settings, vault
from tests.mail_servers import MailUser, SmtpServer, mail_credentials
from tests.stand_ins.meta import APP_SECRET, PAGE, TOKEN, MetaStandIn, signature
from tests.stand_ins.x import ANA, XStandIn
from tests.web_client import Browser

COMMENT = "122148853012345678_1187465523409876"
ROOT_MESSAGE = "<5c1e7b0a-3f2d-4e8b-9a61-0d2f4c7e91b3@example.com>"  # plain__new_question.eml


def reply_on_the_page(db: Database, case_id: int, text: str) -> Browser:
    f.agent(db, "Acme", "mj@acme.example")
    browser = Browser(db, credentials_key=SecretStr(CREDENTIALS_KEY))
    browser.login("mj@acme.example")
    answer = browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/reply", {"text": text})
    assert answer.status_code == 303, answer.text
    return browser


def delivery_badge(browser: Browser, case_id: int) -> list[str]:
    page = browser.get(f"/cases/{case_id}").text
    return re.findall(r'class="delivery delivery-(\w+)"', page)


def the_only_case(db: Database) -> int:
    with db.read() as session:
        return session.scalars(select(Case.id)).one()


def the_reply(db: Database) -> Post:
    with db.read() as session:
        return session.scalars(select(Post).where(Post.agent_id.is_not(None))).one()


def test_an_x_reply_typed_on_the_case_page_is_posted_and_shown_as_sent(db: Database, x: XStandIn) -> None:
    connect_x(db, f.workspace(db), x, sources=["mentions"])
    x.mentions = [x.post("@AcmeHelp my bag did not arrive in Lisbon", ANA)]
    rounds = Rounds(db, settings(db), vault())
    try:
        assert rounds.run_once().channel_posts == 1  # the worker polled the mention in
        case_id = the_only_case(db)
        browser = reply_on_the_page(db, case_id, "@ana_lisboa Sorry, Ana! Please DM us your bag tag number.")
        assert delivery_badge(browser, case_id) == ["queued"]
        assert rounds.run_once().replies == 1
    finally:
        rounds.close()
    [sent] = x.calls("POST", "/2/tweets")
    assert sent.json() == {
        "text": "@ana_lisboa Sorry, Ana! Please DM us your bag tag number.",
        "reply": {"in_reply_to_tweet_id": x.mentions[0]["id"]},
    }
    reply = the_reply(db)
    assert reply.delivery_status is DeliveryStatus.SENT
    assert reply.external_id == sent_id(x)
    assert delivery_badge(browser, case_id) == ["sent"]


def sent_id(x: XStandIn) -> str:
    return str(x.timeline[0]["id"])


def test_a_facebook_reply_typed_on_the_case_page_is_posted_and_shown_as_sent(
    db: Database, graph: tuple[MetaStandIn, str]
) -> None:
    stand_in, url = graph
    ws = f.workspace(db)
    channel_id = connect(
        db,
        ws,
        "facebook",
        "AcmeAir",
        {"page_access_token": TOKEN, "app_secret": APP_SECRET},
        {"api_base": url},
        external_id=PAGE,
    )
    body = fixture("meta", "page_feed__comment_add.json")
    with hook_client(db) as client:
        delivered = client.post(
            f"/hooks/facebook/{channel_id}", content=body, headers={"X-Hub-Signature-256": signature(body)}
        )
        assert delivered.status_code == 200, delivered.text
    case_id = the_only_case(db)
    browser = reply_on_the_page(db, case_id, "Mariana, we're so sorry. Please check your Messenger inbox.")
    rounds = Rounds(db, settings(db), vault())
    try:
        assert rounds.run_once().replies == 1
    finally:
        rounds.close()
    [call] = [r for r in stand_in.requests if r.method == "POST" and r.path.endswith(f"/{COMMENT}/comments")]
    assert call.form()["message"] == "Mariana, we're so sorry. Please check your Messenger inbox."
    reply = the_reply(db)
    assert reply.delivery_status is DeliveryStatus.SENT
    assert reply.external_id is not None
    assert delivery_badge(browser, case_id) == ["sent"]


def test_a_refused_reply_shows_the_networks_reason_and_can_be_tried_again(db: Database, x: XStandIn) -> None:
    connect_x(db, f.workspace(db), x, sources=["mentions"])
    x.mentions = [x.post("@AcmeHelp where is my refund?", ANA)]
    rounds = Rounds(db, settings(db), vault())
    try:
        rounds.run_once()
        case_id = the_only_case(db)
        browser = reply_on_the_page(db, case_id, "@ana_lisboa Checking now!")
        x.fail_next(
            "POST",
            "/2/tweets",
            403,
            body={
                "title": "Forbidden",
                "detail": "You are not permitted to reply to this conversation.",
                "status": 403,
            },
        )
        rounds.run_once()
        page = browser.get(f"/cases/{case_id}").text
        assert "Not sent:" in page
        assert "You are not permitted to reply to this conversation." in page
        reply = the_reply(db)
        retried = browser.submit(f"/cases/{case_id}", f"/cases/{case_id}/posts/{reply.id}/retry", {})
        assert retried.status_code == 303
        rounds.run_once()
    finally:
        rounds.close()
    assert the_reply(db).delivery_status is DeliveryStatus.SENT
    assert len(x.calls("POST", "/2/tweets")) == 2


def test_an_email_reply_typed_on_the_case_page_reaches_the_smtp_server_and_shows_as_sent(
    db: Database, mailbox: MailUser, smtp: SmtpServer
) -> None:
    connect(db, f.workspace(db), "email", "support@acme.example", mail_credentials(mailbox, smtp))
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))
    rounds = Rounds(db, settings(db), vault())
    try:
        assert rounds.run_once().channel_posts == 1  # polled from the IMAP server
        case_id = the_only_case(db)
        browser = reply_on_the_page(db, case_id, "Hello, thanks for writing. Your refund was sent today.")
        assert rounds.run_once().replies == 1
    finally:
        rounds.close()
    [mail] = smtp.delivered
    message = BytesParser(policy=policy.default).parsebytes(mail.data)
    reply = the_reply(db)
    assert reply.delivery_status is DeliveryStatus.SENT
    assert message["Message-ID"] == reply.external_id
    assert message["In-Reply-To"] == ROOT_MESSAGE
    assert message["From"].addresses[0].addr_spec == "support@acme.example"
    body = message.get_body(("plain",))
    assert body is not None
    assert "Your refund was sent today." in body.get_content()
    assert delivery_badge(browser, case_id) == ["sent"]
