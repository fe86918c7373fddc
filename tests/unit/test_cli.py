"""The command line explains itself."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from socialdesk.cli import cli


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("import", "createuser", "token", "serve", "worker", "demo", "db"):
        assert f"  {command} " in result.output


def test_import_help_names_the_formats_and_json_output() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert "twcs" in result.output
    assert "jsonl" in result.output
    assert "--json" in result.output


def test_the_demo_refuses_to_listen_beyond_loopback() -> None:
    result = CliRunner().invoke(cli, ["demo", "--host", "0.0.0.0", "--no-serve"])  # noqa: S104
    assert result.exit_code != 0
    assert "loopback" in result.output


def test_an_unreachable_database_is_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot use the database (check DATABASE_URL):")
    assert "Traceback" not in result.output
