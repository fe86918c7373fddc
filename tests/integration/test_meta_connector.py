"""The Facebook and Instagram connectors against a stand-in of the Graph API, on SQLite and PostgreSQL.

Polling with a durable cursor, replies through the outbox (success, Meta's throttling with its usage
header, a 5xx then success, a refusal, and a crash after the send reached Meta), and webhooks through
the real app: the subscription check, signed deliveries (twice), tampered, malformed and oversized.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import select

from socialdesk.channels.meta import FACEBOOK, INSTAGRAM
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.types import DeliveryStatus, Direction, InboundPost, OutboundMessage
from socialdesk.pipeline import outbox, polling
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.channel_accounts import LoadedChannel
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Conversation, Post
from tests import factories as f
from tests.channels import channel, connect, fixture, hook_client, make_due, post, vault
from tests.stand_ins.meta import APP_SECRET, PAGE, TOKEN, VERIFY_TOKEN, MetaStandIn, error, signature
from tests.stand_ins.server import serve

POST = f"{PAGE}_122148853012345678"
COMMENT = "122148853012345678_1187465523409876"
PSID = "6651827394021873"
IG = "17841463572018834"
IG_COMMENT = "17998765432109876"
IGSID = "1093847561029384"
VERSION = "v26.0"


@dataclass
class Meta:
    """A channel connected to a running stand-in."""

    stand_in: MetaStandIn
    url: str
    db: Database
    workspace_id: int
    channel_id: int
    agent_id: int
    http: httpx.Client

    @property
    def channel(self) -> LoadedChannel:
        return channel(self.db, self.channel_id)

    def ingest(self, name: str) -> list[InboundPost]:
        """A recorded webhook, parsed for this channel and stored, as a customer's post to answer."""
        network = FACEBOOK if self.channel.network == "facebook" else INSTAGRAM
        events = network.parse(fixture("meta", name), self.channel.account)
        ingest_posts(self.db, self.workspace_id, events)
        return [e for e in events if isinstance(e, InboundPost)]

    def reply(self, external_id: str, text: str) -> int:
        """An agent's reply on the case of the post `external_id`; returns the reply's post id."""
        with self.db.read() as session:
            conversation_id = session.scalars(
                select(Post.conversation_id).where(Post.external_id == external_id)
            ).one()
            case_id = session.scalars(select(Case.id).where(Case.conversation_id == conversation_id)).one()
        return record_reply(self.db, self.workspace_id, case_id, self.agent_id, text).post_id

    def post(self, post_id: int) -> Post:
        return post(self.db, post_id)

    def deliver(self) -> int:
        return outbox.deliver_due(self.db, vault(), self.http)


def credentials(network: str) -> dict[str, str]:
    token_field = "page_access_token" if network == "facebook" else "access_token"
    return {token_field: TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}


@pytest.fixture
def facebook(db: Database, http: httpx.Client) -> Iterator[Meta]:
    yield from _meta(db, http, "facebook", MetaStandIn(PAGE, "Acme Air"), "AcmeAir", PAGE)


@pytest.fixture
def instagram(db: Database, http: httpx.Client) -> Iterator[Meta]:
    yield from _meta(db, http, "instagram", MetaStandIn(IG, "acmeair", instagram=True), "acmeair", IG)


def _meta(
    db: Database, http: httpx.Client, network: str, stand_in: MetaStandIn, handle: str, own_id: str
) -> Iterator[Meta]:
    ws = f.workspace(db)
    agent = f.agent(db, "Acme", f"sam.{network}@acme.test")
    with serve(stand_in.app()) as url:
        channel_id = connect(db, ws, network, handle, credentials(network), {"api_base": url}, own_id)
        yield Meta(stand_in, url, db, ws, channel_id, agent, http)


def stored_ids(db: Database) -> set[str]:
    with db.read() as session:
        return {i for i in session.scalars(select(Post.external_id)) if i}


def cursor(meta: Meta, source: str) -> str | None:
    with meta.db.read() as session:
        return polling.read_cursor(session, meta.channel_id, source)


# -- polling -----------------------------------------------------------------------------------------


