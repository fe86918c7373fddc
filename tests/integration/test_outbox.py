"""The outbox's guards, for every network: held while a channel is not connected or paused and sent
once it is, never a private answer in public, and a conversation without a brand account refused.
The network here is the X stand-in; the rules live in pipeline/outbox.py, not in a connector."""

from __future__ import annotations

import httpx2 as httpx
from sqlalchemy import select, update

from socialdesk.core.types import DeliveryStatus
from socialdesk.pipeline import outbox
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.channel_accounts import set_paused
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ChannelAccount, Conversation, Post
from tests import factories as f
from tests.channels import connect_x, vault
from tests.stand_ins.x import XStandIn


def a_reply(db: Database, ws: int, mention: str = "m1") -> int:
    """A customer's mention imported for @AcmeHelp (so its channel exists, unconnected) and a reply."""
    f.ingest(db, ws, f.post(mention, text="@AcmeHelp my order is late", channel="AcmeHelp"))
    with db.read() as s:
        case_id = s.scalars(select(Case.id).order_by(Case.id.desc())).first()
    assert case_id is not None
    agent = f.agent(db, "Acme", f"agent{mention}@acme.example")
    return record_reply(db, ws, case_id, agent, "@cust1 Sorry! Looking into it.").post_id


def status(db: Database, post_id: int) -> tuple[DeliveryStatus, str | None]:
    with db.read() as s:
        post = s.get_one(Post, post_id)
        return post.delivery_status, post.send_error


def test_a_reply_on_an_unconnected_channel_waits_and_goes_once_it_is_connected(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    post_id = a_reply(db, ws)
    assert outbox.deliver_due(db, vault(), http) == 0
    held, why = status(db, post_id)
    assert held is DeliveryStatus.QUEUED
    assert why is not None
    assert "waiting for this channel to be connected" in why
    assert outbox.deliver_due(db, vault(), http) == 0  # held: not due again by itself
    assert x.calls("POST", "/2/tweets") == []

    connect_x(db, ws, x)
    assert outbox.deliver_due(db, vault(), http) == 1
    assert status(db, post_id) == (DeliveryStatus.SENT, None)
    assert len(x.calls("POST", "/2/tweets")) == 1


def test_a_paused_channel_holds_its_replies_until_it_is_resumed(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    channel_id = connect_x(db, ws, x)
    set_paused(db, ws, channel_id, True)
    post_id = a_reply(db, ws)
    outbox.deliver_due(db, vault(), http)
    assert status(db, post_id) == (DeliveryStatus.QUEUED, "waiting: this channel is paused")
    set_paused(db, ws, channel_id, False)
    outbox.deliver_due(db, vault(), http)
    assert status(db, post_id)[0] is DeliveryStatus.SENT
    assert len(x.calls("POST", "/2/tweets")) == 1


def test_an_answer_whose_visibility_differs_from_its_conversation_is_never_sent(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    connect_x(db, ws, x)
    post_id = a_reply(db, ws)
    with db.write() as s:  # as if the conversation had become private after the reply was written
        conversation_id = s.get_one(Post, post_id).conversation_id
        s.execute(update(Conversation).where(Conversation.id == conversation_id).values(is_private=True))
    outbox.deliver_due(db, vault(), http)
    failed, why = status(db, post_id)
    assert failed is DeliveryStatus.FAILED
    assert why is not None
    assert "visibility" in why
    assert x.calls("POST", "/2/tweets") == []


def test_only_agents_outbound_posts_are_ever_sent(db: Database, x: XStandIn, http: httpx.Client) -> None:
    ws = f.workspace(db)
    connect_x(db, ws, x)
    f.ingest(db, ws, f.post("c1", text="@AcmeHelp hello"), f.reply("b1", to="c1", minutes=1))
    with db.write() as s:  # a customer's post must never be echoed back, whatever its status says
        s.execute(update(Post).values(delivery_status=DeliveryStatus.QUEUED, next_send_at=f.T0))
    assert outbox.deliver_due(db, vault(), http) == 0
    assert x.requests == []


def test_a_reply_in_a_conversation_without_a_brand_account_fails_with_a_reason(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    post_id = a_reply(db, ws)
    with db.write() as s:
        s.execute(update(Post).values(channel_account_id=None))
        s.execute(update(ChannelAccount).values(status="archive"))
    outbox.deliver_due(db, vault(), http)
    failed, why = status(db, post_id)
    assert failed is DeliveryStatus.FAILED
    assert why == "this conversation has no brand account on the network to answer from"
