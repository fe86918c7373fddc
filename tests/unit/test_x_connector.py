"""The X connector's parts that need no network: webhook CRC and signatures, stream backoff, cursors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.base import Account, HookRequest, Streaming
from socialdesk.channels.x.fetching import _State
from socialdesk.channels.x.streaming import StreamDropped
from socialdesk.core.errors import ChannelError, CredentialsError, RateLimited, SignatureError, TemporaryError
from tests.channels import fixture

X = connector("x")
assert isinstance(X, Streaming)
STREAMING: Streaming = X
SECRET = "consumer-secret-for-tests"
ACCOUNT = Account(
    handle="AcmeHelp", external_id="1354201776402341890", credentials={"consumer_secret": SECRET}
)


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def request(
    method: str, body: bytes = b"", headers: dict[str, str] | None = None, **query: str
) -> HookRequest:
    return HookRequest(method=method, headers=headers or {}, query=query, body=body)


def test_the_connector_is_registered_and_streams() -> None:
    assert X.network == "x"
    assert isinstance(X, Streaming)
    assert X.stream_sources == ("filtered",)
    assert X.sources == ("mentions", "search", "dms")
    assert X.limits.max_text == NETWORKS["x"].max_text_length == 280
    assert {"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"} <= set(X.limits.media)
    assert X.limits.max_media == 4
    assert set(X.limits.actions) == {"like", "hide", "unhide", "delete"}
    assert [f.name for f in X.credential_fields] == ["access_token", "bearer_token", "consumer_secret"]


def test_crc_answer_is_the_base64_hmac_of_the_token() -> None:
    reply = X.handshake(request("GET", crc_token="9b4507b3-8b5d-4a0c-b3c2-5c1b6d3a1f00"), ACCOUNT)
    assert reply is not None
    assert reply.status == 200
    assert reply.media_type == "application/json"
    digest = hmac.new(SECRET.encode(), b"9b4507b3-8b5d-4a0c-b3c2-5c1b6d3a1f00", hashlib.sha256).digest()
    assert json.loads(reply.body) == {"response_token": "sha256=" + base64.b64encode(digest).decode()}


def test_a_delivery_is_no_handshake() -> None:
    assert X.handshake(request("POST", b"{}"), ACCOUNT) is None
    assert X.handshake(request("GET"), ACCOUNT) is None


def test_signature_of_the_raw_body_is_accepted() -> None:
    body = fixture("x", "aaa__tweet_create.json")
    X.verify(request("POST", body, {"x-twitter-webhooks-signature": signature(body)}), ACCOUNT)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-twitter-webhooks-signature": ""},
        {"x-twitter-webhooks-signature": "sha256=AAAA"},
        {"x-twitter-webhooks-signature": signature(fixture("x", "aaa__tweet_create.json"), "another-secret")},
        {
            "x-twitter-webhooks-signature": signature(fixture("x", "aaa__tweet_create.json"))
        },  # of another body
    ],
)
def test_a_bad_or_missing_signature_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        X.verify(request("POST", fixture("x", "aaa__tampered.json"), headers), ACCOUNT)


def test_without_a_consumer_secret_nothing_is_accepted() -> None:
    bare = Account(handle="AcmeHelp", external_id="1354201776402341890")
    body = b"{}"
    with pytest.raises(SignatureError, match="no consumer secret"):
        X.verify(request("POST", body, {"x-twitter-webhooks-signature": signature(body)}), bare)
    with pytest.raises(SignatureError):
        X.handshake(request("GET", crc_token="abc"), bare)


def test_reconnect_delays_follow_x_guidance() -> None:
    network = StreamDropped("dropped")
    assert [STREAMING.reconnect_delay(network, n) for n in (1, 2, 3, 5)] == [
        0.0,
        0.25,
        0.5,
        1.0,
    ]  # at once, then linear
    assert STREAMING.reconnect_delay(network, 500) == 16.0
    assert STREAMING.reconnect_delay(ConnectionError("stream ended"), 1) == 0.0
    http = TemporaryError("X's filtered stream answered 503")
    assert [STREAMING.reconnect_delay(http, n) for n in (1, 2, 3)] == [5.0, 10.0, 20.0]
    assert STREAMING.reconnect_delay(http, 40) == 320.0
    assert STREAMING.reconnect_delay(CredentialsError("401"), 2) == 10.0
    limited = RateLimited("429", datetime.now(UTC))
    assert [STREAMING.reconnect_delay(limited, n) for n in (1, 2, 3)] == [60.0, 120.0, 240.0]
    assert STREAMING.reconnect_delay(limited, 30) == 900.0


def test_cursor_states_round_trip() -> None:
    assert _State.load(None) == _State()
    assert _State.load("2123691325784893907") == _State(since_id="2123691325784893907")
    running = _State(since_id="1", next="7140dw", newest="9", query="abc")
    assert _State.load(running.dump()) == running
    assert _State.load("{not json") == _State()
    assert _State.load('["a"]') == _State()


def test_fetch_needs_the_brand_user_id_and_a_known_source() -> None:
    bare = Account(handle="AcmeHelp", credentials={"access_token": "t"})
    with pytest.raises(CredentialsError, match="user id"):
        X.fetch(None, bare, "mentions", None)  # type: ignore[arg-type]
    with pytest.raises(ChannelError, match="no source called"):
        X.fetch(None, ACCOUNT, "home", None)  # type: ignore[arg-type]
