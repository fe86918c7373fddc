"""The Reddit connector's decisions that need no network: what it refuses before asking Reddit, how it
reads Reddit's waits, its cursors, and what it tells the rest of SocialDesk about itself."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
import pytest

from socialdesk.channels import connector, network
from socialdesk.channels.base import Account, HookRequest
from socialdesk.channels.reddit.fetching import Cursor
from socialdesk.channels.reddit.sending import _wait
from socialdesk.core.errors import ChannelError, PermanentSendError, SignatureError
from socialdesk.core.types import OutboundMessage

REDDIT = connector("reddit")
ACCOUNT = Account(
    handle="AcmeAirSupport",
    credentials={"client_id": "id", "client_secret": "s", "password": "p"},
    settings={"api_base": "http://127.0.0.1:9", "auth_base": "http://127.0.0.1:9"},
)


def no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the connector asked Reddit: {request.method} {request.url}")


@pytest.fixture
def offline() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(no_network))


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (OutboundMessage("reddit", "hi", False, "k", in_reply_to="t4_2w8k1pq"), "answers neither"),
        (OutboundMessage("reddit", "hi", False, "k"), "answers neither"),
        (OutboundMessage("reddit", "   ", False, "k", in_reply_to="t1_a"), "empty"),
        (OutboundMessage("reddit", "x" * 10_001, False, "k", in_reply_to="t1_a"), "10000 characters"),
        (OutboundMessage("reddit", "hi", True, "k", in_reply_to="t1_a"), "username"),
    ],
)
def test_replies_refused_before_asking_reddit(
    offline: httpx.Client, message: OutboundMessage, reason: str
) -> None:
    with pytest.raises(PermanentSendError, match=reason):
        REDDIT.send(offline, ACCOUNT, message)


@pytest.mark.parametrize(
    ("action", "fullname", "reason"),
    [
        ("like", "t4_2w8k1pq", "cannot like a private message"),
        ("hide", "t4_2w8k1pq", "cannot hide a private message"),
        ("like", "t2_8k2l9x1f", "not a Reddit comment, post or message"),
        ("like", "m8x2k4q", "not a Reddit comment, post or message"),
    ],
)
def test_actions_reddit_cannot_do_are_refused(
    offline: httpx.Client, action: str, fullname: str, reason: str
) -> None:
    with pytest.raises(PermanentSendError, match=reason):
        REDDIT.act(offline, ACCOUNT, action, fullname)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "text", "seconds"),
    [
        ({}, "you are doing that too much. try again in 5 minutes.", 300),
        ({}, "You are doing that too much. Try again in 6 seconds.", 6),
        ({}, "You are doing that too much. Try again in 1 minute.", 60),
        ({}, "Looks like you've been doing that a lot. Take a break for 2 hours before trying again.", 7200),
        ({"ratelimit": 293.512}, "try again in 5 minutes.", 293.512),
        ({}, "Try again shortly.", 60),
        ({}, "try again in 900 milliseconds", 1),
    ],
)
def test_how_long_a_ratelimit_error_asks_to_wait(
    answer: dict[str, object], text: str, seconds: float
) -> None:
    assert _wait(answer, text) == timedelta(seconds=seconds)


def test_cursors_round_trip_and_a_foreign_one_reads_afresh() -> None:
    cursor = Cursor("t1_m8z4h1r", 1796073450.0)
    assert Cursor.load(cursor.dump()) == cursor
    assert Cursor.load('{"name": null, "at": 5}') == Cursor(None, 5.0)
    for foreign in (None, "", "t1_m8z4h1r", "[]", '{"at": "soon"}', '{"name": "t1_a"}', "{"):
        assert Cursor.load(foreign) is None


def test_a_source_reddit_does_not_have_is_an_error(offline: httpx.Client) -> None:
    with pytest.raises(ChannelError, match="no source 'mentions'"):
        REDDIT.fetch(offline, ACCOUNT, "mentions", None)


def test_subreddit_names_are_checked_before_they_go_into_a_path(offline: httpx.Client) -> None:
    account = Account("AcmeAirSupport", settings={"subreddits": ["AcmeAir", "../api/v1/me"]})
    with pytest.raises(ChannelError, match="not a subreddit name"):
        REDDIT.fetch(offline, account, "subreddits", None)


def test_a_search_longer_than_reddit_takes_is_an_error(offline: httpx.Client) -> None:
    account = Account("AcmeAirSupport", settings={"queries": ["acme air " * 60]})
    with pytest.raises(ChannelError, match="Reddit takes 512"):
        REDDIT.fetch(offline, account, "search", None)


def test_reddit_sends_no_webhooks() -> None:
    request = HookRequest("POST", {}, {}, b"{}")
    assert REDDIT.handshake(request, ACCOUNT) is None
    with pytest.raises(SignatureError, match="no webhooks"):
        REDDIT.verify(request, ACCOUNT)


def test_what_the_connector_says_about_reddit() -> None:
    assert REDDIT.network == "reddit"
    assert REDDIT.limits.max_text == REDDIT.limits.max_private_text == network("reddit").max_text_length
    assert REDDIT.limits.actions == ("like", "hide", "unhide", "delete")
    assert REDDIT.sources == ("inbox", "search", "subreddits", "subreddit_posts")
    fields = {f.name: f for f in REDDIT.credential_fields}
    assert [name for name, f in fields.items() if f.required] == ["client_id"]
    assert fields["password"].secret
    assert fields["refresh_token"].secret
    assert not fields["user_agent"].secret
