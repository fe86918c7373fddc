"""FastAPI dependencies: the store, and who is calling (browser session or API token)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from socialdesk.accounts.agents import Principal, principal_for_session, principal_for_token
from socialdesk.web.context import AppContext

SESSION_COOKIE = "sd_session"


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(app_context)]


def read_session(context: Context) -> Iterator[Session]:
    with context.db.read() as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session)]


def optional_page_principal(request: Request, context: Context) -> Principal | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    with context.db.read() as session:
        return principal_for_session(session, context.signing_key, secret)


def require_admin(agent: Principal, refusal: str) -> Principal:
    """The agent, when an admin of their workspace; otherwise 403 with `refusal` (what only admins do)."""
    if agent.role != "admin":
        raise HTTPException(403, refusal)
    return agent


def page_principal(principal: Annotated[Principal | None, Depends(optional_page_principal)]) -> Principal:
    if principal is None:
        raise LoginRequired
    return principal


PageAgent = Annotated[Principal, Depends(page_principal)]

_bearer = HTTPBearer(auto_error=False, description="An API token made with `socialdesk token create`.")


def api_principal(
    context: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is not None:
        with context.db.read() as session:
            principal = principal_for_token(session, context.signing_key, credentials.credentials)
        if principal is not None:
            return principal
    raise HTTPException(
        status_code=401,
        detail="A valid API token is required: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": "Bearer"},
    )


ApiAgent = Annotated[Principal, Depends(api_principal)]


def docs_principal(
    context: Context,
    page: Annotated[Principal | None, Depends(optional_page_principal)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The API description is for signed-in agents or token holders."""
    if page is not None:
        return page
    return api_principal(context, credentials)
