"""The Mastodon connector against the stand-in server: polling with cursors, sending through the outbox
(rate limits, retries, refusals, a crash mid-send), the streaming API, actions and the credentials check."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialdesk.channels.base import Account
from socialdesk.channels.mastodon import CONNECTOR as MASTODON
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import PermanentSendError, TemporaryError
from socialdesk.core.types import DeliveryStatus, Direction, OutboundMessage
from socialdesk.pipeline import outbox, polling, streams
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, Post
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
from tests.stand_ins.mastodon import BRAND, TOKEN, MastodonStandIn
from tests.stand_ins.server import serve

BRAND_ID = BRAND["id"]


@pytest.fixture
def server() -> Iterator[tuple[MastodonStandIn, str]]:
    stand_in = MastodonStandIn()
    with serve(stand_in.app) as base:
        yield stand_in, base


def connected(db: Database, base: str, **settings: Any) -> tuple[int, int]:
    """A workspace with the brand's Mastodon account connected to the stand-in."""
    ws = f.workspace(db)
    channel_id = connect(
        db, ws, "mastodon", "skylarkair", {"access_token": TOKEN}, {"api_base": base, **settings}, BRAND_ID
    )
    return ws, channel_id


def brand(base: str, **settings: Any) -> Account:
    """The brand's account as a connector sees it, outside any channel (for direct connector calls)."""
    return Account("skylarkair", BRAND_ID, {"access_token": TOKEN}, {"api_base": base, **settings})


def notifications(name: str) -> list[dict[str, Any]]:
    body = json.loads(fixture("mastodon", name))
    return body if isinstance(body, list) else [body]