def test_polling_the_page_feed_stores_each_comment_once_and_then_only_newer_ones(facebook: Meta) -> None:
    facebook.stand_in.load(json.loads(fixture("meta", "graph__page_feed_comments.json")))
    first = polling.poll_channel(facebook.db, facebook.channel, facebook.http)
    assert (first.stored, first.duplicates, first.errors) == (5, 0, [])
    assert {COMMENT, POST, "122148853012345678_1532087765411230"} <= stored_ids(facebook.db)
    newest = cursor(facebook, "comments")
    assert newest == "1795171799"  # the visitor post of 10:49:59, the newest item

    again = polling.poll_channel(facebook.db, facebook.channel, facebook.http)
    assert (again.stored, again.duplicates) == (0, 0)  # the same page, nothing newer than the cursor
    [_, second] = facebook.stand_in.calls("GET", f"/{VERSION}/{PAGE}/feed")
    assert second.query["since"] == str(1795171799 - 7 * 86400)  # the cursor, less a week of posts
    assert "comments.filter(stream)" in second.query["fields"]

    facebook.stand_in.add_comment(
        POST,
        {
            "id": "122148853012345678_2100000000000001",
            "message": "Any update? Still at the gate.",
            "from": {"name": "Mariana Souza", "id": "7306214589021467"},
            "created_time": "2026-11-20T11:30:00+0000",
            "parent": {"id": COMMENT},
        },
    )
    third = polling.poll_channel(facebook.db, facebook.channel, facebook.http)
    assert third.stored == 1
    assert cursor(facebook, "comments") == "1795174200"
    with facebook.db.read() as session:
        new = session.scalars(
            select(Post).where(Post.external_id == "122148853012345678_2100000000000001")
        ).one()
        old = session.scalars(select(Post).where(Post.external_id == COMMENT)).one()
        assert new.conversation_id == old.conversation_id  # threaded under the comment it answers


def test_polling_conversations_stores_messages_once_in_the_customers_thread(facebook: Meta) -> None:
    facebook.stand_in.load(json.loads(fixture("meta", "graph__conversations.json")), conversations=True)
    first = polling.poll_channel(facebook.db, facebook.channel, facebook.http)
    assert first.stored == 3
    [call] = facebook.stand_in.calls("GET", f"/{VERSION}/me/conversations")
    assert call.query["platform"] == "messenger"
    assert polling.poll_channel(facebook.db, facebook.channel, facebook.http).stored == 0
    assert cursor(facebook, "messages") == "1795166410"
    with facebook.db.read() as session:
        keys = set(session.scalars(select(Conversation.external_key)))
        assert {f"{PAGE}:{PSID}", f"{PAGE}:7190283746501928"} <= keys


def test_polling_instagram_media_and_conversations(instagram: Meta) -> None:
    instagram.stand_in.load(json.loads(fixture("meta", "graph__ig_media_comments.json")))
    instagram.stand_in.load(json.loads(fixture("meta", "graph__ig_conversations.json")), conversations=True)
    first = polling.poll_channel(instagram.db, instagram.channel, instagram.http)
    assert (first.stored, first.errors) == (6, [])
    assert instagram.stand_in.calls("GET", f"/{VERSION}/{IG}/media")
    [call] = instagram.stand_in.calls("GET", f"/{VERSION}/me/conversations")
    assert call.query["platform"] == "instagram"
    assert polling.poll_channel(instagram.db, instagram.channel, instagram.http).stored == 0
    # The same comment arriving by webhook later is the same post.
    [result] = ingest_posts(
        instagram.db, instagram.workspace_id, INSTAGRAM.parse(fixture("meta", "instagram__comment.json"))
    )
    assert result.outcome is Outcome.DUPLICATE


# -- sending -----------------------------------------------------------------------------------------


