"""Signing a customer in with an OpenID Connect provider: the authorization-code flow with PKCE.

1. `discover` reads the provider's metadata from its discovery URL.
2. `start` makes the state, nonce and PKCE verifier, and the address to send the browser to. The
   three secrets travel in a signed, short-lived cookie (the web layer's), never in the database.
3. `finish` exchanges the code at the token endpoint (client_secret_basic), then checks the ID token:
   an RS256 signature by a key of the provider's JWKS, `iss`, `aud` (and `azp`), `exp`, `iat` and the
   nonce. Only then is `<issuer>|<sub>` taken as the customer's verified subject.

Network calls happen here, outside any database transaction; every failure is an OidcError whose
message can be shown to the customer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx2 as httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from socialdesk.core.errors import SocialDeskError

METHOD = "oidc"
CLOCK_SKEW = timedelta(minutes=2)


class OidcError(SocialDeskError):
    status = 400


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True, slots=True)
class Started:
    url: str  # where to send the browser
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True, slots=True)
class Verified:
    subject: str  # "<issuer>|<sub>"
    email: str | None  # only when the provider says it verified it


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise OidcError("the provider's answer is not readable") from exc


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise OidcError(f"the sign-in provider refused the {what} ({response.status_code})")
    try:
        body = response.json()
    except ValueError as exc:
        raise OidcError(f"the sign-in provider's {what} is not JSON") from exc
    if not isinstance(body, dict):
        raise OidcError(f"the sign-in provider's {what} is not a JSON object")
    return body


def _get(http: httpx.Client, url: str, what: str) -> dict[str, Any]:
    try:
        return _json(http.get(url, headers={"Accept": "application/json"}), what)
    except httpx.HTTPError as exc:
        raise OidcError(f"the sign-in provider cannot be reached ({type(exc).__name__})") from exc


def discover(http: httpx.Client, discovery_url: str) -> Provider:
    meta = _get(http, discovery_url, "discovery document")
    fields = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    values = [meta.get(name) for name in fields]
    if not all(isinstance(v, str) and v.startswith(("https://", "http://")) for v in values):
        raise OidcError("the sign-in provider's discovery document lacks its endpoints")
    return Provider(*(str(v) for v in values))


def start(provider: Provider, client_id: str, redirect_uri: str) -> Started:
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return Started(f"{provider.authorization_endpoint}{separator}{query}", state, nonce, verifier)


def finish(
    http: httpx.Client,
    provider: Provider,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    nonce: str,
    now: datetime,
) -> Verified:
    try:
        response = http.post(
            provider.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(client_id, client_secret),
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise OidcError(f"the sign-in provider cannot be reached ({type(exc).__name__})") from exc
    id_token = _json(response, "token answer").get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("the sign-in provider sent no ID token")
    claims = verify_id_token(http, provider, id_token, client_id, nonce, now)
    email = claims.get("email") if claims.get("email_verified") is True else None
    return Verified(f"{provider.issuer}|{claims['sub']}", email if isinstance(email, str) else None)


def verify_id_token(
    http: httpx.Client, provider: Provider, token: str, client_id: str, nonce: str, now: datetime
) -> dict[str, Any]:
    """The ID token's claims, once its signature and claims are checked (OIDC Core 3.1.3.7)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise OidcError("the ID token is malformed")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise OidcError("the ID token is malformed") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise OidcError("the ID token is malformed")
    if header.get("alg") != "RS256":  # never "none", never a symmetric algorithm keyed by a public key
        raise OidcError("the ID token is not signed with RS256")
    key = _signing_key(http, provider, header.get("kid"))
    try:
        key.verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise OidcError("the ID token's signature does not match") from None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("iss") != provider.issuer:
        raise OidcError("the ID token comes from another issuer")
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise OidcError("the ID token is meant for another client")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int) or expires <= (now - CLOCK_SKEW).timestamp():
        raise OidcError("the ID token has expired")
    if not isinstance(issued, int) or issued > (now + CLOCK_SKEW).timestamp():
        raise OidcError("the ID token is issued in the future")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise OidcError("the ID token does not belong to this sign-in")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError("the ID token names no subject")
    return claims


def _signing_key(http: httpx.Client, provider: Provider, kid: Any) -> rsa.RSAPublicKey:
    keys = _get(http, provider.jwks_uri, "key set").get("keys")
    if not isinstance(keys, list):
        raise OidcError("the sign-in provider's key set is malformed")
    for jwk in keys:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        if kid is not None and jwk.get("kid") != kid:
            continue
        n, e = jwk.get("n"), jwk.get("e")
        if isinstance(n, str) and isinstance(e, str):
            numbers = rsa.RSAPublicNumbers(int.from_bytes(_unb64(e), "big"), int.from_bytes(_unb64(n), "big"))
            return numbers.public_key()
    raise OidcError("the ID token is signed with a key the provider does not publish")


STATE_MINUTES = 10
_STATE_PURPOSE = b"socialdesk/oidc-state/v1"


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in under way, kept in the browser between leaving for the provider and coming back."""

    link_token: str
    state: str
    nonce: str
    verifier: str


def _state_mac(key: bytes, payload: str) -> str:
    subkey = hmac.new(key, _STATE_PURPOSE, hashlib.sha256).digest()
    return _b64(hmac.new(subkey, payload.encode(), hashlib.sha256).digest())


def seal_pending(key: bytes, pending: Pending, now: datetime) -> str:
    expires = int((now + timedelta(minutes=STATE_MINUTES)).timestamp())
    body = [pending.link_token, pending.state, pending.nonce, pending.verifier, expires]
    payload = _b64(json.dumps(body).encode())
    return f"{payload}.{_state_mac(key, payload)}"


def open_pending(key: bytes, sealed: str, state: str, now: datetime) -> Pending:
    """The sign-in this browser started, if the cookie is ours, fresh, and `state` is its state."""
    payload, _, mac = sealed.partition(".")
    if not payload or not hmac.compare_digest(_state_mac(key, payload), mac):
        raise OidcError("This sign-in was not started here. Open your link again and retry.")
    try:
        link_token, expected, nonce, verifier, expires = json.loads(_unb64(payload))
    except (ValueError, TypeError) as exc:
        raise OidcError("This sign-in was not started here. Open your link again and retry.") from exc
    if not isinstance(expires, int) or expires <= now.timestamp():
        raise OidcError("This sign-in took too long. Open your link again and retry.")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, state):
        raise OidcError("This sign-in was not started here. Open your link again and retry.")
    return Pending(str(link_token), expected, str(nonce), str(verifier))
