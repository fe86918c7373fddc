"""Signing in on the private page with an OpenID Connect provider (`pipeline.oidc`): leave for the
provider with the state, nonce and PKCE verifier in a signed cookie, and come back to the callback."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels.http import client as http_client
from socialdesk.core.clock import utcnow
from socialdesk.pipeline import oidc
from socialdesk.pipeline.handoff_links import LinkRefused
from socialdesk.pipeline.sign_in_codes import (
    SignInRefused,
    sign_in_verified,
)
from socialdesk.web.csrf import rotate_csrf
from socialdesk.web.deps import Context
from socialdesk.web.pages.private import (
    COOKIE_PATH,
    oidc_enabled,
    opened,
    public_base,
    refused_page,
    set_session_cookie,
    sign_in_page,
)
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

STATE_COOKIE = "sd_oidc"
CALLBACK = "/private/oidc/callback"


@router.get("/private/{token}/oidc")
def oidc_start(request: Request, context: Context, token: str) -> Response:
    """Leave for the OpenID Connect provider; the state, nonce and PKCE verifier wait in a cookie."""
    try:
        link = opened(context, token)
    except LinkRefused as exc:
        return refused_page(request, exc)
    if not oidc_enabled(request):
        raise HTTPException(404, "Signing in with an account is not set up here.")
    settings = context.settings
    try:
        with http_client(timeout=10) as http:
            provider = oidc.discover(http, settings.oidc_discovery_url)
    except oidc.OidcError as exc:
        return sign_in_page(request, link, token, 502, error=f"Signing in with an account failed: {exc}.")
    started = oidc.start(provider, settings.oidc_client_id, public_base(request, context) + CALLBACK)
    pending = oidc.Pending(token, started.state, started.nonce, started.verifier)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        oidc.seal_pending(context.signing_key, pending, utcnow()),
        max_age=oidc.STATE_MINUTES * 60,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",  # the provider sends the browser back with a top-level GET
        path=COOKIE_PATH,
    )
    return response


@router.get(CALLBACK)
def oidc_callback(
    request: Request, context: Context, code: str = "", state: str = "", error: str = ""
) -> Response:
    now = utcnow()
    settings = context.settings
    if not oidc_enabled(request):
        raise HTTPException(404, "Signing in with an account is not set up here.")
    try:
        pending = oidc.open_pending(context.signing_key, request.cookies.get(STATE_COOKIE, ""), state, now)
    except oidc.OidcError as exc:
        return render(request, "private/error.html", {"message": str(exc)}, 400)
    try:
        link = opened(context, pending.link_token)
    except LinkRefused as exc:
        return refused_page(request, exc)
    if error or not code or len(code) > 2000:
        message = "The sign-in was cancelled." if error else "The provider sent no sign-in code."
        return sign_in_page(request, link, pending.link_token, 400, error=message)
    try:
        with http_client(timeout=10) as http:
            provider = oidc.discover(http, settings.oidc_discovery_url)
            verified = oidc.finish(
                http,
                provider,
                settings.oidc_client_id,
                settings.oidc_client_secret.get_secret_value(),
                code,
                public_base(request, context) + CALLBACK,
                pending.verifier,
                pending.nonce,
                now,
            )
        signed_in = sign_in_verified(
            context.db,
            context.signing_key,
            link.handoff_id,
            oidc.METHOD,
            verified.subject,
            settings.session_hours,
        )
    except (oidc.OidcError, SignInRefused) as exc:
        return sign_in_page(
            request, link, pending.link_token, exc.status, error=f"Signing in with an account failed: {exc}"
        )
    except LinkRefused as exc:
        return refused_page(request, exc)
    response = RedirectResponse(f"/private/{pending.link_token}", status_code=303)
    set_session_cookie(response, context, signed_in.session_secret)
    response.delete_cookie(STATE_COOKIE, path=COOKIE_PATH, secure=settings.cookie_secure, httponly=True)
    rotate_csrf(request)
    return response
