"""The customer's private page at /private/<signed link>: signing in with a mailed code, the
conversation, writing (its own session cookie; no agent session opens it, and it opens no agent page).

What the page shows comes from `store.repos.handoffs.private_thread` only. Every refusal (a tampered,
expired or taken link) is a short page with a 4xx status that says nothing about the case behind it.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels.private_page import MAX_TEXT
from socialdesk.core.errors import ChannelError, ConfigError, InvalidAction
from socialdesk.pipeline.handoff_links import LinkRefused
from socialdesk.pipeline.handoffs import (
    OpenedLink,
    open_link,
)
from socialdesk.pipeline.private_messages import write_message
from socialdesk.pipeline.sign_in_codes import (
    CODE_MINUTES,
    CustomerSession,
    SignInRefused,
    customer_session,
    request_code,
    sign_out,
    verify_code,
)
from socialdesk.pipeline.sign_in_mail import send_code
from socialdesk.store.repos.handoffs import private_thread
from socialdesk.web.context import AppContext
from socialdesk.web.csrf import rotate_csrf, verify_csrf
from socialdesk.web.deps import Context
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

COOKIE = "sd_private"
COOKIE_PATH = "/private/"


def app_context_of(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def oidc_enabled(request: Request) -> bool:
    settings = app_context_of(request).settings
    return bool(settings.oidc_discovery_url and settings.oidc_client_id)


def public_base(request: Request, context: AppContext) -> str:
    return (context.settings.public_url or str(request.base_url)).rstrip("/")


def set_session_cookie(response: Response, context: AppContext, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=context.settings.session_hours * 3600,
        httponly=True,
        secure=context.settings.cookie_secure,
        samesite="lax",  # the customer arrives by a link from the network's site
        path=COOKIE_PATH,
    )


def opened(context: Context, token: str) -> OpenedLink:
    return open_link(context.db, context.signing_key, token)


def _signed_in(request: Request, context: Context, link: OpenedLink) -> CustomerSession | None:
    return customer_session(context.db, context.signing_key, request.cookies.get(COOKIE, ""), link.handoff_id)


def refused_page(request: Request, exc: LinkRefused) -> Response:
    return render(request, "private/error.html", {"message": str(exc)}, exc.status)


def sign_in_page(
    request: Request, link: OpenedLink, token: str, status_code: int = 200, **extra: Any
) -> Response:
    values = {
        "brand": link.brand,
        "token": token,
        "email": "",
        "step": "email",
        "error": None,
        "notice": None,
        "oidc_name": app_context_of(request).settings.oidc_provider_name if oidc_enabled(request) else None,
    }
    return render(request, "private/sign_in.html", {**values, **extra}, status_code)


def _conversation_page(
    request: Request,
    context: Context,
    link: OpenedLink,
    token: str,
    who: CustomerSession,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    with context.db.read() as session:
        messages = private_thread(session, link.workspace_id, link.handoff_id)
    values = {
        "brand": link.brand,
        "token": token,
        "email": who.email,
        "messages": messages,
        "form_key": secrets.token_urlsafe(16),
        "max_length": MAX_TEXT,
        "error": None,
        "draft": "",
    }
    return render(request, "private/conversation.html", {**values, **extra}, status_code)


@router.get("/private/{token}")
def private_page(request: Request, context: Context, token: str) -> Response:
    try:
        link = opened(context, token)
    except LinkRefused as exc:
        return refused_page(request, exc)
    who = _signed_in(request, context, link)
    if who is None:
        return sign_in_page(request, link, token)
    return _conversation_page(request, context, link, token, who)


@router.post("/private/{token}/code", dependencies=[Depends(verify_csrf)])
def ask_for_code(
    request: Request, context: Context, token: str, email: Annotated[str, Form(max_length=320)]
) -> Response:
    try:
        link = opened(context, token)
        issued = request_code(context.db, context.signing_key, link.handoff_id, email)
    except LinkRefused as exc:
        return refused_page(request, exc)
    except (InvalidAction, SignInRefused) as exc:
        status = exc.status if isinstance(exc, SignInRefused) else 422
        return sign_in_page(request, link, token, status, email=email, error=str(exc))
    try:
        sent = send_code(context.settings, issued.email, issued.code, link.brand, CODE_MINUTES)
    except ConfigError as exc:
        return sign_in_page(request, link, token, 503, email=email, error=f"We cannot send codes: {exc}.")
    except ChannelError:
        return sign_in_page(
            request,
            link,
            token,
            503,
            email=email,
            error="We could not send the mail just now. Try again soon.",
        )
    notice = f"We sent a 6-digit code to {issued.email}. It works for {CODE_MINUTES} minutes."
    if sent.dev_file is not None:
        notice += f" (Demo: no mail server is set up, so the mail was written to {sent.dev_file}.)"
    return sign_in_page(request, link, token, email=issued.email, step="code", notice=notice)


@router.post("/private/{token}/verify", dependencies=[Depends(verify_csrf)])
def check_code(
    request: Request,
    context: Context,
    token: str,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=16)],
) -> Response:
    try:
        link = opened(context, token)
        signed_in = verify_code(
            context.db, context.signing_key, link.handoff_id, email, code, context.settings.session_hours
        )
    except LinkRefused as exc:
        return refused_page(request, exc)
    except (InvalidAction, SignInRefused) as exc:
        status = exc.status if isinstance(exc, SignInRefused) else 422
        return sign_in_page(request, link, token, status, email=email, step="code", error=str(exc))
    response = RedirectResponse(f"/private/{token}", status_code=303)
    set_session_cookie(response, context, signed_in.session_secret)
    rotate_csrf(request)
    return response


@router.post("/private/{token}/messages", dependencies=[Depends(verify_csrf)])
def write(
    request: Request,
    context: Context,
    token: str,
    text: Annotated[str, Form(max_length=MAX_TEXT * 2)],
    form_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        link = opened(context, token)
    except LinkRefused as exc:
        return refused_page(request, exc)
    who = _signed_in(request, context, link)
    if who is None:
        return sign_in_page(request, link, token, 401, error="Please sign in again to write.")
    try:
        post_id = write_message(context.db, link.workspace_id, link.handoff_id, text, form_key)
    except InvalidAction as exc:
        return _conversation_page(
            request, context, link, token, who, error=str(exc), draft=text, status_code=422
        )
    return RedirectResponse(f"/private/{token}#message-{post_id}", status_code=303)


@router.get("/private/{token}/messages")
def messages_fragment(request: Request, context: Context, token: str) -> Response:
    """The conversation alone, for the page to refresh itself with (agents' replies appear)."""
    try:
        link = opened(context, token)
    except LinkRefused as exc:
        return refused_page(request, exc)
    if _signed_in(request, context, link) is None:
        raise HTTPException(401, "Please sign in again.")
    with context.db.read() as session:
        messages = private_thread(session, link.workspace_id, link.handoff_id)
    return render(request, "private/_messages.html", {"messages": messages})


@router.post("/private/{token}/sign-out", dependencies=[Depends(verify_csrf)])
def leave(request: Request, context: Context, token: str) -> Response:
    secret = request.cookies.get(COOKIE)
    if secret:
        sign_out(context.db, context.signing_key, secret)
    response = RedirectResponse(f"/private/{token}", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=context.settings.cookie_secure, httponly=True)
    rotate_csrf(request)
    return response