def test_a_public_reply_is_posted_under_the_comment(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    reply = facebook.reply(COMMENT, "Hi Mariana, we're on it: you're rebooked on LH 443 at 14:05.")
    assert facebook.deliver() == 1
    sent = facebook.post(reply)
    assert sent.delivery_status is DeliveryStatus.SENT
    [call] = facebook.stand_in.calls("POST", f"/{VERSION}/{COMMENT}/comments")
    assert call.form() == {"message": "Hi Mariana, we're on it: you're rebooked on LH 443 at 14:05."}
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.external_id == facebook.stand_in.replies[COMMENT][0]["id"]


def test_a_private_reply_goes_through_the_send_api_to_the_customer(facebook: Meta) -> None:
    [message] = facebook.ingest("messenger__message.json")
    reply = facebook.reply(message.external_id, "Sorry, Mariana! The refund left us on 12 Nov.")
    facebook.deliver()
    sent = facebook.post(reply)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.is_private
    [call] = facebook.stand_in.calls("POST", f"/{VERSION}/me/messages")
    assert call.json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Sorry, Mariana! The refund left us on 12 Nov."},
    }
    assert sent.external_id is not None
    assert sent.external_id.startswith("m_standin")
    # Meta then echoes our message back by webhook: it is the same post, not a second one.
    echo = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1795166410871,
                "messaging": [
                    {
                        "sender": {"id": PAGE},
                        "recipient": {"id": PSID},
                        "timestamp": 1795166410402,
                        "message": {"mid": sent.external_id, "is_echo": True, "text": sent.text},
                    }
                ],
            }
        ],
    }
    [result] = ingest_posts(facebook.db, facebook.workspace_id, FACEBOOK.parse(json.dumps(echo).encode()))
    assert result.outcome is Outcome.DUPLICATE


def test_instagram_replies_go_under_the_comment_and_into_the_dm_thread(instagram: Meta) -> None:
    instagram.ingest("instagram__comment.json")
    [dm] = instagram.ingest("instagram__dm.json")
    public = instagram.reply(IG_COMMENT, "@joana.travels the app is right, sorry! Check your DMs.")
    private = instagram.reply(dm.external_id, "Seat 14C is yours, Joana.")
    assert instagram.deliver() == 2
    assert instagram.post(public).delivery_status is DeliveryStatus.SENT
    assert instagram.post(private).delivery_status is DeliveryStatus.SENT
    [call] = instagram.stand_in.calls("POST", f"/{VERSION}/{IG_COMMENT}/replies")
    assert call.form() == {"message": "@joana.travels the app is right, sorry! Check your DMs."}
    [message] = instagram.stand_in.calls("POST", f"/{VERSION}/me/messages")
    assert message.json()["recipient"] == {"id": IGSID}


