"""A signed-in browser stand-in for page tests: keeps cookies, reads CSRF tokens from forms."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from socialdesk.config import Settings
from socialdesk.store.db import Database
from socialdesk.web.app import create_app
from tests.factories import PASSWORD

SECRET = "test-secret-key-0123456789abcdef"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_client(db: Database, **settings_given: Any) -> TestClient:
    settings = Settings(secret_key=SecretStr(SECRET), database_url=db.url, **settings_given)
    # https: the session cookie is Secure, as in production.
    return TestClient(create_app(settings, db, run_worker=False), base_url="https://testserver")


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Browser:
    def __init__(self, db: Database, **settings: Any) -> None:
        self.client = make_client(db, **settings)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, headers={"accept": "text/html"}, follow_redirects=False, **kwargs)

    def submit(self, page_url: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Load `page_url`, then post `data` to `action` with the page's CSRF token, as a form would."""
        page = self.get(page_url)
        return self.client.post(
            action,
            data={"csrf_token": csrf_from(page.text), **data},
            headers={"accept": "text/html", "origin": "https://testserver"},
            follow_redirects=False,
        )

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.submit("/login", "/login", {"email": email, "password": password, "next": "/inbox"})
