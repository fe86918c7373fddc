"""A small OpenID Connect provider: discovery, an authorization endpoint that signs the configured
person in at once, a token endpoint (client_secret_basic, PKCE S256) issuing RS256 ID tokens, and its
JWKS. `tamper` makes the next ID tokens wrong in one way, to test that the client refuses them."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "socialdesk-test"
CLIENT_SECRET = "oidc-client-secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class OidcStandIn:
    def __init__(self, subject: str = "user-4711", email: str = "ana@example.com") -> None:
        self.base = ""
        self.subject = subject
        self.email = email
        self.tamper: str | None = None  # "signature", "audience", "nonce", "issuer", "expired", "alg"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []

    def jwk(self) -> dict[str, str]:
        numbers = self._key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "kid": "k1",
            "use": "sig",
            "alg": "RS256",
            "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64(numbers.e.to_bytes(3, "big")),
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.base,
            "sub": self.subject,
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "email": self.email,
            "email_verified": True,
        }
        header = {"alg": "RS256", "kid": "k1", "typ": "JWT"}
        if self.tamper == "audience":
            claims["aud"] = "someone-else"
        elif self.tamper == "nonce":
            claims["nonce"] = "another-nonce"
        elif self.tamper == "issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "expired":
            claims["exp"] = now - 600
        elif self.tamper == "alg":
            header["alg"] = "none"
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        if self.tamper == "signature":
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        return f"{signing_input}.{_b64(signature)}"

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.base,
                    "authorization_endpoint": f"{self.base}/authorize",
                    "token_endpoint": f"{self.base}/token",
                    "jwks_uri": f"{self.base}/jwks",
                }
            )

        async def authorize(request: Request) -> Response:
            q = request.query_params
            if q.get("client_id") != CLIENT_ID or q.get("code_challenge_method") != "S256":
                return JSONResponse({"error": "invalid_request"}, 400)
            code = secrets.token_urlsafe(16)
            self._codes[code] = {
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
            }
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302
            )

        async def token(request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.token_requests.append(form)
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return JSONResponse({"error": "invalid_client"}, 401)
            grant = self._codes.pop(form.get("code", ""), None)
            if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, 400)
            verifier = form.get("code_verifier", "")
            if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            return JSONResponse(
                {"access_token": "at", "token_type": "Bearer", "id_token": self.id_token(grant["nonce"])}
            )

        async def jwks(request: Request) -> Response:
            return JSONResponse({"keys": [self.jwk()]})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/authorize", authorize),
                Route("/token", token, methods=["POST"]),
                Route("/jwks", jwks),
            ]
        )
