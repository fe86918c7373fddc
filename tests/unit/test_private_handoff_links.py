"""The hand-off's signed links, sign-in code digests, addresses and the public reply's template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialdesk.core.errors import InvalidAction
from socialdesk.pipeline.handoff_links import LinkClaims, LinkExpired, LinkInvalid, sign_link, verify_link
from socialdesk.pipeline.handoffs import check_template
from socialdesk.pipeline.oidc import OidcError, Pending, open_pending, seal_pending
from socialdesk.pipeline.sign_in_codes import code_digest, normalise_address

KEY = b"unit-test-secret-key-0123456789"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CLAIMS = LinkClaims(42, NOW + timedelta(hours=72), "n0nce-abcdEF")


def test_a_signed_link_verifies_to_its_claims() -> None:
    token = sign_link(KEY, CLAIMS)
    assert verify_link(KEY, token, NOW) == CLAIMS
    assert len(token) < 70  # short enough for a post on any network


@pytest.mark.parametrize("part", range(4))
def test_changing_any_part_of_a_link_breaks_it(part: int) -> None:
    pieces = sign_link(KEY, CLAIMS).split(".")
    original = pieces[part]
    pieces[part] = (
        str(int(original) + 1)
        if original.isdigit()
        else original[:-1] + ("A" if original[-1] != "A" else "B")
    )
    with pytest.raises(LinkInvalid):
        verify_link(KEY, ".".join(pieces), NOW)


def test_a_link_made_with_another_key_is_invalid() -> None:
    with pytest.raises(LinkInvalid):
        verify_link(b"another-secret-key-0123456789", sign_link(KEY, CLAIMS), NOW)


@pytest.mark.parametrize(
    "token",
    ["", "x", "1.2.3", "0.1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAA", "1.2.abcdefgh.AAAA=AAAAAAAAAAAAAAAAAAA"],
)
def test_malformed_links_are_invalid(token: str) -> None:
    with pytest.raises(LinkInvalid):
        verify_link(KEY, token, NOW)


def test_a_link_expires() -> None:
    token = sign_link(KEY, CLAIMS)
    assert verify_link(KEY, token, CLAIMS.expires_at - timedelta(seconds=1)) == CLAIMS
    with pytest.raises(LinkExpired):
        verify_link(KEY, token, CLAIMS.expires_at)


def test_a_code_digest_is_keyed_and_bound_to_hand_off_and_address() -> None:
    digest = code_digest(KEY, 1, "ana@example.com", "123456")
    assert len(digest) == 64
    assert "123456" not in digest
    assert digest == code_digest(KEY, 1, "ana@example.com", "123456")
    assert digest != code_digest(KEY, 2, "ana@example.com", "123456")
    assert digest != code_digest(KEY, 1, "bea@example.com", "123456")
    assert digest != code_digest(KEY, 1, "ana@example.com", "123457")
    assert digest != code_digest(b"another-secret-key-0123456789", 1, "ana@example.com", "123456")


def test_addresses_are_normalised_or_refused() -> None:
    assert normalise_address("  Ana.Ribeiro@Example.COM ") == "ana.ribeiro@example.com"
    for bad in ("", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "x" * 320 + "@e.com"):
        with pytest.raises(InvalidAction):
            normalise_address(bad)


def test_the_public_reply_template_holds_the_link_once_and_nothing_else() -> None:
    assert check_template("  Sorry!\nContinue here:   {link} ") == "Sorry! Continue here: {link}"
    for bad in ("no link", "{link} {link}", "Hi {name}: {link}", "x" * 200 + "{link}"):
        with pytest.raises(InvalidAction):
            check_template(bad)


def test_a_pending_sign_in_opens_only_with_its_state_and_in_time() -> None:
    pending = Pending("1.2.nonce123.mac", "the-state", "the-nonce", "the-verifier")
    sealed = seal_pending(KEY, pending, NOW)
    assert open_pending(KEY, sealed, "the-state", NOW + timedelta(minutes=9)) == pending
    with pytest.raises(OidcError, match="not started here"):
        open_pending(KEY, sealed, "another-state", NOW)
    with pytest.raises(OidcError, match="too long"):
        open_pending(KEY, sealed, "the-state", NOW + timedelta(minutes=11))
    payload, _, mac = sealed.partition(".")
    other = "A" if mac[-1] != "A" else "B"
    for forged in (f"{payload}x.{mac}", f"{payload}.{mac[:-1]}{other}", "", payload):
        with pytest.raises(OidcError, match="not started here"):
            open_pending(KEY, forged, "the-state", NOW)
    with pytest.raises(OidcError):
        open_pending(b"another-secret-key-0123456789", sealed, "the-state", NOW)