def test_metas_throttling_puts_the_reply_back_until_the_usage_header_says(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    reply = facebook.reply(COMMENT, "We're looking into it.")
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 9,
                "total_time": 14,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    facebook.stand_in.fail_next(
        "POST",
        f"/{VERSION}/{COMMENT}/comments",
        400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        body=json.loads(fixture("meta", "graph__error_rate_limited.json")),
    )
    before = utcnow()
    facebook.deliver()
    waiting = facebook.post(reply)
    assert waiting.delivery_status is DeliveryStatus.QUEUED
    assert waiting.next_send_at is not None
    due = as_utc(waiting.next_send_at)
    assert before + timedelta(minutes=12) <= due <= utcnow() + timedelta(minutes=12)
    assert waiting.send_error is not None
    assert "too many calls to this Page account" in waiting.send_error
    assert facebook.deliver() == 0  # not due yet


def test_a_429_with_retry_after_is_honoured_too(instagram: Meta) -> None:
    [dm] = instagram.ingest("instagram__dm.json")
    reply = instagram.reply(dm.external_id, "One moment please.")
    instagram.stand_in.fail_next(
        "POST", f"/{VERSION}/me/messages", 429, headers={"Retry-After": "120"}, body=error("(#4) Too many", 4)
    )
    before = utcnow()
    instagram.deliver()
    waiting = instagram.post(reply)
    assert waiting.delivery_status is DeliveryStatus.QUEUED
    assert waiting.next_send_at is not None
    assert (
        before + timedelta(seconds=120) <= as_utc(waiting.next_send_at) <= utcnow() + timedelta(seconds=120)
    )


def test_a_5xx_is_retried_and_then_succeeds(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    reply = facebook.reply(COMMENT, "Checking with the gate team now.")
    facebook.stand_in.fail_next(
        "POST", f"/{VERSION}/{COMMENT}/comments", 500, body=error("An unexpected error has occurred.", 2)
    )
    facebook.deliver()
    failed_once = facebook.post(reply)
    assert failed_once.delivery_status is DeliveryStatus.QUEUED
    assert failed_once.send_attempts == 1
    make_due(facebook.db, reply)
    facebook.deliver()
    assert facebook.post(reply).delivery_status is DeliveryStatus.SENT
    assert len(facebook.stand_in.calls("POST", f"/{VERSION}/{COMMENT}/comments")) == 2
    assert len(facebook.stand_in.replies[COMMENT]) == 1


def test_a_refusal_fails_the_reply_with_metas_message(facebook: Meta) -> None:
    [message] = facebook.ingest("messenger__message.json")
    reply = facebook.reply(message.external_id, "Hello again!")
    facebook.stand_in.fail_next(
        "POST",
        f"/{VERSION}/me/messages",
        400,
        body=error("(#10) This message is sent outside of allowed window.", 10, 2018278),
    )
    facebook.deliver()
    failed = facebook.post(reply)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert failed.send_error is not None
    assert "This message is sent outside of allowed window." in failed.send_error


def test_an_expired_token_fails_the_reply_and_says_so(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    reply = facebook.reply(COMMENT, "Hello!")
    facebook.stand_in.fail_next(
        "POST",
        f"/{VERSION}/{COMMENT}/comments",
        400,
        body=json.loads(fixture("meta", "graph__error_token_expired.json")),
    )
    facebook.deliver()
    failed = facebook.post(reply)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert failed.send_error is not None
    assert "access token" in failed.send_error
    assert "Session has expired" in failed.send_error


def test_after_a_crash_the_comment_already_made_is_found_and_not_made_again(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    text = "Hi Mariana, you're rebooked on LH 443."
    reply = facebook.reply(COMMENT, text)
    earlier = facebook.stand_in.seed_reply(COMMENT, text, utcnow())
    make_due(facebook.db, reply, DeliveryStatus.SENDING)  # the worker died after handing it to Meta
    facebook.deliver()
    found = facebook.post(reply)
    assert found.delivery_status is DeliveryStatus.SENT
    assert found.external_id == earlier
    assert facebook.stand_in.calls("POST", f"/{VERSION}/{COMMENT}/comments") == []
    [read] = facebook.stand_in.calls("GET", f"/{VERSION}/{COMMENT}/comments")
    assert read.query["filter"] == "stream"


def test_after_a_crash_an_old_reply_with_the_same_text_is_not_taken_for_this_one(facebook: Meta) -> None:
    facebook.ingest("page_feed__comment_add.json")
    text = "Thanks, we'll check."
    facebook.stand_in.seed_reply(COMMENT, text, utcnow() - timedelta(days=2))  # an answer of two days ago
    reply = facebook.reply(COMMENT, text)
    make_due(facebook.db, reply, DeliveryStatus.SENDING)  # the worker died after handing it to Meta
    facebook.deliver()
    assert facebook.post(reply).delivery_status is DeliveryStatus.SENT
    assert len(facebook.stand_in.calls("POST", f"/{VERSION}/{COMMENT}/comments")) == 1


def test_after_a_crash_a_direct_message_already_sent_is_found(instagram: Meta) -> None:
    [dm] = instagram.ingest("instagram__dm.json")
    text = "Seat 14C is yours, Joana."
    reply = instagram.reply(dm.external_id, text)
    # The first attempt reached Meta, and the worker died before recording it.
    earlier = OutboundMessage("instagram", text, True, "k1", conversation_key=f"{IG}:{IGSID}")
    first = INSTAGRAM.send(instagram.http, instagram.channel.account, earlier)
    make_due(instagram.db, reply, DeliveryStatus.SENDING)
    instagram.deliver()
    found = instagram.post(reply)
    assert found.delivery_status is DeliveryStatus.SENT
    assert found.external_id == first.external_id
    assert len(instagram.stand_in.calls("POST", f"/{VERSION}/me/messages")) == 1
    [read] = instagram.stand_in.calls("GET", f"/{VERSION}/me/conversations")
    assert read.query["user_id"] == IGSID


def test_like_hide_unhide_and_delete_reach_the_graph_api(facebook: Meta, instagram: Meta) -> None:
    for action in ("like", "hide", "unhide", "delete"):
        FACEBOOK.act(facebook.http, facebook.channel.account, action, COMMENT)
    assert facebook.stand_in.likes == [COMMENT]
    assert facebook.stand_in.hidden == {COMMENT: False}
    assert facebook.stand_in.deleted == [COMMENT]
    [hide, unhide] = facebook.stand_in.calls("POST", f"/{VERSION}/{COMMENT}")
    assert (hide.form(), unhide.form()) == ({"is_hidden": "true"}, {"is_hidden": "false"})
    INSTAGRAM.act(instagram.http, instagram.channel.account, "hide", IG_COMMENT)
    assert instagram.stand_in.calls("POST", f"/{VERSION}/{IG_COMMENT}")[0].form() == {"hide": "true"}
    assert FACEBOOK.check(facebook.http, facebook.channel.account) == "Acme Air"
    assert INSTAGRAM.check(instagram.http, instagram.channel.account) == "acmeair"


# -- webhooks ----------------------------------------------------------------------------------------


def test_the_subscription_check_answers_the_challenge(facebook: Meta) -> None:
    with hook_client(facebook.db) as client:
        path = f"/hooks/facebook/{facebook.channel_id}"
        ok = client.get(
            path,
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        )
        assert (ok.status_code, ok.text) == (200, "1158201444")
        assert ok.headers["content-type"].startswith("text/plain")
        wrong = client.get(
            path, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}
        )
        assert wrong.status_code == 403


def test_a_signed_delivery_is_stored_once_however_often_it_comes(facebook: Meta) -> None:
    body = fixture("meta", "webhook__batched_entries.json")
    with hook_client(facebook.db) as client:
        path = f"/hooks/facebook/{facebook.channel_id}"
        headers = {"X-Hub-Signature-256": signature(body), "Content-Type": "application/json"}
        first = client.post(path, content=body, headers=headers)
        assert first.status_code == 200
        assert first.json() == {"received": 3, "stored": 3}
        again = client.post(path, content=body, headers=headers)
        assert again.json() == {"received": 3, "duplicate": 3}
    with facebook.db.read() as session:
        rows = session.scalars(select(Post).order_by(Post.id)).all()
        assert len(rows) == 3
        assert {r.channel_account_id for r in rows} == {facebook.channel_id}
        assert [r.is_private for r in rows] == [False, False, True]
        assert all(r.direction is Direction.INBOUND for r in rows)


def test_an_instagram_dm_and_its_unsend_arrive_by_webhook(instagram: Meta) -> None:
    with hook_client(instagram.db) as client:
        path = f"/hooks/instagram/{instagram.channel_id}"
        for name in ("instagram__dm.json", "instagram__dm_deleted.json"):
            body = fixture("meta", name)
            answer = client.post(path, content=body, headers={"X-Hub-Signature-256": signature(body)})
            assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": 1, "deleted": 1}
    with instagram.db.read() as session:
        post = session.scalars(select(Post)).one()
        assert post.deleted_at is not None
        assert post.text == ""


def test_tampered_malformed_and_oversized_deliveries_are_refused(facebook: Meta) -> None:
    original = fixture("meta", "page_feed__comment_add.json")
    with hook_client(facebook.db, hook_max_bytes=4096) as client:
        path = f"/hooks/facebook/{facebook.channel_id}"
        tampered = client.post(
            path,
            content=fixture("meta", "webhook__tampered.json"),
            headers={"X-Hub-Signature-256": signature(original)},
        )
        assert tampered.status_code == 401
        unsigned = client.post(path, content=original)
        assert unsigned.status_code == 401
        truncated = fixture("meta", "webhook__truncated.json")
        malformed = client.post(
            path, content=truncated, headers={"X-Hub-Signature-256": signature(truncated)}
        )
        assert malformed.status_code == 400
        assert "not JSON" in malformed.text
        other = fixture("meta", "webhook__unknown_object.json")
        assert (
            client.post(path, content=other, headers={"X-Hub-Signature-256": signature(other)}).status_code
            == 400
        )
        huge = json.dumps({"object": "page", "entry": [], "padding": "x" * 5000}).encode()
        assert (
            client.post(path, content=huge, headers={"X-Hub-Signature-256": signature(huge)}).status_code
            == 413
        )
    assert stored_ids(facebook.db) == set()
