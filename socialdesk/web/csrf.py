"""CSRF protection for forms: a double-submit token, plus an Origin check where browsers send one.

Every page carries a random token in a SameSite=Strict cookie and in each form; a POST whose form field
does not match the cookie, or whose Origin is another site, is refused. An attacker's page can make the
browser post to us, but can neither read our cookie nor forge the Origin header.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, HTTPException, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

COOKIE = "sd_csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = getattr(request.state, "csrf_token", None)
    if not isinstance(token, str):
        raise RuntimeError("CsrfMiddleware is not installed")
    return token


class CsrfMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, secure: bool) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.secure = secure

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        existing = request.cookies.get(COOKIE)
        request.state.csrf_token = existing if existing and len(existing) >= 32 else secrets.token_urlsafe(32)
        response = await call_next(request)
        rotated = getattr(request.state, "csrf_rotate", False)
        if rotated or existing != request.state.csrf_token:
            token = secrets.token_urlsafe(32) if rotated else request.state.csrf_token
            response.set_cookie(COOKIE, token, httponly=True, secure=self.secure, samesite="strict", path="/")
        return response


def rotate_csrf(request: Request) -> None:
    """Issue a new token with this response (after signing in or out)."""
    request.state.csrf_rotate = True


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "")


async def verify_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """A form handler's dependency: refuses a cross-site or token-less POST with 403."""
    cookie = request.cookies.get(COOKIE, "")
    if not _same_origin(request):
        raise HTTPException(403, "This form was sent from another site.")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        raise HTTPException(403, "This form has expired. Reload the page and try again.")
