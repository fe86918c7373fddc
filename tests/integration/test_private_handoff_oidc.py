"""Signing in on the private page with an OpenID Connect provider (a local stand-in), on SQLite and
PostgreSQL: the whole authorization-code flow with PKCE, and ID tokens that must be refused."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import select

from socialdesk.store.db import Database
from socialdesk.store.models import Case, Identity, VerifiedIdentity
from tests import factories as f
from tests.channels import CREDENTIALS_KEY
from tests.stand_ins.oidc import CLIENT_ID, CLIENT_SECRET, OidcStandIn
from tests.stand_ins.server import serve
from tests.web_client import Browser


@pytest.fixture
def provider() -> Iterator[OidcStandIn]:
    stand_in = OidcStandIn()
    with serve(stand_in.app()) as base:
        stand_in.base = base
        yield stand_in


def _browser(db: Database, provider: OidcStandIn) -> Browser:
    return Browser(
        db,
        credentials_key=CREDENTIALS_KEY,
        oidc_discovery_url=f"{provider.base}/.well-known/openid-configuration",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_provider_name="Example ID",
    )


def _handoff(db: Database, provider: OidcStandIn) -> str:
    ws = f.workspace(db, "Acme")
    f.ingest(db, ws, f.post(text="@AcmeHelp where is my refund"))
    f.agent(db, "Acme", "dana@acme.example")
    agent = _browser(db, provider)
    agent.login("dana@acme.example")
    with db.read() as s:
        case_id = s.scalars(select(Case.id)).one()
    assert agent.submit(f"/cases/{case_id}", f"/cases/{case_id}/private", {}).status_code == 303
    page = agent.get(f"/cases/{case_id}").text
    start = page.index("https://testserver/private/") + len("https://testserver/private/")
    return page[start:].split("<", 1)[0].split()[0]


def _round_trip(customer: Browser, token: str) -> httpx.Response:
    """Leave for the provider, let it sign the person in, and come back with its answer."""
    leaving = customer.get(f"/private/{token}/oidc")
    assert leaving.status_code == 303
    assert "sd_oidc" in customer.client.cookies
    authorize = leaving.headers["location"]
    assert "code_challenge=" in authorize
    assert "nonce=" in authorize
    back = httpx.get(authorize, follow_redirects=False)
    assert back.status_code == 302
    target = urlsplit(back.headers["location"])
    assert target.path == "/private/oidc/callback"
    return customer.get(f"{target.path}?{target.query}")


def test_a_customer_signs_in_with_the_provider(db: Database, provider: OidcStandIn) -> None:
    token = _handoff(db, provider)
    customer = _browser(db, provider)
    assert "Sign in with Example ID" in customer.get(f"/private/{token}").text
    answer = _round_trip(customer, token)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/private/{token}"
    assert "sd_private" in customer.client.cookies
    assert "Your private conversation" in customer.get(f"/private/{token}").text
    assert provider.token_requests[-1]["code_verifier"]
    subject = f"{provider.base}|user-4711"
    with db.read() as s:
        verified = s.scalars(select(VerifiedIdentity)).one()
        assert (verified.method, verified.subject) == ("oidc", subject)
        identity = s.scalars(select(Identity).where(Identity.network == "oidc")).one()
        assert identity.external_id == subject
        assert identity.customer_id == verified.customer_id


@pytest.mark.parametrize("tamper", ["signature", "audience", "nonce", "issuer", "expired", "alg"])
def test_a_wrong_id_token_signs_nobody_in(db: Database, provider: OidcStandIn, tamper: str) -> None:
    token = _handoff(db, provider)
    provider.tamper = tamper
    customer = _browser(db, provider)
    answer = _round_trip(customer, token)
    assert answer.status_code == 400
    assert "Signing in with an account failed" in answer.text
    assert "sd_private" not in customer.client.cookies
    with db.read() as s:
        assert s.scalars(select(VerifiedIdentity)).all() == []


def test_a_callback_without_its_own_state_is_refused(db: Database, provider: OidcStandIn) -> None:
    token = _handoff(db, provider)
    customer = _browser(db, provider)
    leaving = customer.get(f"/private/{token}/oidc")
    back = httpx.get(leaving.headers["location"], follow_redirects=False)
    target = urlsplit(back.headers["location"])
    forged = target.query.replace("state=", "state=x")
    answer = customer.get(f"{target.path}?{forged}")
    assert answer.status_code == 400
    assert "not started here" in answer.text
    # Another browser bringing the provider's answer has no state cookie at all.
    thief = _browser(db, provider)
    assert thief.get(f"{target.path}?{target.query}").status_code == 400
    assert "sd_private" not in customer.client.cookies
    assert "sd_private" not in thief.client.cookies


def test_without_a_configured_provider_there_is_no_account_sign_in(
    db: Database, provider: OidcStandIn
) -> None:
    token = _handoff(db, provider)
    plain = Browser(db, credentials_key=CREDENTIALS_KEY)
    assert "oidc-sign-in" not in plain.get(f"/private/{token}").text
    assert plain.get(f"/private/{token}/oidc").status_code == 404