def mention(number: int, minutes: int) -> dict[str, Any]:
    """A made-up mention notification, numbered, after the fixtures' ones."""
    base = copy.deepcopy(notifications("notification__direct_message.json")[0])
    moment = datetime(2026, 11, 21, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    status_id = str((int(moment.timestamp() * 1000) << 16) + number)
    base["id"] = str(412950000 + number)
    base["status"].update(
        id=status_id,
        visibility="public",
        created_at=moment.isoformat().replace("+00:00", "Z"),
        content=f"<p>question number {number}</p>",
    )
    return base


# Polling -------------------------------------------------------------------------------------------


def test_notifications_poll_keeps_a_cursor_and_stores_nothing_twice(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    for item in notifications("notifications__mentions_page.json") + notifications(
        "notifications__mixed_types.json"
    ):
        stand_in.add_notification(item)
    _, channel_id = connected(db, base, sources=["notifications"])

    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates, report.errors) == (4, 0, [])
    (first,) = stand_in.calls("GET", "/api/v1/notifications")
    assert "min_id" not in first.query
    assert first.query["include_filtered"] == "true"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert cursor(db, channel_id, "notifications") == "412938602"  # the newest mention; no favourites
    posts = stored(db)
    assert [p.author_handle for p in posts] == [
        "maria_l@fosstodon.org",
        "jonas@chaos.social",
        "tomfromleeds",
        "helga@norden.social",
    ]
    assert all(p.direction is Direction.INBOUND and p.channel_account_id == channel_id for p in posts)

    again = polling.poll_channel(db, channel(db, channel_id), http)
    assert (again.stored, again.duplicates) == (0, 0)
    assert stand_in.calls("GET", "/api/v1/notifications")[-1].query["min_id"] == "412938602"

    stand_in.add_notification(notifications("notification__direct_message.json")[0])
    third = polling.poll_channel(db, channel(db, channel_id), http)
    assert third.stored == 1
    assert cursor(db, channel_id, "notifications") == "412938733"
    dm = stored(db)[-1]
    assert dm.is_private
    with db.read() as s:
        assert s.get_one(Post, dm.id).conversation_id != posts[0].conversation_id


def test_a_backlog_is_read_page_after_page(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.add_notification(mention(0, 0))
    _, channel_id = connected(db, base, sources=["notifications"])
    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 1
    for number in range(1, 46):
        stand_in.add_notification(mention(number, number))
    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert report.stored == 45
    pages = stand_in.calls("GET", "/api/v1/notifications")[1:]
    assert [p.query["min_id"] for p in pages] == ["412950000", "412950040"]
    assert cursor(db, channel_id, "notifications") == "412950045"


def test_search_polls_hashtags_and_words_with_a_cursor_each(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    tagged = json.loads(fixture("mastodon", "timelines__tag_page.json"))
    for status in tagged:
        stand_in.add_status(status, tags=["SkylarkAir"])
    words = json.loads(fixture("mastodon", "search__statuses.json"))["statuses"]
    stand_in.add_status(words[1], searchable=True)
    _, channel_id = connected(db, base, sources=["search"], queries=["#SkylarkAir", "sale"])

    report = polling.poll_channel(db, channel(db, channel_id), http)
    assert report.stored == 3
    saved = json.loads(cursor(db, channel_id, "search") or "{}")
    assert saved == {"#SkylarkAir": "117649481291117839", "sale": "117649342464063750"}
    (tag_call,) = stand_in.calls("GET", "/api/v1/timelines/tag/SkylarkAir")
    (search_call,) = stand_in.calls("GET", "/api/v2/search")
    assert search_call.query["type"] == "statuses"
    assert (tag_call.query.get("min_id"), search_call.query.get("min_id")) == (None, None)

    assert polling.poll_channel(db, channel(db, channel_id), http).stored == 0
    assert (
        stand_in.calls("GET", "/api/v1/timelines/tag/SkylarkAir")[-1].query["min_id"] == "117649481291117839"
    )
    assert stand_in.calls("GET", "/api/v2/search")[-1].query["min_id"] == "117649342464063750"


# Sending -------------------------------------------------------------------------------------------


def mentioned(index: int) -> dict[str, Any]:
    """One of the recorded mentions: 0 Tom (on the brand's server), 1 Jonas (in German), 2 María
    (on another server)."""
    return notifications("notifications__mentions_page.json")[index]


def inbound(db: Database, ws: int, channel_id: int, stand_in: MastodonStandIn, item: dict[str, Any]) -> int:
    """A notification's post ingested for the channel (the stand-in knows its status too); its case."""
    stand_in.add_notification(item)
    return ingested_case(db, ws, channel_id, json.dumps(item).encode())


def a_reply(
    db: Database, server: tuple[MastodonStandIn, str], text: str, item: dict[str, Any] | None = None
) -> tuple[MastodonStandIn, int]:
    """A customer's notification (the recorded direct message unless `item` is given) stored for a
    connected channel and an agent's reply to it queued: the stand-in and the reply's post id."""
    stand_in, base = server
    ws, channel_id = connected(db, base)
    notification = item if item is not None else notifications("notification__direct_message.json")[0]
    return stand_in, reply(db, ws, inbound(db, ws, channel_id, stand_in, notification), text)


def test_public_reply_mentions_the_customer_and_carries_the_idempotency_key(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    text = "So sorry, María! Rebooking desk B14 has seats on SK 2293 at 11:05."
    stand_in, reply_id = a_reply(db, server, text, mentioned(2))

    assert outbox.deliver_due(db, vault(), http) == 1
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    (made,) = stand_in.posted()
    assert sent.external_id == made["id"]
    assert sent.sent_at is not None
    assert as_utc(sent.sent_at) == datetime.fromisoformat(made["created_at"].replace("Z", "+00:00"))
    (request,) = stand_in.calls("POST", "/api/v1/statuses")
    form = request.form()
    assert form == {
        "status": "@maria_l@fosstodon.org So sorry, María! Rebooking desk B14 has seats on SK 2293 at 11:05.",
        "visibility": "public",
        "in_reply_to_id": "117647719624289054",
    }
    assert request.headers["idempotency-key"] == sent.delivery_key
    assert made["mentions"][0]["acct"] == "maria_l@fosstodon.org"


def test_a_mention_already_in_the_text_is_not_added_again(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, _ = a_reply(db, server, "Hi @tomfromleeds, yes: assistance is on booking KT4L9D.", mentioned(0))
    outbox.deliver_due(db, vault(), http)
    (request,) = stand_in.calls("POST", "/api/v1/statuses")
    assert request.form()["status"] == "Hi @tomfromleeds, yes: assistance is on booking KT4L9D."


def test_a_followers_only_post_gets_a_followers_only_answer(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    item = mentioned(1)
    item["status"]["visibility"] = "private"
    text = "Das tut uns leid! Bitte melden Sie den Schaden hier: https://www.skylarkair.example/schaden"
    stand_in, _ = a_reply(db, server, text, item)
    outbox.deliver_due(db, vault(), http)
    (request,) = stand_in.calls("POST", "/api/v1/statuses")
    assert request.form()["visibility"] == "private"


def test_private_reply_is_a_direct_status_to_everyone_in_the_conversation(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    item = notifications("notification__direct_message.json")[0]
    helga = notifications("notifications__mixed_types.json")[1]["account"]
    item["status"]["mentions"].append(
        {"id": helga["id"], "username": "helga", "url": helga["url"], "acct": "helga@norden.social"}
    )
    server[0].add_account(helga)
    stand_in, reply_id = a_reply(db, server, "Hi Amira, done: the name on QX7P2M is corrected.", item)

    outbox.deliver_due(db, vault(), http)
    assert post(db, reply_id).delivery_status is DeliveryStatus.SENT
    (request,) = stand_in.calls("POST", "/api/v1/statuses")
    form = request.form()
    assert form["visibility"] == "direct"
    assert form["in_reply_to_id"] == "117648204933848034"
    assert form["status"] == (
        "@amira@mastodon.online @helga@norden.social Hi Amira, done: the name on QX7P2M is corrected."
    )


def test_a_rate_limit_puts_the_reply_back_until_the_reset(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, reply_id = a_reply(db, server, "We are on it.")
    reset = (utcnow() + timedelta(minutes=7)).replace(microsecond=0)
    stand_in.fail_next(
        "POST",
        "/api/v1/statuses",
        429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        },
        body={"error": "Too many requests"},
    )
    outbox.deliver_due(db, vault(), http)
    assert_held_until(db, reply_id, reset, "Too many requests")
    assert stand_in.posted() == []


def test_a_server_error_is_retried_and_the_reply_sent_once(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, reply_id = a_reply(db, server, "We are on it.")
    stand_in.fail_next("POST", "/api/v1/statuses", 503, body="<html>503 Service Unavailable</html>")
    outbox.deliver_due(db, vault(), http)
    assert_retrying(db, reply_id, "503")
    make_due(db, reply_id)
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert [s["id"] for s in stand_in.posted()] == [sent.external_id]


def test_a_lost_answer_is_resent_with_the_same_key_and_mastodon_returns_the_first_status(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, reply_id = a_reply(db, server, "We are on it.")
    stand_in.lose_next_answer = True  # the status is made, the answer never reaches us
    outbox.deliver_due(db, vault(), http)
    assert post(db, reply_id).delivery_status is DeliveryStatus.QUEUED
    make_due(db, reply_id)
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    (made,) = stand_in.posted()
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.external_id == made["id"]
    keys = {r.headers["idempotency-key"] for r in stand_in.calls("POST", "/api/v1/statuses")}
    assert keys == {sent.delivery_key}


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("too_long", "Validation failed: Text character limit of 60 exceeded"),
        ("parent_gone", "Mastodon refused it (404): Record not found"),
        ("parent_gone_meanwhile", "The post you are trying to reply to does not appear to exist."),
        ("token", "refused the credentials (401): The access token is invalid"),
    ],
)
def test_a_refusal_fails_the_reply_with_mastodons_reason(
    db: Database, server: tuple[MastodonStandIn, str], http: Any, failure: str, message: str
) -> None:
    stand_in, reply_id = a_reply(
        db, server, "Thank you for your patience, we have corrected the name on the booking."
    )
    if failure == "too_long":
        stand_in.max_characters = 60  # a server with a smaller limit than the connector assumes
    elif failure == "parent_gone":
        del stand_in.statuses["117648204933848034"]  # the customer deleted the DM before we answered
    elif failure == "parent_gone_meanwhile":
        # Deleted between our look at it and the post: Mastodon's own refusal of the reply.
        stand_in.fail_next(
            "POST",
            "/api/v1/statuses",
            404,
            body={"error": "The post you are trying to reply to does not appear to exist."},
        )
    else:
        stand_in.fail_next(
            "GET", "/api/v1/statuses/117648204933848034", 401, body={"error": "The access token is invalid"}
        )
    outbox.deliver_due(db, vault(), http)
    failed = post(db, reply_id)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert message in (failed.send_error or "")
    assert failed.external_id is None


def test_a_reply_too_long_with_its_mention_is_not_sent(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    # 495 characters fit alone; "@maria_l " makes them 504.
    stand_in, reply_id = a_reply(db, server, "x" * 495, mentioned(2))
    outbox.deliver_due(db, vault(), http)
    failed = post(db, reply_id)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert (
        failed.send_error == "Mastodon allows 500 characters; with the mentions it needs this reply has 504"
    )
    assert stand_in.calls("POST", "/api/v1/statuses") == []


def test_after_a_crash_find_sent_finds_the_earlier_status_and_sends_nothing_again(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    text = "So sorry!\n\nRebooking desk B14 has seats on SK 2293 & SK 2295."
    stand_in, reply_id = a_reply(db, server, text, mentioned(2))
    stand_in.lose_next_answer = True
    outbox.deliver_due(db, vault(), http)
    (made,) = stand_in.posted()
    # The worker died with the post in flight, long enough ago that Mastodon forgot the key.
    make_due(db, reply_id, DeliveryStatus.SENDING)
    stand_in.idempotency.clear()
    outbox.deliver_due(db, vault(), http)
    sent = post(db, reply_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.external_id == made["id"]
    assert len(stand_in.calls("POST", "/api/v1/statuses")) == 1
    (lookup,) = stand_in.calls("GET", f"/api/v1/accounts/{BRAND_ID}/statuses")
    assert lookup.query["exclude_reblogs"] == "true"


def test_after_a_crash_before_sending_find_sent_finds_nothing_and_the_reply_goes_out(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    ws, channel_id = connected(db, base)
    case_id = inbound(db, ws, channel_id, stand_in, mentioned(2))
    other = inbound(db, ws, channel_id, stand_in, mentioned(1))
    reply(db, ws, other, "So sorry!")  # the same words to another customer are not this reply
    outbox.deliver_due(db, vault(), http)
    reply_id = reply(db, ws, case_id, "So sorry!")
    make_due(db, reply_id, DeliveryStatus.SENDING)
    outbox.deliver_due(db, vault(), http)
    assert post(db, reply_id).delivery_status is DeliveryStatus.SENT
    assert len(stand_in.posted()) == 2


# Streaming -----------------------------------------------------------------------------------------


def sse_events() -> list[str]:
    """The recorded user stream, without the ":)" the stand-in writes itself, in small pieces."""
    text = fixture("mastodon", "streaming__user.sse").decode().removeprefix(":)\n")
    return [text[i : i + 700] for i in range(0, len(text), 700)]


def test_user_stream_stores_what_concerns_the_brand(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.stream_chunks = sse_events()
    _, channel_id = connected(db, base)
    count = streams.run_stream(db, vault(), channel_id, "user", http, threading.Event(), max_failures=1)
    assert count == 2  # María's post (its edit and the notification of it are the same post) and our answer
    maria, answer = stored(db)
    assert maria.text.endswith("10 hours now. Booking QX7P2M.")
    assert maria.edited_at is not None
    assert answer.direction is Direction.OUTBOUND
    assert answer.in_reply_to == maria.external_id
    assert answer.conversation_id == maria.conversation_id
    (request,) = stand_in.calls("GET", "/api/v1/streaming/user")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    with db.read() as s:
        row = s.get_one(ChannelAccount, channel_id)
        assert "closed by the server" in (row.last_error or "")


def test_the_stream_follows_mastodons_redirect_to_the_streaming_host(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    streaming = MastodonStandIn()
    streaming.stream_chunks = sse_events()
    with serve(streaming.app) as streaming_base:
        stand_in.streaming_redirect = streaming_base
        _, channel_id = connected(db, base)
        count = streams.run_stream(db, vault(), channel_id, "user", http, threading.Event(), max_failures=1)
    assert count == 2
    assert len(stand_in.calls("GET", "/api/v1/streaming/user")) == 1
    assert len(streaming.calls("GET", "/api/v1/streaming/user")) == 1


def test_a_refused_token_ends_the_stream_attempt_with_a_long_wait(
    db: Database, server: tuple[MastodonStandIn, str], http: Any
) -> None:
    _, base = server
    ws = f.workspace(db)
    channel_id = connect(db, ws, "mastodon", "skylarkair", {"access_token": "revoked"}, {"api_base": base})
    assert streams.run_stream(db, vault(), channel_id, "user", http, threading.Event(), max_failures=1) == 0
    with db.read() as s:
        assert "refused the credentials (401)" in (s.get_one(ChannelAccount, channel_id).last_error or "")


def test_stream_items_are_yielded_as_they_come(server: tuple[MastodonStandIn, str], http: Any) -> None:
    stand_in, base = server
    stand_in.stream_chunks = ["event: delete\r\ndata: 1234\r\n\r\n", ":thump\n"]
    account = brand(base)
    items = MASTODON.stream(http, account, "user:notification", None)
    assert next(items).payload == b":)"
    assert next(items).payload == b"event: delete\ndata: 1234"
    assert next(items).payload == b":thump"
    with pytest.raises(TemporaryError, match="closed by the server"):
        next(items)
    assert stand_in.calls("GET", "/api/v1/streaming/user/notification")


# Actions, check, webhooks --------------------------------------------------------------------------


def test_like_and_delete(server: tuple[MastodonStandIn, str], http: Any) -> None:
    stand_in, base = server
    item = mentioned(0)
    stand_in.add_notification(item)
    account = brand(base)
    MASTODON.act(http, account, "like", item["status"]["id"])
    assert stand_in.favourited == [item["status"]["id"]]
    own = notifications("notifications__mixed_types.json")[0]["status"]  # the brand's own post
    stand_in.add_status(own)
    MASTODON.act(http, account, "delete", own["id"])
    assert stand_in.deleted == [own["id"]]
    with pytest.raises(PermanentSendError, match="Record not found"):
        MASTODON.act(http, account, "delete", item["status"]["id"])  # nobody deletes a customer's post
    with pytest.raises(PermanentSendError, match="cannot hide"):
        MASTODON.act(http, account, "hide", item["status"]["id"])


def test_check_names_the_account_and_the_servers_limit(
    server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    assert MASTODON.check(http, brand(base)) == "@skylarkair@mastodon.social"
    stand_in.max_characters = 1000
    assert MASTODON.check(http, brand(base)) == (
        "@skylarkair@mastodon.social (this server allows 1000 characters a post: set max_characters=1000)"
    )
    assert MASTODON.check(http, brand(base, max_characters="1000")) == "@skylarkair@mastodon.social"


def test_a_server_with_a_larger_limit_takes_longer_replies(
    server: tuple[MastodonStandIn, str], http: Any
) -> None:
    stand_in, base = server
    stand_in.max_characters = 1000
    account = brand(base, max_characters="1000")
    message = OutboundMessage("mastodon", "y" * 600, False, "key-600", recipient_handle="tomfromleeds")
    result = MASTODON.send(http, account, message)
    assert stand_in.statuses[result.external_id]["mentions"] == []  # tomfromleeds is unknown to it
    assert stand_in.calls("POST", "/api/v1/statuses")[0].form()["status"].startswith("@tomfromleeds yyy")


def test_webhook_deliveries_are_refused(db: Database, server: tuple[MastodonStandIn, str]) -> None:
    _, base = server
    _, channel_id = connected(db, base)
    with hook_client(db) as client:
        answer = client.post(
            f"/hooks/mastodon/{channel_id}", content=fixture("mastodon", "notification__direct_message.json")
        )
    assert answer.status_code == 401
    assert stored(db) == []
