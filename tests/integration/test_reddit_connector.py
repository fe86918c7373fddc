"""The Reddit connector against a stand-in of Reddit's API, on SQLite and PostgreSQL: polling with
cursors, the outbox (success, rate limits, 5xx, refusals, a crash before the answer was recorded), the
OAuth2 token, actions, and the webhook endpoint Reddit does not have."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import select

from socialdesk.channels import connector
from socialdesk.channels.base import Account, Action
from socialdesk.channels.reddit.api import forget_sessions
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import CredentialsError, RateLimited
from socialdesk.core.types import DeliveryStatus, Direction, InboundPost, OutboundMessage
from socialdesk.pipeline.channel_accounts import LoadedChannel
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.pipeline.outbox import deliver_due
from socialdesk.pipeline.polling import poll_channel, read_cursor
from socialdesk.store.db import Database
from socialdesk.store.models import Case
from tests import factories as f
from tests.channels import channel, connect, fixture, hook_client, make_due, post, reply, stored, vault
from tests.stand_ins.reddit import (
    BRAND,
    BRAND_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    REFRESH_TOKEN,
    RedditStandIn,
    children,
)
from tests.stand_ins.server import serve

REDDIT = connector("reddit")
CREDENTIALS = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "username": BRAND,
    "password": PASSWORD,
}


@pytest.fixture
def reddit() -> Iterator[tuple[RedditStandIn, str]]:
    stand_in = RedditStandIn()
    with serve(stand_in.app) as url:
        yield stand_in, url
    forget_sessions()  # tokens and rate-limit windows are per process; each test starts clean


def connected(db: Database, url: str, **settings: object) -> tuple[int, LoadedChannel]:
    """A workspace with the brand's Reddit account connected to the stand-in."""
    ws = f.workspace(db)
    channel_id = connect(
        db, ws, "reddit", BRAND, CREDENTIALS, {"api_base": url, "auth_base": url, **settings}, BRAND_ID
    )
    return ws, channel(db, channel_id)


def account(url: str, **credentials: str) -> Account:
    return Account(
        handle=BRAND,
        external_id=BRAND_ID,
        credentials={**CREDENTIALS, **credentials},
        settings={"api_base": url, "auth_base": url},
    )


def thing(document: bytes) -> list[dict[str, object]]:
    return children(json.loads(document))


# --- polling -----------------------------------------------------------------------------------------


