"""The Bluesky connector against the stand-in PDS and a stand-in Jetstream: polling notifications and chat
with their cursors, sending through the outbox (rate limits, retries, refusals, a lost answer, a crash
mid-send), sessions that expire, Jetstream through the stream runner, actions and the credentials check."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from socialdesk.channels.base import Account, StreamItem
from socialdesk.channels.bluesky import CONNECTOR as BLUESKY
from socialdesk.channels.bluesky import stream as jetstream
from socialdesk.channels.bluesky import text, xrpc
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import CredentialsError, PermanentSendError, TemporaryError
from socialdesk.core.types import DeliveryStatus, Direction, OutboundMessage
from socialdesk.pipeline import outbox, polling, streams
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Conversation
from tests import factories as f
from tests.channels import (
    assert_held_until,
    assert_retrying,
    channel,
    connect,
    cursor,
    fixture,
    hook_client,
    ingested_case,
    make_due,
    post,
    reply,
    stored,
    vault,
)
from tests.stand_ins.bluesky import (
    APP_PASSWORD,
    BRAND_DID,
    BRAND_HANDLE,
    BlueskyStandIn,
    JetstreamStandIn,
    serve_jetstream,
)
from tests.stand_ins.server import serve

ALICE = "did:plc:uyxxapwo37d2xcu656yrzxa5"
CARMEN = "did:plc:yptdwdihcxanka6yt2uu5cgg"
CONVO = "3n2aiysu5222p"
CREDENTIALS = {"identifier": BRAND_HANDLE, "app_password": APP_PASSWORD}
LISTENING = ["acme air", "#AcmeFail"]


@pytest.fixture(autouse=True)
def fresh_sessions() -> Iterator[None]:
    xrpc.forget_sessions()
    yield
    xrpc.forget_sessions()


@pytest.fixture
def server() -> Iterator[tuple[BlueskyStandIn, str]]:
    stand_in = BlueskyStandIn()
    with serve(stand_in.app) as base:
        yield stand_in, base


def connected(db: Database, base: str, **settings: Any) -> tuple[int, int]:
    ws = f.workspace(db)
    channel_id = connect(
        db, ws, "bluesky", BRAND_HANDLE, CREDENTIALS, {"api_base": base, **settings}, BRAND_DID
    )
    return ws, channel_id


def brand(base: str) -> Account:
    return Account(BRAND_HANDLE, BRAND_DID, CREDENTIALS, {"api_base": base})


def page(name: str) -> list[dict[str, Any]]:
    body = json.loads(fixture("bluesky", name))
    return list(body["notifications"]) if "notifications" in body else [body]


def mention(number: int, minutes: float) -> dict[str, Any]:
    """A made-up mention notification, numbered, at T0 + `minutes`."""
    item = copy.deepcopy(page("notifications__mentions_and_replies.json")[0])
    moment = datetime(2026, 11, 20, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    rkey = text.tid(int(moment.timestamp() * 1_000_000), number % 1024)
    item["uri"] = f"at://{ALICE}/app.bsky.feed.post/{rkey}"
    item["indexedAt"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item["record"] = {
        "$type": "app.bsky.feed.post",
        "createdAt": item["indexedAt"],
        "text": f"@acmehelp.bsky.social question number {number}",
    }
    return item


def inbound(db: Database, ws: int, channel_id: int, stand_in: BlueskyStandIn, item: dict[str, Any]) -> int:
    """Ingest one notification for the channel (as a poll would); the id of the case it opens."""
    stand_in.add_notification(item)
    return ingested_case(db, ws, channel_id, json.dumps(item).encode())


def a_reply(
    db: Database, server: tuple[BlueskyStandIn, str], words: str = "We are on it."
) -> tuple[BlueskyStandIn, int, int]:
    """A customer's mention stored for a connected channel and an agent's reply to it queued: the
    stand-in, the channel's id and the reply's post id."""
    stand_in, base = server
    ws, channel_id = connected(db, base)
    case_id = inbound(db, ws, channel_id, stand_in, mention(1, 0))
    return stand_in, channel_id, reply(db, ws, case_id, words)


def message_for(db: Database, post_id: int) -> OutboundMessage:
    """The message the outbox hands the connector for this reply (for the sends a test makes itself)."""
    row = post(db, post_id)
    assert row.delivery_key is not None
    with db.read() as s:
        key = s.get_one(Conversation, row.conversation_id).external_key
    return OutboundMessage(
        "bluesky",
        row.text,
        row.is_private,
        row.delivery_key,
        in_reply_to=row.in_reply_to,
        conversation_key=key,
        created_at=row.created_at,
    )


# Polling ----------------------------------------------------------------------------------------


def test_notifications_poll_keeps_a_cursor_and_stores_nothing_twice(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    for name in ("notifications__mentions_and_replies.json", "notification__quote.json"):
        for item in page(name):
            stand_in.add_notification(item)
    _, channel_id = connected(db, base, sources=["notifications"])

    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates, report.errors) == (4, 0, [])
    (first,) = stand_in.calls("GET", "/xrpc/app.bsky.notification.listNotifications")
    assert first.query["limit"] == "50"
    assert "cursor" not in first.query
    assert first.headers["authorization"] == "Bearer access-1"
    assert stand_in.reasons_asked == [["mention", "reply", "quote"]]
    saved = json.loads(cursor(db, channel_id, "notifications") or "{}")
    assert saved == {"since": "2026-11-20T08:57:00.912000+00:00"}  # the newest indexedAt stored
    rows = stored(db)
    assert [p.author_handle for p in rows] == [
        "bobk.bsky.social",
        "carmen.example.com",
        "bobk.bsky.social",
        "alice-travels.bsky.social",
    ]
    assert all(p.direction is Direction.INBOUND and p.channel_account_id == channel_id for p in rows)

    again = polling.poll_channel(db, channel(db, channel_id), http)
    assert again.stored == 0  # the newest one is read again (same instant) and dropped as a duplicate
    assert len(stored(db)) == 4

    stand_in.add_notification(mention(1, 0))
    third = polling.poll_channel(db, channel(db, channel_id), http)
    assert third.stored == 1
    assert json.loads(cursor(db, channel_id, "notifications") or "{}") == {
        "since": "2026-11-20T12:00:00+00:00"
    }


def test_likes_and_follows_are_not_even_asked_for(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    for item in page("notifications__likes_follows_only.json"):
        stand_in.add_notification(item)
    _, channel_id = connected(db, base, sources=["notifications"])
    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates) == (0, 0)
    assert stand_in.reasons_asked == [["mention", "reply", "quote"]]
    assert cursor(db, channel_id, "notifications") is None  # nothing seen: the next poll starts afresh


def test_a_backlog_is_walked_backwards_page_by_page_until_the_stored_ones(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_notification(mention(0, 0))
    _, channel_id = connected(db, base, sources=["notifications"])
    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 1
    for number in range(1, 121):  # 120 new ones: three pages of 50
        stand_in.add_notification(mention(number, number))
    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert report.stored == 120
    calls = stand_in.calls("GET", "/xrpc/app.bsky.notification.listNotifications")[1:]
    assert [("cursor" in c.query) for c in calls] == [False, True, True]
    assert calls[1].query["cursor"] == "2026-11-20T13:11:00.000Z"  # the page's oldest indexedAt
    assert json.loads(cursor(db, channel_id, "notifications") or "{}") == {
        "since": "2026-11-20T14:00:00+00:00"
    }
    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 0


def test_a_walk_cut_short_resumes_at_its_page(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_notification(mention(0, 0))
    account = brand(base)
    first = BLUESKY.fetch(http, account, "notifications", None)
    for number in range(1, 61):
        stand_in.add_notification(mention(number, number))
    walking = BLUESKY.fetch(http, account, "notifications", first.cursor)
    assert walking.more
    assert len(walking.events) == 50
    state = json.loads(walking.cursor or "{}")
    assert state["since"] == "2026-11-20T12:00:00+00:00"
    assert state["top"] == "2026-11-20T13:00:00+00:00"
    # a worker restarting here carries on from the stored cursor
    rest = BLUESKY.fetch(http, account, "notifications", walking.cursor)
    assert not rest.more
    assert len(rest.events) == 11  # ten new and the one already stored, which ingest drops
    assert json.loads(rest.cursor or "{}") == {"since": "2026-11-20T13:00:00+00:00"}


def test_chat_poll_starts_at_the_log_s_present_and_then_reads_forward(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    log = json.loads(fixture("bluesky", "chat__getLog.json"))
    stand_in.add_convo(CONVO, ALICE)
    stand_in.logs.extend(log["logs"])
    _, channel_id = connected(db, base, sources=["chat"])

    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 0
    (seed,) = stand_in.calls("GET", "/xrpc/chat.bsky.convo.getLog")
    assert "cursor" not in seed.query
    assert seed.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert cursor(db, channel_id, "chat") == log["cursor"]

    new = {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": stand_in.next_rev(),
        "rev": stand_in.next_rev(),
        "text": "Any news about my bag? 🧳",
        "sender": {"did": ALICE},
        "sentAt": "2026-11-20T09:30:00.000Z",
    }
    stand_in.add_message(CONVO, new)
    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert report.stored == 1
    (dm,) = stored(db)
    assert dm.is_private
    assert dm.external_id == f"chat:{CONVO}:{new['id']}"
    assert dm.text == "Any news about my bag? 🧳"
    assert cursor(db, channel_id, "chat") == new["rev"]
    with db.read() as s:
        conversation = s.get_one(Conversation, dm.conversation_id)
        assert conversation.external_key == CONVO
        assert conversation.is_private
    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 0
    assert stand_in.calls("GET", "/xrpc/chat.bsky.convo.getLog")[-1].query["cursor"] == new["rev"]


# Sending ----------------------------------------------------------------------------------------


def test_public_reply_is_a_post_record_in_the_customer_s_thread(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.handles["alice-travels.bsky.social"] = ALICE
    ws, channel_id = connected(db, base)
    alice = page("notifications__mentions_and_replies.json")[0]
    case_id = inbound(db, ws, channel_id, stand_in, alice)
    words = "@alice-travels.bsky.social So sorry! 🧳 Claim ACM-48213: https://acme.example/claims #AcmeHelp"
    reply_id = reply(db, ws, case_id, words)
    assert outbox.deliver_due(db, vault(), http) == 1
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    (made,) = stand_in.posts()
    assert sent.external_id == made["uri"]
    rkey = made["uri"].rsplit("/", 1)[-1]
    assert rkey == text.deterministic_tid(sent.delivery_key or "", as_utc(sent.created_at))
    (call,) = stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord")
    body = call.json()
    assert body["repo"] == BRAND_DID
    assert body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == rkey
    record = body["record"]
    assert record["text"] == words
    assert record["createdAt"].endswith("Z")
    parent = {"uri": alice["uri"], "cid": alice["cid"]}
    assert record["reply"] == {"root": parent, "parent": parent}
    encoded = words.encode()
    features = [
        (encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in record["facets"]
    ]
    assert features == [
        ("@alice-travels.bsky.social", {"$type": "app.bsky.richtext.facet#mention", "did": ALICE}),
        (
            "https://acme.example/claims",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/claims"},
        ),
        ("#AcmeHelp", {"$type": "app.bsky.richtext.facet#tag", "tag": "AcmeHelp"}),
    ]


def test_a_reply_deep_in_a_thread_keeps_the_thread_s_root(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    ws, channel_id = connected(db, base)
    carmen = page("notification__reply_thread.json")[0]
    case_id = inbound(db, ws, channel_id, stand_in, carmen)
    reply(db, ws, case_id, "Lo sentimos mucho, Carmen. Ya hemos abierto la reclamación.")
    outbox.deliver_due(db, vault(), http)
    (call,) = stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord")
    thread = call.json()["record"]["reply"]
    assert thread["parent"] == {"uri": carmen["uri"], "cid": carmen["cid"]}
    assert thread["root"] == carmen["record"]["reply"]["root"]
    assert "facets" not in call.json()["record"]


def test_a_rate_limit_puts_the_reply_back_until_the_reset(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, _, reply_id = a_reply(db, server)
    reset = (utcnow() + timedelta(minutes=9)).replace(microsecond=0)
    stand_in.fail_next(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        429,
        headers={
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(reset.timestamp())),
            "ratelimit-policy": "5000;w=3600",
        },
        body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
    )
    outbox.deliver_due(db, vault(), http)
    assert_held_until(db, reply_id, reset, "Rate Limit Exceeded")
    assert stand_in.posts() == []


def test_a_server_error_is_retried_and_the_reply_sent_once(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, _, reply_id = a_reply(db, server)
    stand_in.fail_next(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        503,
        body="<html>503 Service Temporarily Unavailable</html>",
    )
    outbox.deliver_due(db, vault(), http)
    assert_retrying(db, reply_id, "503")
    make_due(db, reply_id)
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert [p["uri"] for p in stand_in.posts()] == [sent.external_id]


def test_a_refusal_fails_the_reply_with_bluesky_s_reason(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, _, reply_id = a_reply(db, server)
    reason = "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    stand_in.fail_next(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        400,
        body={"error": "InvalidRequest", "message": reason},
    )
    outbox.deliver_due(db, vault(), http)
    failed = post(db, reply_id)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert failed.send_error == f"Bluesky refused it (400): {reason}"
    assert failed.external_id is None


def test_a_reply_to_a_deleted_post_fails_with_a_clear_reason(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    ws, channel_id = connected(db, base)
    item = mention(1, 0)
    case_id = inbound(db, ws, channel_id, stand_in, item)
    stand_in.records.clear()  # the customer deleted the post before we answered
    reply_id = reply(db, ws, case_id, "We are on it.")
    outbox.deliver_due(db, vault(), http)
    failed = post(db, reply_id)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert failed.send_error == f"the Bluesky post this answers no longer exists ({item['uri']})"
    assert stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord") == []


def test_more_than_300_graphemes_is_refused_before_sending_but_300_emoji_go(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    family = "👨\u200d👩\u200d👧"  # one grapheme, five code points
    account = brand(base)
    too_long = OutboundMessage("bluesky", "x" * 301, False, "k-301", created_at=utcnow())
    with pytest.raises(PermanentSendError, match="Bluesky allows 300 characters in a post; this one has 301"):
        BLUESKY.send(http, account, too_long)
    assert stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord") == []
    fits = OutboundMessage("bluesky", family * 150, False, "k-150", created_at=utcnow())
    assert BLUESKY.send(http, account, fits).external_id.startswith(f"at://{BRAND_DID}/app.bsky.feed.post/")


def test_a_lost_answer_finds_the_post_under_its_key_and_posts_nothing_twice(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, channel_id, reply_id = a_reply(db, server)
    stand_in.lose_next_answer = True  # the record is made; the 502 is all we hear
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    (made,) = stand_in.posts()
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.external_id == made["uri"]
    # sending again anyway: the PDS refuses the taken key, and the refusal is recognised as this post
    again = BLUESKY.send(http, channel(db, channel_id).account, message_for(db, reply_id))
    assert again.external_id == made["uri"]
    assert len(stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord")) == 2
    assert len(stand_in.posts()) == 1


def test_after_a_crash_find_sent_finds_the_earlier_post_and_sends_nothing_again(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, channel_id, reply_id = a_reply(db, server, "So sorry!\n\nYour bag is on the 14:05 to Lisbon 🧳")
    # A worker sent it, then died before writing down the answer; its lease ran out.
    made = BLUESKY.send(http, channel(db, channel_id).account, message_for(db, reply_id))
    make_due(db, reply_id, DeliveryStatus.SENDING)
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.external_id == made.external_id
    assert len(stand_in.calls("POST", "/xrpc/com.atproto.repo.createRecord")) == 1
    lookups = stand_in.calls("GET", "/xrpc/com.atproto.repo.getRecord")
    assert lookups[-1].query == {
        "repo": BRAND_DID,
        "collection": "app.bsky.feed.post",
        "rkey": made.external_id.rsplit("/", 1)[-1],
    }


def test_after_a_crash_before_sending_find_sent_finds_nothing_and_the_reply_goes_out(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, _, reply_id = a_reply(db, server, "So sorry!")
    make_due(db, reply_id, DeliveryStatus.SENDING)
    outbox.deliver_due(db, vault(), http)
    assert post(db, reply_id).delivery_status is DeliveryStatus.SENT
    assert len(stand_in.posts()) == 1


def test_private_reply_goes_to_the_chat_conversation(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_convo(CONVO, ALICE)
    ws, channel_id = connected(db, base, sources=["chat"])
    log = json.loads(fixture("bluesky", "chat__getLog.json"))
    events = BLUESKY.parse(json.dumps(log).encode(), channel(db, channel_id).account)
    ingest_posts(db, ws, events)
    first = stored(db)[0]
    with db.read() as s:
        case_id = s.scalars(select(Case.id).where(Case.conversation_id == first.conversation_id)).one()
    reply_id = reply(db, ws, case_id, "Your bag is on its way: https://acme.example/track/LIS884211")
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    (call,) = stand_in.calls("POST", "/xrpc/chat.bsky.convo.sendMessage")
    assert call.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    body = call.json()
    assert body["convoId"] == CONVO
    assert body["message"]["text"] == "Your bag is on its way: https://acme.example/track/LIS884211"
    assert body["message"]["facets"][0]["features"][0]["uri"] == "https://acme.example/track/LIS884211"
    (made,) = stand_in.convos[CONVO]["messages"]
    assert sent.external_id == f"chat:{CONVO}:{made['id']}"
    assert stand_in.posts() == []  # nothing went out in public


def test_after_a_crash_find_sent_finds_the_chat_message(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_convo(CONVO, ALICE)
    account = brand(base)
    written = utcnow()
    message = OutboundMessage(
        "bluesky",
        "On it!",
        True,
        "chat-key-1",
        recipient_id=ALICE,
        conversation_key=CONVO,
        created_at=written,
    )
    assert BLUESKY.find_sent(http, account, message) is None
    made = BLUESKY.send(http, account, message)
    found = BLUESKY.find_sent(http, account, message)
    assert found is not None
    assert found.external_id == made.external_id
    # the same words sent long before this reply was written are not it
    older = OutboundMessage(
        "bluesky",
        "On it!",
        True,
        "chat-key-2",
        conversation_key=CONVO,
        created_at=written + timedelta(hours=1),
    )
    assert BLUESKY.find_sent(http, account, older) is None


def test_a_private_reply_without_a_conversation_opens_the_direct_one(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    message = OutboundMessage("bluesky", "Hello Carmen", True, "k", recipient_id=CARMEN, created_at=utcnow())
    result = BLUESKY.send(http, brand(base), message)
    (convo_id,) = stand_in.convos
    assert result.external_id.startswith(f"chat:{convo_id}:")
    assert stand_in.calls("GET", "/xrpc/chat.bsky.convo.getConvoForMembers")[0].query == {"members": CARMEN}


# Sessions ---------------------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_and_the_call_made_again(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    account = brand(base)
    assert BLUESKY.check(http, account) == BRAND_HANDLE
    stand_in.expire_access()
    assert BLUESKY.check(http, account) == BRAND_HANDLE
    calls = [r.path.rsplit(".", 1)[-1] for r in stand_in.requests]
    assert calls == ["createSession", "getSession", "getSession", "refreshSession", "getSession"]
    expired = json.loads(fixture("bluesky", "error__expired_token.json"))
    assert expired == {"error": "ExpiredToken", "message": "Token has expired"}  # what the 400 says
    assert stand_in.requests[-1].headers["authorization"] == "Bearer access-2"


def test_a_revoked_refresh_token_means_logging_in_again(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    account = brand(base)
    BLUESKY.check(http, account)
    stand_in.expire_access()
    stand_in.refresh.clear()
    assert BLUESKY.check(http, account) == BRAND_HANDLE
    calls = [r.path.rsplit(".", 1)[-1] for r in stand_in.requests]
    assert calls == [
        "createSession",
        "getSession",
        "getSession",
        "refreshSession",
        "createSession",
        "getSession",
    ]


def test_the_session_is_shared_across_calls_and_threads(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    account = brand(base)
    BLUESKY.check(http, account)
    workers = [threading.Thread(target=BLUESKY.check, args=(http, account)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(stand_in.calls("POST", "/xrpc/com.atproto.server.createSession")) == 1


def test_a_wrong_app_password_is_a_credentials_error(server: tuple[BlueskyStandIn, str], http: Any) -> None:
    _, base = server
    account = Account(BRAND_HANDLE, BRAND_DID, {**CREDENTIALS, "app_password": "wrong"}, {"api_base": base})
    with pytest.raises(CredentialsError, match="Invalid identifier or password"):
        BLUESKY.check(http, account)


def test_an_app_password_without_chat_access_says_what_to_do(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.fail_next(
        "GET",
        "/xrpc/chat.bsky.convo.getLog",
        400,
        body={"error": "InvalidToken", "message": "Bad token method"},
        times=2,  # the first one looks like an expired session and is tried again once renewed
    )
    with pytest.raises(CredentialsError, match=r"Bad token method.*direct messages"):
        BLUESKY.fetch(http, brand(base), "chat", None)


def test_a_chat_message_whose_answer_was_lost_is_not_sent_twice(
    server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_convo(CONVO, ALICE)
    stand_in.lose_next_answer = True
    message = OutboundMessage("bluesky", "On it!", True, "k", conversation_key=CONVO, created_at=utcnow())
    result = BLUESKY.send(http, brand(base), message)
    (made,) = stand_in.convos[CONVO]["messages"]
    assert result.external_id == f"chat:{CONVO}:{made['id']}"
    stand_in.fail_next("POST", "/xrpc/chat.bsky.convo.sendMessage", 503)
    with pytest.raises(TemporaryError, match="503"):  # nothing went out: the error stands
        BLUESKY.send(
            http, brand(base), OutboundMessage("bluesky", "Other words", True, "k2", conversation_key=CONVO)
        )


# Jetstream --------------------------------------------------------------------------------------


def jetstream_lines() -> list[str]:
    return fixture("bluesky", "jetstream__commits.jsonl").decode().splitlines()


def test_jetstream_stores_what_concerns_the_brand_and_resumes_a_little_before_its_cursor(
    db: Database, server: tuple[BlueskyStandIn, str], http: Any
) -> None:
    _, base = server
    stand_in = JetstreamStandIn(jetstream_lines())
    with serve_jetstream(stand_in) as address:
        _, channel_id = connected(db, base, jetstream=address, queries=LISTENING)
        count = streams.run_stream(
            db, vault(), channel_id, "jetstream", http, threading.Event(), max_failures=1
        )
        assert count == 3  # the mention, the query match and the brand's answer; the edit updates
        rows = stored(db)
        assert [p.author_external_id for p in rows] == [
            "did:plc:v34f6vetcmdz7uub244qnjgx",
            CARMEN,
            BRAND_DID,
        ]
        assert rows[0].text.endswith("(edit: it is the 7:45)")
        assert rows[0].edited_at is not None
        assert rows[2].direction is Direction.OUTBOUND
        assert rows[2].conversation_id == rows[0].conversation_id  # the answer threads under the mention
        saved = cursor(db, channel_id, "jetstream")
        assert saved == str(json.loads(jetstream_lines()[8])["time_us"])  # the deletion, last kept
        assert stand_in.paths == ["/subscribe"]
        assert stand_in.queries[0] == {"wantedCollections": ["app.bsky.feed.post"]}

        again = streams.run_stream(
            db, vault(), channel_id, "jetstream", http, threading.Event(), max_failures=1
        )
        assert again == 0  # everything replayed is already there
        assert stand_in.queries[1]["cursor"] == [str(int(saved or 0) - 5_000_000)]


def test_a_busy_stream_with_nothing_for_the_brand_still_moves_its_cursor(
    server: tuple[BlueskyStandIn, str],
) -> None:
    _, _base = server
    chatter = [json.loads(line) for line in jetstream_lines() if '"good morning' in line] * 6
    for number, event in enumerate(chatter):
        event["time_us"] += number
    stand_in = JetstreamStandIn([json.dumps(e) for e in chatter])
    ticks = iter(range(0, 1000, 2))  # two seconds pass per message
    with serve_jetstream(stand_in) as address:
        account = Account(BRAND_HANDLE, BRAND_DID, {}, {"jetstream": address, "queries": LISTENING})
        items: list[StreamItem] = []
        reader = jetstream.stream(account, "jetstream", None, clock=lambda: float(next(ticks)))
        with pytest.raises(TemporaryError, match="Jetstream closed the stream"):
            items.extend(reader)
    assert [item.cursor for item in items] == [str(chatter[2]["time_us"]), str(chatter[5]["time_us"])]
    assert all(BLUESKY.parse(item.payload, account) == [] for item in items)  # checkpoints, no posts


def test_an_unreachable_jetstream_is_a_temporary_error(server: tuple[BlueskyStandIn, str]) -> None:
    account = Account(BRAND_HANDLE, BRAND_DID, {}, {"jetstream": "ws://127.0.0.1:9"})
    with pytest.raises(TemporaryError, match="could not reach Jetstream"):
        next(iter(jetstream.stream(account, "jetstream", None)))
    assert BLUESKY.reconnect_delay(TemporaryError("x"), 3) == 4.0
    assert BLUESKY.reconnect_delay(TemporaryError("x"), 30) == 60.0


# Actions, check, webhooks ------------------------------------------------------------------------


def test_like_hide_unhide_and_delete(server: tuple[BlueskyStandIn, str], http: Any) -> None:
    stand_in, base = server
    account = brand(base)
    bob = page("notifications__mentions_and_replies.json")[1]  # a reply in the brand's thread
    stand_in.add_notification(bob)
    BLUESKY.act(http, account, "like", bob["uri"])
    (like,) = [v for (_, coll, _), v in stand_in.records.items() if coll == "app.bsky.feed.like"]
    assert like["value"]["subject"] == {"uri": bob["uri"], "cid": bob["cid"]}

    BLUESKY.act(http, account, "hide", bob["uri"])
    root_rkey = bob["record"]["reply"]["root"]["uri"].rsplit("/", 1)[-1]
    gate = stand_in.records[(BRAND_DID, "app.bsky.feed.threadgate", root_rkey)]["value"]
    assert gate["post"] == bob["record"]["reply"]["root"]["uri"]
    assert gate["hiddenReplies"] == [bob["uri"]]
    assert "allow" not in gate  # hiding a reply does not limit who may reply
    BLUESKY.act(http, account, "unhide", bob["uri"])
    gate = stand_in.records[(BRAND_DID, "app.bsky.feed.threadgate", root_rkey)]["value"]
    assert gate["hiddenReplies"] == []
    swaps = [c.json().get("swapRecord") for c in stand_in.calls("POST", "/xrpc/com.atproto.repo.putRecord")]
    assert swaps[0] is None
    assert swaps[1] is not None

    made = BLUESKY.send(
        http, account, OutboundMessage("bluesky", "Oops", False, "del-1", created_at=utcnow())
    )
    BLUESKY.act(http, account, "delete", made.external_id)
    assert stand_in.posts() == []
    with pytest.raises(PermanentSendError, match="only its own posts"):
        BLUESKY.act(http, account, "delete", bob["uri"])
    alice = page("notifications__mentions_and_replies.json")[0]  # not in a thread of the brand's
    stand_in.add_notification(alice)
    with pytest.raises(PermanentSendError, match="not one"):
        BLUESKY.act(http, account, "hide", alice["uri"])
    with pytest.raises(PermanentSendError, match="chat messages cannot be liked"):
        BLUESKY.act(http, account, "like", f"chat:{CONVO}:3n2q7sik7k22f")


def test_check_names_the_account(server: tuple[BlueskyStandIn, str], http: Any) -> None:
    _, base = server
    assert BLUESKY.check(http, brand(base)) == BRAND_HANDLE
    other = Account(BRAND_HANDLE, CARMEN, CREDENTIALS, {"api_base": base})
    assert (
        BLUESKY.check(http, other) == f"{BRAND_HANDLE} ({BRAND_DID}; the channel's external id says {CARMEN})"
    )


def test_webhook_deliveries_are_refused(db: Database, server: tuple[BlueskyStandIn, str]) -> None:
    _, base = server
    _, channel_id = connected(db, base)
    with hook_client(db) as client:
        answer = client.post(
            f"/hooks/bluesky/{channel_id}", content=fixture("bluesky", "notification__quote.json")
        )
    assert answer.status_code == 401
    assert stored(db) == []
