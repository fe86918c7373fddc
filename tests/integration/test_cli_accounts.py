"""`socialdesk createuser`, `token create`, `db upgrade` and `worker --once` against a real database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.cli import cli
from socialdesk.store.models import Agent
from tests import factories as f
from tests.conftest import DatabaseFactory
from tests.web_client import SECRET, Browser


@pytest.fixture
def run(databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, DatabaseFactory]:
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", SECRET)
    return CliRunner(), databases


def test_createuser_then_sign_in_and_use_a_token(
    run: tuple[CliRunner, DatabaseFactory], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, databases = run
    db = databases.database(upgraded=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(
        cli,
        ["createuser", "Boss@Brand.example", "--workspace", "Brand", "--password-stdin"],
        input="s3cret-pass-123\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@brand.example in workspace 'Brand'." in result.output
    with db.read() as s:
        assert s.scalars(select(Agent.role)).one() == "admin"

    again = runner.invoke(
        cli, ["createuser", "boss@brand.example", "--password-stdin"], input="another-pass-1\n"
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = runner.invoke(cli, ["createuser", "x@brand.example", "--password-stdin"], input="short\n")
    assert short.exit_code != 0
    assert "at least 8 characters" in short.output

    assert Browser(db).login("boss@brand.example", "s3cret-pass-123").status_code == 303
    token = runner.invoke(cli, ["token", "create", "boss@brand.example"]).output.strip()
    client = TestClient(Browser(db).client.app, base_url="https://testserver")
    assert (
        client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"}).json()["email"]
        == "boss@brand.example"
    )
    assert runner.invoke(cli, ["token", "create", "nobody@brand.example"]).exit_code != 0


def test_worker_once_runs_the_queued_triage(
    run: tuple[CliRunner, DatabaseFactory], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, databases = run
    db = databases.database()
    monkeypatch.setenv("DATABASE_URL", db.url)
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"), f.post("2", author="c2"))
    result = runner.invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0
    # Two posts: the fast tier for each, then the accurate tier for each (they are in open cases).
    assert "Ran 4 job(s)," in result.output
    assert "Ran 0 job(s)," in runner.invoke(cli, ["worker", "--once"]).output


def test_serve_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", "short")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "SOCIALDESK_SECRET_KEY is missing or too short" in result.output
