"""The API description (OpenAPI) and its Swagger UI, served from the installed package, not a CDN."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from socialdesk.accounts.agents import Principal
from socialdesk.web.deps import docs_principal, page_principal

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request, _: Annotated[Principal, Depends(docs_principal)]) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/docs")
def docs(_: Annotated[Principal, Depends(page_principal)]) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="SocialDesk API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
