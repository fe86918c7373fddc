"""The signed link of a hand-off: `/private/<id>.<expires>.<nonce>.<mac>`.

The MAC is an HMAC-SHA256 (truncated to 144 bits) keyed from the app secret, so a link cannot be made
up, and its expiry cannot be moved without breaking it. The nonce is stored on the hand-off: renewing
a hand-off changes it, which voids every older link. Checking the signature comes first and is
constant-time; only then is the expiry read, so a tampered link is always reported as invalid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from socialdesk.core.errors import SocialDeskError

_PURPOSE = b"socialdesk/private-handoff-link/v1"
_MAC_BYTES = 18
_TOKEN = re.compile(r"([1-9][0-9]{0,17})\.([0-9]{1,12})\.([A-Za-z0-9_-]{8,32})\.([A-Za-z0-9_-]{24})")


class LinkRefused(SocialDeskError):
    """A private link that cannot be used; the message is safe to show to anybody."""

    status = 400


class LinkInvalid(LinkRefused):
    status = 404


class LinkExpired(LinkRefused):
    status = 410


class LinkWithdrawn(LinkRefused):
    """The support team withdrew the link by hand."""

    status = 410

    def __init__(self) -> None:
        super().__init__(
            "This link was withdrawn. If you still need help, write to us again where you first did."
        )


class LinkTaken(LinkRefused):
    """Somebody else already verified through this link."""

    status = 403


@dataclass(frozen=True, slots=True)
class LinkClaims:
    handoff_id: int
    expires_at: datetime
    nonce: str


def _mac(key: bytes, payload: str) -> str:
    subkey = hmac.new(key, _PURPOSE, hashlib.sha256).digest()
    mac = hmac.new(subkey, payload.encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def sign_link(key: bytes, claims: LinkClaims) -> str:
    payload = f"{claims.handoff_id}.{int(claims.expires_at.timestamp())}.{claims.nonce}"
    return f"{payload}.{_mac(key, payload)}"


def verify_link(key: bytes, token: str, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token; LinkInvalid or LinkExpired otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise LinkInvalid("This link is not valid. Check that it was copied whole.")
    handoff_id, expires, nonce, mac = match.groups()
    if not hmac.compare_digest(_mac(key, f"{handoff_id}.{expires}.{nonce}"), mac):
        raise LinkInvalid("This link is not valid. Check that it was copied whole.")
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if expires_at <= now:
        raise LinkExpired(
            "This link has expired. Write to us again where you first did and we will send a new one."
        )
    return LinkClaims(int(handoff_id), expires_at, nonce)