def test_polling_the_inbox_twice_asks_only_for_newer_items_and_stores_nothing_twice(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.inbox = thing(fixture("reddit", "inbox__mixed_page.json"))
    _, loaded = connected(db, url, sources=["inbox"])

    first = poll_channel(db, loaded, http)
    assert (first.stored, first.duplicates, first.errors) == (5, 0, [])
    [asked] = stand_in.calls("GET", "/message/inbox")
    assert asked.query == {"limit": "100"}
    assert asked.headers["authorization"].startswith("bearer ")
    assert asked.headers["user-agent"] == "server:socialdesk:0.1 (by /u/AcmeAirSupport)"
    with db.read() as s:
        cursor = json.loads(read_cursor(s, loaded.id, "inbox") or "{}")
    assert cursor == {"name": "t1_m8z4h1r", "at": 1796073450.0}

    stand_in.inbox = _newer_than_the_page() + stand_in.inbox
    second = poll_channel(db, loaded, http)
    assert (second.stored, second.duplicates) == (1, 0)
    assert stand_in.calls("GET", "/message/inbox")[-1].query == {"limit": "100", "before": "t1_m8z4h1r"}

    third = poll_channel(db, loaded, http)  # nothing new: `before` answers nothing, the anchor is there
    assert (third.stored, third.duplicates) == (0, 0)
    assert [c.query.get("before") for c in stand_in.calls("GET", "/message/inbox")[-2:]] == [
        "t4_2w9a0zz",
        None,
    ]

    posts = stored(db)
    assert len(posts) == 6
    assert {p.external_id for p in posts if p.is_private} == {"t4_2w8q0xd", "t4_2w7z3bb", "t4_2w9a0zz"}
    assert all(p.direction is Direction.INBOUND for p in posts)
    assert stand_in.token_grants == ["password"]  # one token for every call


def _newer_than_the_page() -> list[dict[str, object]]:
    newer = thing(fixture("reddit", "inbox__private_message_thread.json"))[0]
    data = dict(newer["data"])  # type: ignore[call-overload]
    data.update(id="2w9a0zz", name="t4_2w9a0zz", created_utc=1796080000.0, created=1796080000.0)
    return [{"kind": "t4", "data": data}]


def test_when_the_anchor_disappears_the_poll_falls_back_to_time_and_moves_the_anchor(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.inbox = thing(fixture("reddit", "inbox__mixed_page.json"))
    _, loaded = connected(db, url, sources=["inbox"])
    poll_channel(db, loaded, http)

    stand_in.inbox = _newer_than_the_page() + stand_in.inbox[1:]  # t1_m8z4h1r was deleted
    report = poll_channel(db, loaded, http)
    assert (report.stored, report.errors) == (1, [])
    queries = [c.query for c in stand_in.calls("GET", "/message/inbox")[-2:]]
    assert queries == [{"limit": "100", "before": "t1_m8z4h1r"}, {"limit": "100"}]
    with db.read() as s:
        assert json.loads(read_cursor(s, loaded.id, "inbox") or "{}")["name"] == "t4_2w9a0zz"

    again = poll_channel(db, loaded, http)  # the new anchor exists: back to paging by `before`
    assert again.stored == 0
    assert stand_in.calls("GET", "/message/inbox")[-2].query["before"] == "t4_2w9a0zz"


def test_a_full_page_asks_for_the_next_one_at_once(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    template = thing(fixture("reddit", "inbox__username_mention.json"))[0]
    many = []
    for n in range(150, 0, -1):  # newest first, as Reddit lists them
        data = dict(template["data"])  # type: ignore[call-overload]
        data.update(id=f"m9{n:05d}", name=f"t1_m9{n:05d}", created_utc=1796000000.0 + n)
        many.append({"kind": "t1", "data": data})
    stand_in.inbox = many[-1:]
    _, loaded = connected(db, url, sources=["inbox"])
    assert poll_channel(db, loaded, http).stored == 1

    stand_in.inbox = many
    report = poll_channel(db, loaded, http)
    assert report.stored == 149
    befores = [c.query.get("before") for c in stand_in.calls("GET", "/message/inbox")[1:]]
    assert befores[:2] == ["t1_m900001", "t1_m900101"]  # the 100 just newer, then the rest
    assert len(stored(db)) == 150


def test_search_ors_the_queries_in_the_brands_subreddits_and_overlaps_for_the_index_lag(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.search_results = thing(fixture("reddit", "search__new_posts.json"))
    _, loaded = connected(
        db,
        url,
        sources=["search"],
        queries=["Acme Air", "AcmeAir", '"acme airlines"'],
        subreddits="travel, r/flying",
    )
    first = poll_channel(db, loaded, http)
    assert (first.stored, first.errors) == (3, [])
    [asked] = stand_in.calls("GET", "/r/travel+flying/search")
    assert asked.query == {
        "q": '(Acme Air) OR AcmeAir OR "acme airlines"',
        "sort": "new",
        "type": "link",
        "limit": "100",
        "restrict_sr": "on",
    }
    second = poll_channel(db, loaded, http)
    assert (second.stored, second.duplicates) == (0, 1)  # the newest one again, inside the overlap
    texts = [p.text for p in stored(db)]
    assert texts[0] == "Refund for cancelled AC 1207 still missing after 2 weeks"


def test_search_can_look_at_all_of_reddit_while_the_brands_subreddits_are_polled(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.search_results = thing(fixture("reddit", "search__new_posts.json"))
    _, loaded = connected(
        db, url, sources=["search"], queries="AcmeAir", subreddits=["AcmeAir"], search_subreddits="all"
    )
    assert poll_channel(db, loaded, http).stored == 3
    [asked] = stand_in.calls("GET", "/search")
    assert asked.query == {"q": "AcmeAir", "sort": "new", "type": "link", "limit": "100"}


def test_search_without_queries_asks_nothing(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, loaded = connected(db, url, sources=["search", "subreddits", "subreddit_posts"])
    assert poll_channel(db, loaded, http).stored == 0
    assert stand_in.requests == []


def test_the_brands_subreddits_new_comments_and_posts(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.listings["/r/AcmeAir/comments"] = thing(fixture("reddit", "subreddit_comments__page.json"))
    stand_in.listings["/r/AcmeAir/new"] = thing(fixture("reddit", "search__new_posts.json"))[2:]
    _, loaded = connected(db, url, sources=["subreddits", "subreddit_posts"], subreddits=["AcmeAir"])
    report = poll_channel(db, loaded, http)
    assert (report.stored, report.errors) == (3, [])
    directions = {p.external_id: p.direction for p in stored(db)}
    assert directions == {
        "t3_1h4x9qz": Direction.INBOUND,
        "t1_m8z9w2t": Direction.OUTBOUND,  # the brand's own comment, told by the account
        "t1_m8zb7k2": Direction.INBOUND,
    }


def test_a_post_deleted_since_the_last_poll_is_erased_when_seen_again(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    results = thing(fixture("reddit", "search__new_posts.json"))
    stand_in.search_results = results
    _, loaded = connected(db, url, sources=["search"], queries=["Acme Air"])
    assert poll_channel(db, loaded, http).stored == 3
    gone = json.loads(json.dumps(results[0]))
    gone["data"].update(author="[deleted]", selftext="[deleted]", removed_by_category="deleted")
    del gone["data"]["author_fullname"]
    stand_in.search_results = [gone, *results[1:]]
    assert poll_channel(db, loaded, http).deleted == 1  # still inside the search overlap
    erased = next(p for p in stored(db) if p.external_id == "t3_1h6a0kd")
    assert erased.deleted_at is not None
    assert erased.text == ""


# --- sending -----------------------------------------------------------------------------------------


def a_case(db: Database, ws: int, name: str) -> int:
    events = REDDIT.parse(fixture("reddit", name), Account(handle=BRAND, external_id=BRAND_ID))
    ingest_posts(db, ws, [e for e in events if isinstance(e, InboundPost)])
    with db.read() as s:
        return s.scalars(select(Case.id).order_by(Case.id.desc())).first() or 0


def a_reply(
    db: Database, url: str, text: str, name: str = "inbox__comment_reply.json"
) -> tuple[LoadedChannel, int]:
    """A recorded inbox item stored for a connected channel and an agent's reply to it queued: the
    channel and the reply's post id."""
    ws, loaded = connected(db, url)
    return loaded, reply(db, ws, a_case(db, ws, name), text)


def near(moment: datetime | None, expected: datetime, slack: float = 5) -> bool:
    return moment is not None and abs((as_utc(moment) - expected).total_seconds()) <= slack


def test_a_public_reply_is_sent_as_a_comment_under_the_customers_comment(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "Hi Jo, we're sorry & we've escalated it. <3")

    assert deliver_due(db, vault(), http) == 1
    sent = post(db, post_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    [made] = stand_in.comments
    assert sent.external_id == made["data"]["name"]
    [call] = stand_in.calls("POST", "/api/comment")
    assert call.form() == {
        "api_type": "json",
        "thing_id": "t1_m8x2k4q",
        "text": "Hi Jo, we're sorry & we've escalated it. <3",
    }


def test_a_private_reply_answers_inside_the_message_thread(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.inbox = thing(fixture("reddit", "inbox__private_message_thread.json"))
    _, post_id = a_reply(
        db,
        url,
        "Hi Norah, your bag is in Montréal and reaches you today.",
        "inbox__private_message_thread.json",
    )

    deliver_due(db, vault(), http)
    sent = post(db, post_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.is_private
    [call] = stand_in.calls("POST", "/api/comment")
    assert call.form()["thing_id"] == "t4_2w8m7tn"  # the customer's latest message
    [message] = stand_in.sent
    assert sent.external_id == message["data"]["name"]
    assert message["data"]["dest"] == "norah-flies"
    assert stand_in.calls("POST", "/api/compose") == []


def test_a_429_waits_for_reddits_reset(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "Sorry for the wait!")
    stand_in.fail_next(
        "POST",
        "/api/comment",
        429,
        headers={"x-ratelimit-used": "1000", "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "240"},
        body={"message": "Too Many Requests", "error": 429},
    )
    deliver_due(db, vault(), http)
    waiting = post(db, post_id)
    assert waiting.delivery_status is DeliveryStatus.QUEUED
    assert near(waiting.next_send_at, utcnow() + timedelta(seconds=240))
    assert "Too Many Requests" in (waiting.send_error or "")
    assert stand_in.comments == []


def test_reddits_ratelimit_error_in_a_200_waits_as_long_as_it_says(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "Sorry for the wait!")
    body = json.loads(fixture("reddit", "api_comment__ratelimit_error.json"))
    stand_in.fail_next("POST", "/api/comment", 200, body=body)
    deliver_due(db, vault(), http)
    waiting = post(db, post_id)
    assert waiting.delivery_status is DeliveryStatus.QUEUED
    assert near(waiting.next_send_at, utcnow() + timedelta(seconds=293.5))
    assert "you are doing that too much" in (waiting.send_error or "")


def test_a_5xx_is_retried_and_then_sent_once(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "Checking now.")
    stand_in.fail_next("POST", "/api/comment", 503, body="<html>upstream connect error</html>")
    deliver_due(db, vault(), http)
    retry = post(db, post_id)
    assert retry.delivery_status is DeliveryStatus.QUEUED
    assert "503" in (retry.send_error or "")
    assert len(stand_in.calls("GET", "/user/AcmeAirSupport/comments")) == 1  # it looked before retrying

    make_due(db, post_id)
    deliver_due(db, vault(), http)
    sent = post(db, post_id)
    assert sent.delivery_status is DeliveryStatus.SENT
    assert len(stand_in.comments) == 1
    assert sent.external_id == stand_in.comments[0]["data"]["name"]


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        # Errors inside a 200 (api_type=json), then a plain 4xx.
        (200, "api_comment__too_long_error.json", "TOO_LONG: this is too long (max: 10000)"),
        (200, "api_comment__deleted_comment_error.json", "DELETED_COMMENT: that comment has been deleted"),
        (400, {"message": "Bad Request", "error": 400}, "Bad Request"),
    ],
    ids=["too-long", "deleted-comment", "bad-request"],
)
def test_a_refusal_fails_the_reply_with_reddits_reason(
    db: Database,
    reddit: tuple[RedditStandIn, str],
    http: httpx.Client,
    status: int,
    body: str | dict[str, object],
    reason: str,
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "Hello again")
    answer = json.loads(fixture("reddit", body)) if isinstance(body, str) else body
    stand_in.fail_next("POST", "/api/comment", status, body=answer)
    deliver_due(db, vault(), http)
    failed = post(db, post_id)
    assert failed.delivery_status is DeliveryStatus.FAILED
    assert reason in (failed.send_error or "")


def test_after_a_crash_the_earlier_comment_is_found_and_not_sent_again(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    loaded, post_id = a_reply(db, url, "We're on it, Jo.")
    row = post(db, post_id)
    earlier = REDDIT.send(
        http,
        loaded.account,
        OutboundMessage("reddit", "We're on it, Jo.", False, "k", in_reply_to=row.in_reply_to),
    )
    make_due(db, post_id, DeliveryStatus.SENDING)  # a worker was killed after Reddit took it

    deliver_due(db, vault(), http)
    found = post(db, post_id)
    assert found.delivery_status is DeliveryStatus.SENT
    assert found.external_id == earlier.external_id
    assert len(stand_in.calls("POST", "/api/comment")) == 1
    assert len(stand_in.comments) == 1


def test_after_a_crash_the_earlier_private_message_is_found_and_not_sent_again(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.inbox = thing(fixture("reddit", "inbox__private_message_thread.json"))
    loaded, post_id = a_reply(db, url, "Bag found!", "inbox__private_message_thread.json")
    earlier = REDDIT.send(
        http,
        loaded.account,
        OutboundMessage(
            "reddit", "Bag found!", True, "k", in_reply_to="t4_2w8m7tn", conversation_key="t4_2w8k1pq"
        ),
    )
    make_due(db, post_id, DeliveryStatus.SENDING)  # a worker was killed after Reddit took it

    deliver_due(db, vault(), http)
    found = post(db, post_id)
    assert found.delivery_status is DeliveryStatus.SENT
    assert found.external_id == earlier.external_id
    assert len(stand_in.sent) == 1


def test_after_a_crash_with_nothing_posted_the_reply_is_sent(
    db: Database, reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    _, post_id = a_reply(db, url, "We're on it, Jo.")
    make_due(db, post_id, DeliveryStatus.SENDING)  # a worker was killed after Reddit took it
    deliver_due(db, vault(), http)
    assert post(db, post_id).delivery_status is DeliveryStatus.SENT
    assert len(stand_in.calls("GET", "/user/AcmeAirSupport/comments")) == 1
    assert len(stand_in.comments) == 1


def test_a_new_conversation_is_composed_and_its_message_found_in_sent(
    reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    message = OutboundMessage(
        "reddit",
        "Hi Pete, can you send us your confirmation code?",
        True,
        "k1",
        recipient_handle="skyward_pete",
        subject="comment reply",  # an inbox notification's subject is not a subject to write under
        created_at=utcnow(),
    )
    result = REDDIT.send(http, account(url), message)
    [call] = stand_in.calls("POST", "/api/compose")
    assert call.form() == {
        "api_type": "json",
        "to": "skyward_pete",
        "subject": "A message from u/AcmeAirSupport",
        "text": "Hi Pete, can you send us your confirmation code?",
    }
    assert result.external_id == stand_in.sent[0]["data"]["name"]
    assert REDDIT.find_sent(http, account(url), message) == result


# --- the token, the window, actions ------------------------------------------------------------------


def test_an_expired_token_is_replaced_once_and_the_call_repeated(
    reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    assert REDDIT.check(http, account(url)) == BRAND
    stand_in.expire_tokens()
    assert REDDIT.check(http, account(url)) == BRAND
    assert stand_in.token_grants == ["password", "password"]
    [token] = stand_in.calls("POST", "/api/v1/access_token")[:1]
    assert token.form() == {"grant_type": "password", "username": BRAND, "password": PASSWORD}
    assert token.headers["authorization"].startswith("Basic ")


def test_a_refresh_token_is_used_instead_of_a_password(
    reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    creds = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
    assert (
        REDDIT.check(http, Account(BRAND, credentials=creds, settings={"api_base": url, "auth_base": url}))
        == BRAND
    )
    assert stand_in.token_grants == ["refresh_token"]


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"password": "wrong"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "401"),
    ],
)
def test_refused_credentials_say_so(
    reddit: tuple[RedditStandIn, str], http: httpx.Client, credentials: dict[str, str], message: str
) -> None:
    _, url = reddit
    with pytest.raises(CredentialsError, match=message):
        REDDIT.check(http, account(url, **credentials))


def test_a_used_up_window_waits_for_its_reset_without_asking_reddit(
    reddit: tuple[RedditStandIn, str], http: httpx.Client
) -> None:
    stand_in, url = reddit
    stand_in.remaining, stand_in.reset = 0.0, 75
    REDDIT.check(http, account(url))
    asked = len(stand_in.requests)
    with pytest.raises(RateLimited) as waited:
        REDDIT.check(http, account(url))
    assert near(waited.value.retry_at, utcnow() + timedelta(seconds=75))
    assert len(stand_in.requests) == asked


@pytest.mark.parametrize(
    ("action", "fullname", "path"),
    [
        ("like", "t1_m8x2k4q", "/api/vote"),
        ("hide", "t1_m8x2k4q", "/api/remove"),
        ("unhide", "t3_1h4x9qz", "/api/approve"),
        ("delete", "t1_m8z9w2t", "/api/del"),
        ("delete", "t4_2w8k1pq", "/api/del_msg"),
    ],
)
def test_actions(
    reddit: tuple[RedditStandIn, str], http: httpx.Client, action: Action, fullname: str, path: str
) -> None:
    stand_in, url = reddit
    REDDIT.act(http, account(url), action, fullname)
    assert stand_in.actions == [(path, fullname)]
    [call] = stand_in.calls("POST", path)
    if action == "like":
        assert call.form() == {"id": fullname, "dir": "1"}


# --- webhooks ----------------------------------------------------------------------------------------


def test_reddit_has_no_webhooks_so_deliveries_are_refused(
    db: Database, reddit: tuple[RedditStandIn, str]
) -> None:
    _, url = reddit
    _, loaded = connected(db, url)
    with hook_client(db) as app:
        body = fixture("reddit", "inbox__comment_reply.json")
        assert app.post(f"/hooks/reddit/{loaded.id}", content=body).status_code == 401
        assert app.get(f"/hooks/reddit/{loaded.id}").status_code == 405
    assert stored(db) == []
