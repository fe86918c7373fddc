"""Settings → Channels: admins connect, test and pause a channel and see its health; nobody else can.

The "Test" button talks to a stand-in of the Graph API through the real Facebook connector.
"""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.pipeline.workspaces import ensure_workspace
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount
from tests import factories as f
from tests.channels import CREDENTIALS_KEY, vault
from tests.stand_ins.meta import APP_SECRET, PAGE, TOKEN, MetaStandIn
from tests.web_client import Browser


def admin_browser(db: Database, email: str = "lead@acme.example", workspace: str = "Acme") -> Browser:
    with db.write() as session:
        ws = ensure_workspace(session, workspace)
        create_agent(session, ws, email, "Lead", f.PASSWORD, role="admin")
    browser = Browser(db, credentials_key=SecretStr(CREDENTIALS_KEY))
    browser.login(email)
    return browser


def connect_facebook(browser: Browser, api_base: str, token: str = TOKEN) -> None:
    answer = browser.submit(
        "/settings/channels",
        "/settings/channels/connect",
        {
            "network": "facebook",
            "facebook.handle": "AcmeAir",
            "facebook.external_id": PAGE,
            "facebook.cred.page_access_token": token,
            "facebook.cred.app_secret": APP_SECRET,
            "facebook.api_base": api_base,
        },
    )
    assert answer.status_code == 303, answer.text


def test_an_admin_connects_tests_and_pauses_a_channel(db: Database, graph: tuple[MetaStandIn, str]) -> None:
    stand_in, url = graph
    browser = admin_browser(db)
    connect_facebook(browser, url)
    page = browser.get("/settings/channels?done=connected")
    assert "Channel connected." in page.text
    assert "AcmeAir" in page.text
    assert "/hooks/facebook/" in page.text
    with db.read() as session:
        row = session.scalars(select(ChannelAccount)).one()
        assert row.status == "active"
        assert row.external_id == PAGE
        assert row.credentials is not None
        assert TOKEN.encode() not in row.credentials
        assert vault().open(row.credentials)["page_access_token"] == TOKEN
        channel_id = row.id

    tested = browser.submit("/settings/channels", f"/settings/channels/{channel_id}/test", {})
    assert "Test passed" in tested.text
    assert "Acme Air" in tested.text
    assert any(r.method == "GET" for r in stand_in.requests), "the test called the network"
    assert "never" not in tested.text.split(f'id="channel-{channel_id}"')[1].split("</tr>")[0]

    assert (
        browser.submit("/settings/channels", f"/settings/channels/{channel_id}/pause", {}).status_code == 303
    )
    with db.read() as session:
        assert session.scalars(select(ChannelAccount.status)).one() == "paused"
    assert "Resume" in browser.get("/settings/channels").text
    browser.submit("/settings/channels", f"/settings/channels/{channel_id}/resume", {})
    with db.read() as session:
        assert session.scalars(select(ChannelAccount.status)).one() == "active"


def test_a_failing_test_shows_the_networks_reason_as_the_last_error(
    db: Database, graph: tuple[MetaStandIn, str]
) -> None:
    _, url = graph
    browser = admin_browser(db)
    connect_facebook(browser, url, token="EAAG-revoked-token")
    with db.read() as session:
        channel_id = session.scalars(select(ChannelAccount.id)).one()
    answer = browser.submit("/settings/channels", f"/settings/channels/{channel_id}/test", {})
    assert "Test failed" in answer.text
    assert "Invalid OAuth access token" in answer.text
    row = answer.text.split(f'id="channel-{channel_id}"')[1].split("</tr>")[0]
    assert "Invalid OAuth access token" in row  # the health column keeps it


def test_reconnecting_keeps_a_secret_left_empty_and_missing_ones_are_named(
    db: Database, graph: tuple[MetaStandIn, str]
) -> None:
    _, url = graph
    browser = admin_browser(db)
    connect_facebook(browser, url)
    again = browser.submit(
        "/settings/channels",
        "/settings/channels/connect",
        {"network": "facebook", "facebook.handle": "AcmeAir", "facebook.cred.page_access_token": "EAAG-new"},
    )
    assert again.status_code == 303
    with db.read() as session:
        stored = vault().open(session.scalars(select(ChannelAccount.credentials)).one())
    assert stored == {"page_access_token": "EAAG-new", "app_secret": APP_SECRET}
    missing = browser.submit(
        "/settings/channels",
        "/settings/channels/connect",
        {"network": "facebook", "facebook.handle": "OtherPage"},
    )
    assert missing.status_code == 422
    assert "missing: Page access token, App secret" in missing.text


def test_agents_who_are_not_admins_and_other_workspaces_cannot_touch_channels(
    db: Database, graph: tuple[MetaStandIn, str]
) -> None:
    _, url = graph
    owner = admin_browser(db)
    connect_facebook(owner, url)
    with db.read() as session:
        channel_id = session.scalars(select(ChannelAccount.id)).one()

    f.agent(db, "Acme", "agent@acme.example")
    agent = Browser(db)
    agent.login("agent@acme.example")
    assert agent.get("/settings/channels").status_code == 403
    assert "/settings/channels" not in agent.get("/inbox").text  # no link for agents

    rival = admin_browser(db, "lead@rival.example", workspace="Rival")
    assert "AcmeAir" not in rival.get("/settings/channels").text
    for action in ("pause", "resume", "test"):
        answer = rival.submit("/settings/channels", f"/settings/channels/{channel_id}/{action}", {})
        assert answer.status_code == 404, action
    with db.read() as session:
        assert session.scalars(select(ChannelAccount.status)).one() == "active"


def test_without_a_credentials_key_the_page_says_channels_are_off(db: Database) -> None:
    with db.write() as session:
        ws = ensure_workspace(session, "Acme")
        create_agent(session, ws, "lead@acme.example", "Lead", f.PASSWORD, role="admin")
    browser = Browser(db)  # the plain test app has no SOCIALDESK_CREDENTIALS_KEY
    browser.login("lead@acme.example")
    page = browser.get("/settings/channels")
    assert page.status_code == 200
    assert "Channels are off on this server" in page.text
