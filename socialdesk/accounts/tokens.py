"""Opaque bearer secrets (session cookies, API tokens) and the keyed digests stored in their place."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(key: bytes, secret: str) -> str:
    """What the database keeps: a leaked table alone does not let anyone sign in."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
