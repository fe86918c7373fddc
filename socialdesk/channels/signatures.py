"""Webhook signatures: HMAC digests compared in constant time, so a forger learns nothing from timing."""

from __future__ import annotations

import base64
import hashlib
import hmac

from socialdesk.core.errors import SignatureError


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def require(given: str | None, expected: str, what: str) -> None:
    """Raise SignatureError unless `given` equals `expected` (both ASCII text)."""
    if not given:
        raise SignatureError(f"the request has no {what}")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise SignatureError(f"the {what} does not match the body")


def sha256_hex(secret: str, body: bytes) -> str:
    return hmac_sha256(secret, body).hex()


def sha256_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac_sha256(secret, body)).decode()
