"""The X connector against the X stand-in, on SQLite and PostgreSQL: polling with cursors, the outbox
(429 with x-rate-limit-reset, 5xx, refusals, find_sent after a crash), DMs, actions, Account Activity
webhooks through the real app, and the filtered stream through the stream runner."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, update

from socialdesk.channels import connector
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import PermanentSendError
from socialdesk.core.types import DeliveryStatus, Direction, OutboundMessage
from socialdesk.pipeline import outbox
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.polling import poll_channel
from socialdesk.pipeline.streams import run_stream
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ChannelAccount, Post
from tests import factories as f
from tests.channels import (
    assert_held_until,
    assert_retrying,
    channel,
    connect,
    connect_x,
    cursor,
    fixture,
    hook_client,
    make_due,
    vault,
)
from tests.channels import post as the_post
from tests.stand_ins.x import ANA, BRAND_ID, CONSUMER_SECRET, DROP, LEA, XStandIn, reset_header, snowflake

X = connector("x")


def setup(db: Database, x: XStandIn, **settings: object) -> tuple[int, int]:
    ws = f.workspace(db)
    return ws, connect_x(db, ws, x, **settings)


def stored(db: Database, **where: object) -> list[Post]:
    with db.read() as s:
        query = select(Post).order_by(Post.id)
        for name, value in where.items():
            query = query.where(getattr(Post, name) == value)
        return list(s.scalars(query).all())


def signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


# --- polling ------------------------------------------------------------------------------------


def test_mentions_poll_with_since_id_and_store_nothing_twice(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["mentions"])
    x.mentions = [x.post(f"@AcmeHelp order {n} is late", ANA) for n in range(3)]
    report = poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates, report.errors) == (3, 0, [])
    [first] = x.calls("GET", f"/2/users/{BRAND_ID}/mentions")
    assert "since_id" not in first.query
    assert first.headers["authorization"] == "Bearer user-token"
    assert "note_tweet" in first.query["tweet.fields"]
    assert first.query["expansions"] == "author_id,referenced_tweets.id"
    newest = x.mentions[-1]["id"]
    assert cursor(db, channel_id, "mentions") == newest
    post = stored(db, external_id=newest)[0]
    assert (post.author_handle, post.author_followers, post.channel_account_id) == (
        "ana_lisboa",
        1874,
        channel_id,
    )

    x.mentions += [x.post("@AcmeHelp still waiting", LEA), x.post("@AcmeHelp hello??", LEA)]
    report = poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates) == (2, 0)
    second = x.calls("GET", f"/2/users/{BRAND_ID}/mentions")[-1]
    assert second.query["since_id"] == newest
    assert cursor(db, channel_id, "mentions") == x.mentions[-1]["id"]

    report = poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates) == (0, 0)
    assert len(stored(db)) == 5


def test_a_round_over_several_pages_keeps_the_first_pages_newest_id(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["mentions"])
    x.mentions = [x.post("@AcmeHelp first", ANA)]
    poll_channel(db, channel(db, channel_id), http)
    since = x.mentions[0]["id"]
    x.mentions += [x.post(f"@AcmeHelp burst {n}", LEA) for n in range(5)]
    x.page_size = 2
    account = channel(db, channel_id).account

    page = X.fetch(http, account, "mentions", since)  # what one round does, a page at a time
    assert page.more
    assert len(page.events) == 2
    state = json.loads(page.cursor or "")
    assert state["since_id"] == since
    assert state["newest"] == x.mentions[-1]["id"]
    page = X.fetch(http, account, "mentions", page.cursor)  # a worker resuming from the stored page
    assert page.more
    assert len(page.events) == 2
    page = X.fetch(http, account, "mentions", page.cursor)
    assert not page.more
    assert len(page.events) == 1
    assert page.cursor == x.mentions[-1]["id"]
    requests = x.calls("GET", f"/2/users/{BRAND_ID}/mentions")[-3:]
    assert [r.query["since_id"] for r in requests] == [since] * 3  # the same since_id on every page
    assert [r.query.get("pagination_token") for r in requests] == [None, "page2", "page4"]

    report = poll_channel(db, channel(db, channel_id), http)  # the poller walks the pages itself
    assert report.stored == 5
    assert cursor(db, channel_id, "mentions") == x.mentions[-1]["id"]


def test_an_edit_polled_with_its_original_marks_the_original_replaced(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["mentions"])
    original = x.post("@AcmeHelp refund for #A-19898?", LEA)
    edit = x.post("@AcmeHelp refund for #A-19988?", LEA)
    original["edit_history_tweet_ids"] = edit["edit_history_tweet_ids"] = [original["id"], edit["id"]]
    x.mentions = [original, edit]
    assert poll_channel(db, channel(db, channel_id), http).stored == 2
    [first] = stored(db, external_id=original["id"])
    [second] = stored(db, external_id=edit["id"])
    assert first.edited_at is not None  # replaced by its edit
    assert second.edited_at is None
    assert first.conversation_id == second.conversation_id


def test_an_expired_page_token_reads_the_round_again(db: Database, x: XStandIn, http: httpx.Client) -> None:
    _, channel_id = setup(db, x, sources=["mentions"])
    since = x.post("@AcmeHelp old", ANA)["id"]
    x.mentions = [x.post(f"@AcmeHelp burst {n}", LEA) for n in range(3)]
    x.page_size = 2
    account = channel(db, channel_id).account
    page = X.fetch(http, account, "mentions", since)
    assert page.more
    refusal = {
        "title": "Invalid Request",
        "detail": "The `pagination_token` query parameter value is not valid.",
    }
    x.fail_next("GET", f"/2/users/{BRAND_ID}/mentions", 400, body=refusal)
    again = X.fetch(http, account, "mentions", page.cursor)
    assert again.more
    assert [e.external_id for e in again.events] == [e.external_id for e in page.events]
    failed, retried = x.calls("GET", f"/2/users/{BRAND_ID}/mentions")[-2:]
    assert failed.query["pagination_token"] == "page2"
    assert "pagination_token" not in retried.query
    assert retried.query["since_id"] == since


def test_a_search_since_id_older_than_seven_days_is_left_out(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["search"], queries=["acme"])
    x.search = [x.post("acme again", LEA)]
    old = snowflake(utcnow() - timedelta(days=8))
    page = X.fetch(http, channel(db, channel_id).account, "search", old)
    [call] = x.calls("GET", "/2/tweets/search/recent")
    assert "since_id" not in call.query  # X refuses one from before its seven days
    assert page.cursor == x.search[0]["id"]


def test_search_ors_the_listening_queries_with_the_app_token(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["search"], queries=["acme", "#acmedown"])
    x.search = [x.post("acme checkout is down", LEA), x.post("#acmedown again", ANA)]
    report = poll_channel(db, channel(db, channel_id), http)
    assert report.stored == 2
    [call] = x.calls("GET", "/2/tweets/search/recent")
    assert call.query["query"] == "((acme) OR (#acmedown)) -is:retweet"
    assert call.headers["authorization"] == "Bearer app-token"
    assert cursor(db, channel_id, "search") == x.search[-1]["id"]
    poll_channel(db, channel(db, channel_id), http)
    assert x.calls("GET", "/2/tweets/search/recent")[-1].query["since_id"] == x.search[-1]["id"]


def test_search_without_queries_asks_nothing(db: Database, x: XStandIn, http: httpx.Client) -> None:
    _, channel_id = setup(db, x, sources=["search"])
    assert poll_channel(db, channel(db, channel_id), http).stored == 0
    assert x.calls("GET", "/2/tweets/search/recent") == []


def test_dms_poll_reads_back_to_the_newest_stored_event(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x, sources=["dms"])
    conversation = f"{BRAND_ID}-{ANA}"
    x.dm_events = [x.dm("hi, my card was charged twice", ANA, conversation)]
    assert poll_channel(db, channel(db, channel_id), http).stored == 1
    [dm] = stored(db)
    assert dm.is_private
    assert dm.author_handle == "ana_lisboa"
    assert cursor(db, channel_id, "dms") == x.dm_events[0]["id"]

    x.page_size = 2
    x.dm_events += [x.dm(f"part {n}", ANA, conversation) for n in range(3)]
    report = poll_channel(db, channel(db, channel_id), http)
    assert (report.stored, report.duplicates) == (3, 0)
    calls = x.calls("GET", "/2/dm_events")
    assert calls[-1].query["event_types"] == "MessageCreate"
    assert calls[-1].query.get("pagination_token") == "page2"  # stopped at the page reaching stored events
    assert cursor(db, channel_id, "dms") == x.dm_events[-1]["id"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1  # one private conversation, one case


# --- sending ------------------------------------------------------------------------------------


def a_reply(
    db: Database, x: XStandIn, http: httpx.Client, text: str = "@ana_lisboa So sorry! DM us the order number."
) -> tuple[int, str]:
    """A customer's mention polled in for a connected channel and an agent's reply to it queued: the
    reply's post id and the mention's id."""
    ws, channel_id = setup(db, x, sources=["mentions"])
    x.mentions = [x.post("@AcmeHelp my parcel never arrived", ANA)]
    poll_channel(db, channel(db, channel_id), http)
    with db.read() as s:
        case_id = s.scalars(select(Case.id)).one()
    return reply(db, ws, case_id, text), x.mentions[0]["id"]


def reply(db: Database, ws: int, case_id: int, text: str) -> int:
    agent = f.agent(db, "Acme", "mj@acme.example")
    return record_reply(db, ws, case_id, agent, text).post_id


def test_a_reply_is_sent_with_the_parent_and_marked_sent(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    post_id, mention = a_reply(db, x, http)
    assert outbox.deliver_due(db, vault(), http) == 1
    [call] = x.calls("POST", "/2/tweets")
    assert call.json() == {
        "text": "@ana_lisboa So sorry! DM us the order number.",
        "reply": {"in_reply_to_tweet_id": mention},
    }
    assert call.headers["authorization"] == "Bearer user-token"
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.external_id == x.timeline[0]["id"]


def test_a_429_waits_until_x_rate_limit_reset(db: Database, x: XStandIn, http: httpx.Client) -> None:
    post_id, _ = a_reply(db, x, http)
    headers = reset_header(600)
    x.fail_next("POST", "/2/tweets", 429, headers, json.loads(fixture("x", "errors__rate_limit.json")))
    outbox.deliver_due(db, vault(), http)
    reset = datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC)
    assert_held_until(db, post_id, reset, "Too Many Requests")
    assert "rate limit" in (the_post(db, post_id).send_error or "")
    assert x.timeline == []


def test_a_5xx_is_retried_and_then_sent(db: Database, x: XStandIn, http: httpx.Client) -> None:
    post_id, _ = a_reply(db, x, http)
    x.fail_next(
        "POST", "/2/tweets", 503, body={"title": "Service Unavailable", "detail": "Service Unavailable"}
    )
    outbox.deliver_due(db, vault(), http)
    assert_retrying(db, post_id, "503")
    make_due(db, post_id)
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.external_id == x.timeline[0]["id"]
    assert len(x.calls("POST", "/2/tweets")) == 2
    assert len(x.calls("GET", f"/2/users/{BRAND_ID}/tweets")) == 1  # a 5xx may hide a post: it asked first


def test_a_5xx_after_x_made_the_post_is_not_posted_again(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    post_id, mention = a_reply(db, x, http)
    x.fail_next("POST", "/2/tweets", 504, body={"title": "Gateway Timeout", "detail": "Gateway Timeout"})
    outbox.deliver_due(db, vault(), http)
    made = x.post("@ana_lisboa So sorry! DM us the order number.", BRAND_ID, reply_to=mention)
    x.timeline.append(made)  # X had made it all the same
    make_due(db, post_id)
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.external_id == made["id"]
    assert len(x.calls("POST", "/2/tweets")) == 1


_DELETED = "You attempted to reply to a Tweet that is deleted or not visible to you."
_INVALID = "One or more parameters to your request was invalid."


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            403,
            {"detail": _DELETED, "type": "about:blank", "title": "Forbidden", "status": 403},
            f"X refused it (403): {_DELETED}",
        ),
        (
            400,
            {
                "errors": [
                    {"parameters": {"reply.in_reply_to_tweet_id": ["1"]}, "message": "Invalid reply id"}
                ],
                "title": "Invalid Request",
                "detail": _INVALID,
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
            f"X refused it (400): {_INVALID}",
        ),
    ],
    ids=["deleted-parent", "bad-request"],
)
def test_a_refusal_fails_the_reply_with_xs_message(
    db: Database, x: XStandIn, http: httpx.Client, status: int, body: dict[str, object], message: str
) -> None:
    post_id, _ = a_reply(db, x, http)
    x.fail_next("POST", "/2/tweets", status, body=body)
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.FAILED
    assert post.send_error == message


def test_a_duplicate_post_is_refused_as_such(db: Database, x: XStandIn, http: httpx.Client) -> None:
    post_id, _ = a_reply(db, x, http, "Thanks for your patience!")
    x.timeline.append(x.post("Thanks for your patience!", BRAND_ID))
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.FAILED
    assert "duplicate content" in (post.send_error or "")


def test_after_a_crash_the_reply_already_on_x_is_found_not_sent_again(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    text = "@ana_lisboa We're on it: https://acme.example/help/late-parcels"
    post_id, mention = a_reply(db, x, http, text)
    earlier = x.post(
        text.replace("https://acme.example/help/late-parcels", "https://t.co/Zx81QaLm3T"), BRAND_ID, mention
    )
    earlier["entities"] = {
        "urls": [{"url": "https://t.co/Zx81QaLm3T", "expanded_url": "https://acme.example/help/late-parcels"}]
    }
    x.timeline = [x.post("@lea_mrtn another conversation", BRAND_ID, "1"), earlier]
    make_due(db, post_id, DeliveryStatus.SENDING)  # the worker died after sending
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.external_id == earlier["id"]
    assert x.calls("POST", "/2/tweets") == []
    [look] = x.calls("GET", f"/2/users/{BRAND_ID}/tweets")
    assert look.query["start_time"] <= (utcnow() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_after_a_crash_a_reply_that_never_reached_x_is_sent_once(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    post_id, _ = a_reply(db, x, http)
    x.timeline = [
        x.post("@ana_lisboa So sorry! DM us the order number.", BRAND_ID, reply_to="999")
    ]  # another parent
    with db.write() as s:
        s.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(text="@ana_lisboa So sorry! DM us your order number.")
        )
    make_due(db, post_id, DeliveryStatus.SENDING)  # the worker died after sending
    outbox.deliver_due(db, vault(), http)
    assert the_post(db, post_id).delivery_status is DeliveryStatus.SENT
    assert len(x.calls("POST", "/2/tweets")) == 1


def dm_case(db: Database, x: XStandIn, http: httpx.Client, channel_id: int) -> tuple[int, str]:
    conversation = f"{BRAND_ID}-{ANA}"
    x.dm_events = [x.dm("hi, I was charged twice for A-20931", ANA, conversation)]
    poll_channel(db, channel(db, channel_id), http)
    with db.read() as s:
        return s.scalars(select(Case.id)).one(), conversation


def test_a_dm_reply_goes_to_the_conversation(db: Database, x: XStandIn, http: httpx.Client) -> None:
    ws, channel_id = setup(db, x, sources=["dms"])
    case_id, conversation = dm_case(db, x, http, channel_id)
    post_id = reply(db, ws, case_id, "Sorry Ana! Refund on its way.")
    outbox.deliver_due(db, vault(), http)
    [call] = x.calls("POST", f"/2/dm_conversations/{conversation}/messages")
    assert call.json() == {"text": "Sorry Ana! Refund on its way."}
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.is_private
    assert post.external_id == x.dm_events[-1]["id"]
    assert x.calls("POST", "/2/tweets") == []  # never in public


def test_after_a_crash_a_dm_already_sent_is_found(db: Database, x: XStandIn, http: httpx.Client) -> None:
    ws, channel_id = setup(db, x, sources=["dms"])
    case_id, conversation = dm_case(db, x, http, channel_id)
    post_id = reply(db, ws, case_id, "Sorry Ana! Refund on its way.")
    x.dm_events.append(x.dm("Sorry Ana! Refund on its way.", BRAND_ID, conversation))
    make_due(db, post_id, DeliveryStatus.SENDING)  # the worker died after sending
    outbox.deliver_due(db, vault(), http)
    post = the_post(db, post_id)
    assert post.delivery_status is DeliveryStatus.SENT
    assert post.external_id == x.dm_events[-1]["id"]
    assert x.calls("POST", f"/2/dm_conversations/{conversation}/messages") == []


def test_a_dm_to_a_participant_without_a_conversation(db: Database, x: XStandIn, http: httpx.Client) -> None:
    _, channel_id = setup(db, x)
    message = OutboundMessage("x", "hello", True, "key-1", recipient_id=ANA)
    result = X.send(http, channel(db, channel_id).account, message)
    assert x.calls("POST", f"/2/dm_conversations/with/{ANA}/messages")
    assert result.external_id == x.dm_events[-1]["id"]


# --- actions and the credentials check ----------------------------------------------------------


def test_like_hide_unhide_delete_and_check(db: Database, x: XStandIn, http: httpx.Client) -> None:
    _, channel_id = setup(db, x)
    account = channel(db, channel_id).account
    X.act(http, account, "like", "2123691325784893907")
    X.act(http, account, "hide", "2123691325784893907")
    X.act(http, account, "unhide", "2123691325784893907")
    assert x.likes == ["2123691325784893907"]
    assert x.hidden == {"2123691325784893907": False}
    [hide, unhide] = x.calls("PUT", "/2/tweets/2123691325784893907/hidden")
    assert (hide.json(), unhide.json()) == ({"hidden": True}, {"hidden": False})
    own = x.post("an old announcement", BRAND_ID)
    x.timeline.append(own)
    X.act(http, account, "delete", own["id"])
    assert x.deleted == [own["id"]]
    theirs = x.post("@AcmeHelp rubbish service", ANA)
    x.mentions.append(theirs)
    with pytest.raises(PermanentSendError, match="only the brand's own posts"):
        X.act(http, account, "delete", theirs["id"])
    assert x.calls("DELETE", f"/2/tweets/{theirs['id']}") == []
    assert X.check(http, account) == "@AcmeHelp"


# --- webhooks -----------------------------------------------------------------------------------


def test_webhooks_crc_signed_duplicate_tampered_malformed_oversized(db: Database, x: XStandIn) -> None:
    _, channel_id = setup(db, x)
    address = f"/hooks/x/{channel_id}"
    body = fixture("x", "aaa__tweet_create.json")
    with hook_client(db, hook_max_bytes=4096) as client:
        crc = client.get(address, params={"crc_token": "9b4507b3-8b5d"})
        assert crc.status_code == 200
        expected = base64.b64encode(
            hmac.new(CONSUMER_SECRET.encode(), b"9b4507b3-8b5d", hashlib.sha256).digest()
        ).decode()
        assert crc.json() == {"response_token": f"sha256={expected}"}

        first = client.post(address, content=body, headers=signed(body))
        assert first.status_code == 200
        assert first.json() == {"received": 1, "stored": 1}
        again = client.post(address, content=body, headers=signed(body))
        assert again.status_code == 200
        assert again.json() == {"received": 1, "duplicate": 1}

        tampered = client.post(address, content=fixture("x", "aaa__tampered.json"), headers=signed(body))
        assert tampered.status_code == 401
        unsigned = client.post(address, content=body)
        assert unsigned.status_code == 401

        truncated = fixture("x", "aaa__truncated.json")
        malformed = client.post(address, content=truncated, headers=signed(truncated))
        assert malformed.status_code == 400
        assert "not JSON" in malformed.text

        big = fixture("x", "aaa__tweet_create_extended.json") + b" " * 4096
        assert client.post(address, content=big, headers=signed(big)).status_code == 413

        quiet = fixture("x", "aaa__favorite.json")
        assert client.post(address, content=quiet, headers=signed(quiet)).json() == {"received": 0}

    [post] = stored(db)
    assert post.external_id == "2123690570806578749"
    assert post.text.startswith("@AcmeHelp my order says delivered")
    assert post.channel_account_id == channel_id
    assert post.direction is Direction.INBOUND


def test_webhook_dm_reply_and_delete(db: Database, x: XStandIn) -> None:
    _, channel_id = setup(db, x)
    address = f"/hooks/x/{channel_id}"
    with hook_client(db) as client:
        for name in ("aaa__dm.json", "aaa__dm_sent.json", "aaa__tweet_create.json", "aaa__reply.json"):
            body = fixture("x", name)
            assert client.post(address, content=body, headers=signed(body)).status_code == 200, name
        deletion = fixture("x", "aaa__delete.json")
        assert client.post(address, content=deletion, headers=signed(deletion)).json() == {
            "received": 1,
            "deleted": 1,
        }
    dms = stored(db, is_private=True)
    assert [p.direction for p in dms] == [Direction.INBOUND, Direction.OUTBOUND]
    assert len({p.conversation_id for p in dms}) == 1
    [mention] = stored(db, external_id="2123690570806578749")
    [brand_reply] = stored(db, external_id="2123691074124458834")
    assert mention.deleted_at is not None
    assert mention.text == ""
    assert brand_reply.conversation_id == mention.conversation_id


def test_a_webhook_for_another_subscribed_account_stores_nothing(db: Database, x: XStandIn) -> None:
    ws = f.workspace(db)
    other = connect(
        db, ws, "x", "AcmeShop", {"access_token": "t", "consumer_secret": CONSUMER_SECRET}, external_id="42"
    )
    body = fixture("x", "aaa__tweet_create.json")
    with hook_client(db) as client:
        answer = client.post(f"/hooks/x/{other}", content=body, headers=signed(body))
    assert answer.status_code == 200
    assert answer.json() == {"received": 0}
    assert stored(db) == []


# --- the filtered stream ------------------------------------------------------------------------


def test_the_stream_stores_its_posts_and_reconnects_after_drops(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x)
    recorded = list(fixture("x", "stream__lines.jsonl").decode().split("\r\n"))
    third = {"data": x.post("@AcmeHelp are you open on Sunday?", ANA), "includes": {"users": [x.users[ANA]]}}
    x.stream_sessions = [
        recorded,  # two posts between keep-alives, then X closes the connection
        ["", json.dumps(third), "", DROP],  # a post, then the connection breaks
        [],  # connects, sends nothing, closes: a failure with nothing read
    ]
    total = run_stream(db, vault(), channel_id, "filtered", http, threading.Event(), max_failures=2)
    assert total == 3
    calls = x.calls("GET", "/2/tweets/search/stream")
    assert len(calls) == 3
    assert {c.headers["authorization"] for c in calls} == {"Bearer app-token"}
    assert "note_tweet" in calls[0].query["tweet.fields"]
    texts = {p.text for p in stored(db)}
    assert texts == {
        "anyone else's Acme order stuck in Madrid customs? 📦",
        "@AcmeHelp <3 thanks for the quick refund",
        "@AcmeHelp are you open on Sunday?",
    }
    with db.read() as s:
        row = s.get_one(ChannelAccount, channel_id)
        assert row.last_error is not None
        assert "X closed the filtered stream" in row.last_error


def test_the_stream_skips_a_bad_line_and_stops_at_a_disconnect_notice(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    _, channel_id = setup(db, x)
    good = {"data": x.post("@AcmeHelp hi", LEA), "includes": {"users": [x.users[LEA]]}}
    notice = fixture("x", "stream__disconnect.jsonl").decode().strip()
    x.stream_sessions = [['{"data": {"id": "1"}}', json.dumps(good), notice, json.dumps(good)]]
    total = run_stream(db, vault(), channel_id, "filtered", http, threading.Event(), max_failures=1)
    assert total == 1
    with db.read() as s:
        error = s.get_one(ChannelAccount, channel_id).last_error or ""
    assert "operational-disconnect" in error


def test_a_429_on_connecting_backs_off_and_is_recorded(db: Database, x: XStandIn, http: httpx.Client) -> None:
    _, channel_id = setup(db, x)
    x.fail_next(
        "GET",
        "/2/tweets/search/stream",
        429,
        reset_header(900),
        {
            "title": "ConnectionException",
            "detail": "This stream is currently at the maximum allowed connection limit.",
            "connection_issue": "TooManyConnections",
            "type": "https://api.twitter.com/2/problems/streaming-connection",
        },
    )
    assert run_stream(db, vault(), channel_id, "filtered", http, threading.Event(), max_failures=1) == 0
    with db.read() as s:
        error = s.get_one(ChannelAccount, channel_id).last_error or ""
    assert "rate limit" in error
    assert "maximum allowed connection limit" in error
