"""Meta's handshake, signatures, refusals and limits, without a network: what each answer means."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest

from socialdesk.channels.base import Account, HookRequest
from socialdesk.channels.meta import FACEBOOK, INSTAGRAM
from socialdesk.channels.meta.graph import THROTTLE_WAIT, Graph, check, explain, regain_access_at
from socialdesk.core.errors import (
    ChannelError,
    CredentialsError,
    InvalidAction,
    PayloadError,
    PermanentSendError,
    RateLimited,
    SignatureError,
    TemporaryError,
)
from socialdesk.core.types import OutboundMessage
from tests.channels import fixture
from tests.stand_ins.meta import APP_SECRET, TOKEN, VERIFY_TOKEN, error, signature

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PAGE = "104887671234567"
CREDENTIALS = {
    "page_access_token": TOKEN,
    "access_token": TOKEN,
    "app_secret": APP_SECRET,
    "verify_token": VERIFY_TOKEN,
}
ACCOUNT = Account(handle="AcmeAir", external_id=PAGE, credentials=CREDENTIALS)


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return (
        httpx.Response(status, json=body, headers=headers or {})
        if body is not None
        else httpx.Response(status)
    )


def raised(answer: httpx.Response) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        check(answer, "Facebook")
    return caught.value


# -- refusals ------------------------------------------------------------------------------------------


def test_a_business_use_case_throttle_waits_as_long_as_meta_estimates() -> None:
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 30,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    answer = response(
        400,
        json.loads(fixture("meta", "graph__error_rate_limited.json")),
        {"x-business-use-case-usage": json.dumps(usage)},
    )
    assert regain_access_at(answer, NOW) == NOW + timedelta(minutes=7)
    error_raised = raised(answer)
    assert isinstance(error_raised, RateLimited)
    assert "too many calls to this Page account" in str(error_raised)
    assert "code 80001" in str(error_raised)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002, 80006])
def test_throttling_codes_are_rate_limits_whatever_the_status(code: int) -> None:
    for status in (400, 403):
        assert isinstance(raised(response(status, error(f"(#{code}) Too many calls", code))), RateLimited)


def test_a_throttle_naming_no_time_waits_five_minutes_and_a_429_honours_retry_after() -> None:
    app_usage = {"call_count": 100, "total_cputime": 20, "total_time": 35}
    quiet = response(
        400, error("(#4) Application request limit reached", 4), {"x-app-usage": json.dumps(app_usage)}
    )
    assert regain_access_at(quiet, NOW) == NOW + THROTTLE_WAIT
    assert regain_access_at(response(429, {}, {"retry-after": "90"}), NOW) == NOW + timedelta(seconds=90)
    page_usage = {"call_count": 98, "estimated_time_to_regain_access": 3}
    assert regain_access_at(
        response(400, {}, {"x-page-usage": json.dumps(page_usage)}), NOW
    ) == NOW + timedelta(minutes=3)
    assert (
        regain_access_at(response(400, {}, {"x-business-use-case-usage": "not json"}), NOW)
        == NOW + THROTTLE_WAIT
    )


def test_an_expired_token_is_a_credentials_error() -> None:
    expired = response(400, json.loads(fixture("meta", "graph__error_token_expired.json")))
    found = raised(expired)
    assert isinstance(found, CredentialsError)
    assert "Session has expired" in str(found)
    assert isinstance(raised(response(401)), CredentialsError)
    assert isinstance(raised(response(403)), CredentialsError)


def test_passing_failures_are_temporary() -> None:
    assert isinstance(raised(response(500, error("An unexpected error has occurred.", 2))), TemporaryError)
    transient = error("Service temporarily unavailable", 1)
    transient["error"]["is_transient"] = True
    assert isinstance(raised(response(400, transient)), TemporaryError)
    assert isinstance(raised(response(503)), TemporaryError)


def test_other_refusals_are_permanent_with_metas_own_sentence() -> None:
    outside = error(
        "(#10) This message is sent outside of allowed window.", 10, 2018278, kind="OAuthException"
    )
    found = raised(response(400, outside))
    assert isinstance(found, PermanentSendError)
    assert found.status == 400
    assert "outside of allowed window" in str(found)
    assert "subcode 2018278" in str(found)
    assert explain(response(400, {"error": {"message": "(#100) Invalid parameter", "code": 100}})) == (
        "(#100) Invalid parameter (code 100)"
    )
    assert isinstance(raised(response(403, error("(#200) Permissions error", 200))), PermanentSendError)


# -- the handshake and signatures ------------------------------------------------------------------------


def hook(
    method: str = "POST", query: dict[str, str] | None = None, body: bytes = b"", **headers: str
) -> HookRequest:
    return HookRequest(method, {k.replace("_", "-"): v for k, v in headers.items()}, query or {}, body)


def test_the_subscription_check_answers_the_challenge_only_to_the_right_token() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    reply = FACEBOOK.handshake(hook("GET", query), ACCOUNT)
    assert reply is not None
    assert (reply.status, reply.body, reply.media_type) == (200, "1158201444", "text/plain")
    wrong = FACEBOOK.handshake(hook("GET", {**query, "hub.verify_token": "guess"}), ACCOUNT)
    assert wrong is not None
    assert wrong.status == 403
    unset = Account(handle="AcmeAir", credentials={"app_secret": APP_SECRET})
    refused = INSTAGRAM.handshake(hook("GET", {**query, "hub.verify_token": ""}), unset)
    assert refused is not None
    assert refused.status == 403
    assert FACEBOOK.handshake(hook("POST", query), ACCOUNT) is None
    assert FACEBOOK.handshake(hook("GET"), ACCOUNT) is None


def test_only_a_body_signed_with_the_app_secret_passes() -> None:
    body = fixture("meta", "page_feed__comment_add.json")
    FACEBOOK.verify(hook(body=body, x_hub_signature_256=signature(body)), ACCOUNT)
    FACEBOOK.verify(
        hook(body=body, x_hub_signature_256=signature(body).upper().replace("SHA256=", "sha256=")), ACCOUNT
    )
    tampered = fixture("meta", "webhook__tampered.json")
    with pytest.raises(SignatureError, match="does not match"):
        FACEBOOK.verify(hook(body=tampered, x_hub_signature_256=signature(body)), ACCOUNT)
    with pytest.raises(SignatureError, match="has no"):
        FACEBOOK.verify(hook(body=body, x_hub_signature="sha1=0b3f3d2a"), ACCOUNT)
    with pytest.raises(SignatureError, match="does not match"):
        FACEBOOK.verify(hook(body=body, x_hub_signature_256=signature(body, "another app's secret")), ACCOUNT)
    with pytest.raises(SignatureError, match="no app secret"):
        FACEBOOK.verify(hook(body=body, x_hub_signature_256=signature(body)), Account(handle="AcmeAir"))


# -- what is refused before anything is sent -------------------------------------------------------------


def offline(handler: Callable[[httpx.Request], httpx.Response] | None = None) -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing should have been sent: {request.url}")

    return httpx.Client(transport=httpx.MockTransport(handler or refuse))


def message(text: str, private: bool, network: str = "facebook") -> OutboundMessage:
    return OutboundMessage(
        network=network,
        text=text,
        private=private,
        idempotency_key="k1",
        in_reply_to=None if private else "122148853012345678_1187465523409876",
        conversation_key=f"{PAGE}:6651827394021873" if private else None,
    )


@pytest.mark.parametrize(
    ("network", "text", "private", "reason"),
    [
        (FACEBOOK, "x" * 2001, True, "2000 characters in a direct message"),
        (FACEBOOK, "x" * 8001, False, "8000 characters in a comment"),
        (INSTAGRAM, "x" * 2201, False, "2200 characters in a comment"),
        (INSTAGRAM, "x" * 1001, True, "1000 characters in a direct message"),
        (INSTAGRAM, "\u2708\ufe0f" * 200, True, "1000 bytes of UTF-8"),  # 400 characters, 1200 bytes
    ],
)
def test_replies_over_the_limit_are_refused_before_sending(
    network: Any, text: str, private: bool, reason: str
) -> None:
    with offline() as http, pytest.raises(PermanentSendError, match=reason):
        network.send(http, ACCOUNT, message(text, private, network.network))


def test_a_reply_needs_what_it_answers_and_a_channel_needs_its_token() -> None:
    with offline() as http:
        with pytest.raises(PermanentSendError, match="answers none"):
            FACEBOOK.send(http, ACCOUNT, OutboundMessage("facebook", "hi", False, "k2"))
        with pytest.raises(PermanentSendError, match="names no recipient"):
            FACEBOOK.send(http, ACCOUNT, OutboundMessage("facebook", "hi", True, "k3"))
        with pytest.raises(CredentialsError, match="no access token"):
            FACEBOOK.send(http, Account(handle="AcmeAir"), message("hi", False))
        with pytest.raises(InvalidAction, match="like"):
            INSTAGRAM.act(http, ACCOUNT, "like", "17998765432109876")


def test_every_call_carries_the_token_in_a_header_and_the_appsecret_proof() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": PAGE, "name": "Acme Air"})

    with offline(answer) as http:
        assert FACEBOOK.check(http, ACCOUNT) == "Acme Air"
    [request] = seen
    assert request.url.host == "graph.facebook.com"
    assert request.url.path == f"/v26.0/{PAGE}"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(request.url)
    assert request.url.params["appsecret_proof"] == Graph.of(ACCOUNT, "page_access_token", "Facebook").proof
    unsigned = Account(handle="AcmeAir", credentials=CREDENTIALS, settings={"appsecret_proof": "off"})
    assert Graph.of(unsigned, "page_access_token", "Facebook").proof is None
    versioned = Account(
        handle="x",
        credentials=CREDENTIALS,
        settings={"api_base": "https://graph.instagram.com/", "graph_version": "v25.0"},
    )
    assert (
        Graph.of(versioned, "access_token", "Instagram").url("me") == "https://graph.instagram.com/v25.0/me"
    )


def test_a_write_that_names_no_id_is_not_taken_for_a_success() -> None:
    confirmed = offline(lambda request: httpx.Response(200, json={"success": True}))
    with confirmed as http, pytest.raises(PayloadError, match="named no id"):
        FACEBOOK.send(http, ACCOUNT, message("Thanks!", False))
    unconfirmed = offline(lambda request: httpx.Response(200, json={"success": False}))
    with unconfirmed as http, pytest.raises(PermanentSendError, match="did not confirm"):
        FACEBOOK.act(http, ACCOUNT, "hide", "122148853012345678_1187465523409876")
