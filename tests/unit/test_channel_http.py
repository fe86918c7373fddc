"""How network answers become SocialDesk errors: rate-limit headers of every network, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest

from socialdesk.channels.http import check, error_text, retry_at
from socialdesk.core.errors import CredentialsError, PermanentSendError, RateLimited, TemporaryError

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def response(status: int, headers: dict[str, str] | None = None, body: object = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers or {})
    return httpx.Response(status, headers=headers or {}, json=body)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"x-rate-limit-reset": str(int((NOW + timedelta(minutes=15)).timestamp()))},
            NOW + timedelta(minutes=15),
        ),
        ({"x-ratelimit-reset": "42"}, NOW + timedelta(seconds=42)),  # Reddit: seconds to wait
        ({"x-ratelimit-reset": "2026-12-01T12:05:00.000Z"}, NOW + timedelta(minutes=5)),  # Mastodon
        (
            {"ratelimit-reset": str(int((NOW + timedelta(seconds=90)).timestamp()))},
            NOW + timedelta(seconds=90),
        ),
        ({"retry-after": "120"}, NOW + timedelta(seconds=120)),
        ({"retry-after": "Tue, 01 Dec 2026 12:10:00 GMT"}, NOW + timedelta(minutes=10)),
        ({"retry-after": "30", "x-rate-limit-reset": "1"}, NOW + timedelta(seconds=30)),  # Retry-After first
    ],
)
def test_the_wait_comes_from_whichever_header_the_network_sends(
    headers: dict[str, str], expected: datetime
) -> None:
    assert retry_at(response(429, headers), NOW) == expected


def test_a_429_without_a_time_waits_a_minute_and_a_reset_in_the_past_one_second() -> None:
    assert retry_at(response(429), NOW) == NOW + timedelta(seconds=60)
    assert retry_at(response(429, {"x-rate-limit-reset": "1700000000"}), NOW) == NOW + timedelta(seconds=1)
    assert retry_at(response(429, {"retry-after": "nonsense"}), NOW) == NOW + timedelta(seconds=60)


def test_a_reset_days_away_is_capped_at_a_day() -> None:
    far = str(int((NOW + timedelta(days=30)).timestamp()))
    assert retry_at(response(429, {"x-rate-limit-reset": far}), NOW) == NOW + timedelta(hours=24)


def test_answers_map_onto_the_exception_tree() -> None:
    check(response(200), "X")
    check(response(201), "X")
    with pytest.raises(RateLimited):
        check(response(429, {"retry-after": "5"}), "X")
    with pytest.raises(TemporaryError, match="503"):
        check(response(503), "X")
    with pytest.raises(CredentialsError, match="401"):
        check(response(401, body={"title": "Unauthorized"}), "X")
    with pytest.raises(PermanentSendError, match="duplicate content") as refused:
        check(
            response(400, body={"detail": "You are not allowed to create a Tweet with duplicate content."}),
            "X",
        )
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"detail": "Too Many Requests", "title": "x"}, "Too Many Requests"),  # X API v2
        ({"errors": [{"message": "Rate limit exceeded", "code": 88}]}, "Rate limit exceeded"),  # X v1.1
        (
            {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}},
            "(#100) Invalid parameter",
        ),  # Meta
        ({"error": "Record not found"}, "Record not found"),  # Mastodon
        (
            {"error": "InvalidRequest", "message": "Input/text must not be longer than 300 graphemes"},
            "Input/text must not be longer than 300 graphemes",
        ),  # Bluesky
        (
            {"json": {"errors": [["TOO_LONG", "this is too long (max: 10000)", "text"]]}},
            "TOO_LONG: this is too long (max: 10000)",
        ),  # Reddit
    ],
)
def test_the_networks_own_explanation_is_kept(body: object, message: str) -> None:
    assert error_text(response(400, body=body)) == message


def test_a_body_that_is_not_json_is_shown_short() -> None:
    assert error_text(httpx.Response(502, text="<html>" + "x" * 1000)).startswith("<html>")
    assert len(error_text(httpx.Response(502, text="<html>" + "x" * 1000))) <= 300
