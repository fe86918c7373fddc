"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.accounts.agents import authenticate, end_session, start_session
from socialdesk.core.errors import AuthError
from socialdesk.pipeline.assignment import set_presence
from socialdesk.web.csrf import rotate_csrf, verify_csrf
from socialdesk.web.deps import SESSION_COOKIE, Context, optional_page_principal
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would let a phishing link borrow our login page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/inbox"


@router.get("/login")
def login_page(request: Request, context: Context, next: str | None = None) -> Response:
    if optional_page_principal(request, context) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "email": ""})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    context: Context,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    try:
        with context.db.write() as session:
            agent = authenticate(session, email, password)
            secret = start_session(session, context.signing_key, agent, context.settings.session_hours)
    except AuthError as exc:
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": str(exc), "email": email},
            status_code=401,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=context.settings.session_hours * 3600,
        httponly=True,
        secure=context.settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    rotate_csrf(request)
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, context: Context) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        agent = optional_page_principal(request, context)
        if agent is not None:  # nobody signed out is given new cases
            set_presence(context.db, agent.workspace_id, agent.agent_id, "offline")
        with context.db.write() as session:
            end_session(session, context.signing_key, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=context.settings.cookie_secure, httponly=True)
    rotate_csrf(request)
    return response
