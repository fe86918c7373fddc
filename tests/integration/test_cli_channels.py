"""`socialdesk channels connect | list | test | pause | resume | poll` against a real database and a
stand-in of X."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from socialdesk.cli import cli
from socialdesk.store.models import ChannelAccount, Post
from tests.channels import CREDENTIALS_KEY, vault
from tests.conftest import DatabaseFactory
from tests.stand_ins.x import ANA, BRAND_ID, XStandIn
from tests.web_client import SECRET


def test_connect_list_test_pause_resume_and_poll(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch, x: XStandIn
) -> None:
    db = databases.database()
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", SECRET)
    runner = CliRunner()

    monkeypatch.delenv("SOCIALDESK_CREDENTIALS_KEY", raising=False)
    refused = runner.invoke(
        cli, ["channels", "connect", "x", "AcmeHelp", "--credentials-file", "-"], input="{}"
    )
    assert refused.exit_code != 0
    assert "SOCIALDESK_CREDENTIALS_KEY is not set" in refused.output

    monkeypatch.setenv("SOCIALDESK_CREDENTIALS_KEY", CREDENTIALS_KEY)
    credentials = json.dumps({"access_token": x.user_token, "consumer_secret": "cs"})
    connected = runner.invoke(
        cli,
        [
            "channels",
            "connect",
            "x",
            "@AcmeHelp",
            "--workspace",
            "Acme",
            "--external-id",
            BRAND_ID,
            "--credentials-file",
            "-",
            "--setting",
            f"api_base={x.base}",
            "--setting",
            "sources=mentions",
        ],
        input=credentials,
    )
    assert connected.exit_code == 0, connected.output
    assert "as channel" in connected.output
    assert "/hooks/x/" in connected.output
    with db.read() as session:
        row = session.scalars(select(ChannelAccount)).one()
        assert (row.handle, row.status, row.settings) == (
            "AcmeHelp",
            "active",
            {"api_base": x.base, "sources": ["mentions"]},
        )
        assert vault().open(row.credentials)["access_token"] == x.user_token
        channel = str(row.id)

    bad = runner.invoke(cli, ["channels", "connect", "x", "Other", "--credentials-file", "-"], input="[1, 2]")
    assert bad.exit_code != 0
    assert "one JSON object" in bad.output

    tested = runner.invoke(cli, ["channels", "test", channel])
    assert tested.exit_code == 0, tested.output
    assert "AcmeHelp" in tested.output

    x.mentions = [x.post("@AcmeHelp is the app down?", ANA)]
    polled = runner.invoke(cli, ["channels", "poll", "--once"])
    assert polled.exit_code == 0, polled.output
    assert f"channel {channel}: 1 stored" in polled.output
    with db.read() as session:
        assert session.scalars(select(Post.text)).all() == ["@AcmeHelp is the app down?"]

    assert "Channel" in runner.invoke(cli, ["channels", "pause", channel]).output
    listed = runner.invoke(cli, ["channels", "list"])
    assert "paused" in listed.output
    assert "last success" in listed.output
    runner.invoke(cli, ["channels", "resume", channel])
    assert "active" in runner.invoke(cli, ["channels", "list", "--workspace", "Acme"]).output
    assert runner.invoke(cli, ["channels", "pause", "999"]).exit_code != 0

    x.user_token = "rotated-elsewhere"  # the stored token is no longer accepted
    failed = runner.invoke(cli, ["channels", "test", channel])
    assert failed.exit_code != 0
    assert "refused" in failed.output
    assert "last error" in runner.invoke(cli, ["channels", "list"]).output
