"""The FastAPI application: pages, API, static files, and the in-process worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialdesk import __version__
from socialdesk.config import Settings
from socialdesk.logs import redact_logs
from socialdesk.pipeline.worker import InProcessWorker, channel_vault
from socialdesk.store.db import Database
from socialdesk.web import hooks, live
from socialdesk.web.api import assignment as api_assignment
from socialdesk.web.api import case_tools as api_case_tools
from socialdesk.web.api import cases as api_cases
from socialdesk.web.api import customers as api_customers
from socialdesk.web.api import inbox as api_inbox
from socialdesk.web.api import rules as api_rules
from socialdesk.web.context import AppContext
from socialdesk.web.csrf import CsrfMiddleware
from socialdesk.web.deps import LoginRequired
from socialdesk.web.pages import (
    approvals,
    auth,
    case_merges,
    channels,
    docs,
    inbox,
    macros,
    notes,
    private,
    private_live,
)
from socialdesk.web.pages import assignment as assignment_pages
from socialdesk.web.pages import cases as case_pages
from socialdesk.web.pages import customers as customer_pages
from socialdesk.web.pages import handoffs as handoff_pages
from socialdesk.web.pages import private_oidc as oidc_pages
from socialdesk.web.pages import rules as rule_pages
from socialdesk.web.pages import segments as segment_pages
from socialdesk.web.pages import teams as team_pages
from socialdesk.web.security import SecurityHeaders
from socialdesk.web.templating import render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, db: Database | None = None, *, run_worker: bool = True) -> FastAPI:
    """Build the app. `db` defaults to the settings' database; the caller owns the schema upgrade."""
    database = db or Database(settings.resolved_database_url())
    vault = channel_vault(settings)
    context = AppContext(settings=settings, db=database, signing_key=settings.signing_key(), vault=vault)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error"):  # handlers exist once uvicorn runs
            redact_logs(logging.getLogger(name))
        worker = InProcessWorker(database, settings, vault) if run_worker else None
        if worker:
            worker.start()
        try:
            yield
        finally:
            if worker:
                worker.stop()
            app.state.live_hub.stop()

    app = FastAPI(
        title="SocialDesk API",
        version=__version__,
        description="Cases, conversations and replies of the caller's workspace. Authenticate with a "
        "bearer token from `socialdesk token create`.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    live.install(app, settings, database)
    app.add_middleware(CsrfMiddleware, secure=settings.cookie_secure)
    app.add_middleware(SecurityHeaders)

    app.mount("/static/swagger", StaticFiles(directory=_swagger_assets()), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    routers = (
        auth.router,
        inbox.router,
        case_pages.router,
        channels.router,
        docs.router,
        api_cases.router,
        api_case_tools.router,
        api_inbox.router,
        api_rules.router,
        rule_pages.router,
        hooks.router,
        team_pages.router,
        api_assignment.router,
        assignment_pages.router,
        live.router,
        approvals.router,
        macros.router,
        notes.router,
        private.router,
        private_live.router,
        oidc_pages.router,
        handoff_pages.router,
        case_merges.router,
        customer_pages.router,
        segment_pages.router,
        api_customers.router,
        api_customers.analytics,
    )
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        wants_page = not request.url.path.startswith(
            ("/api/", "/openapi.json")
        ) and "text/html" in request.headers.get("accept", "")
        if wants_page:
            return render(
                request, "error.html", {"status": exc.status_code, "message": exc.detail}, exc.status_code
            )
        if isinstance(exc, HTTPException):
            return await http_exception_handler(request, exc)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    return app


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _swagger_assets() -> str:
    """Swagger UI 5 (it reads OpenAPI 3.1), as shipped inside the fastapi-offline package."""
    import fastapi_offline

    return str(Path(fastapi_offline.__file__).parent / "static")
