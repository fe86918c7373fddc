"""`socialdesk import` as a user runs it: counts, idempotency, rejected rows, malformed files, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from socialdesk.store.db import Database
from socialdesk.store.models import Post
from tests.conftest import FIXTURES, DatabaseFactory
from tests.snapshot import integrity_problems, snapshot

TWCS_ROWS = 5000


def socialdesk(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialdesk", *args],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
        check=check,
    )


def last_json(output: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return summary


@pytest.fixture(scope="module")
def clean_import(databases: DatabaseFactory, twcs_sample: Path) -> tuple[Database, dict[str, Any]]:
    """One uninterrupted import of the shared TWCS sample: the reference every other run must equal."""
    db = databases.database(upgraded=False)  # the import itself creates the schema
    result = socialdesk("import", str(twcs_sample), "--workspace", "twcs", "--json", url=db.url)
    return db, last_json(result.stdout)


def test_import_of_the_twcs_sample_reports_its_counts(clean_import: tuple[Database, dict[str, Any]]) -> None:
    db, summary = clean_import
    assert {k: summary[k] for k in ("read", "stored", "duplicates", "rejected")} == {
        "read": TWCS_ROWS,
        "stored": TWCS_ROWS,
        "duplicates": 0,
        "rejected": 0,
    }
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Post)) == TWCS_ROWS
        # Brand replies are stored as outbound posts in the customers' conversations.
        assert s.scalar(select(func.count()).select_from(Post).where(Post.direction == "outbound")) == 2222
    assert integrity_problems(db) == []


def test_importing_the_same_file_again_adds_nothing(
    clean_import: tuple[Database, dict[str, Any]], twcs_sample: Path
) -> None:
    db, _ = clean_import
    before = snapshot(db, "twcs")
    summary = last_json(
        socialdesk("import", str(twcs_sample), "--workspace", "twcs", "--json", url=db.url).stdout
    )
    assert (summary["stored"], summary["duplicates"], summary["rejected"]) == (0, TWCS_ROWS, 0)
    assert snapshot(db, "twcs") == before


def test_an_import_killed_midway_and_run_again_ends_exactly_like_a_clean_one(
    clean_import: tuple[Database, dict[str, Any]], databases: DatabaseFactory, twcs_sample: Path
) -> None:
    reference, _ = clean_import
    db = databases.database()
    process = subprocess.Popen(
        [sys.executable, "-m", "socialdesk", "import", str(twcs_sample), "--workspace", "twcs", "--json"],
        env={**os.environ, "DATABASE_URL": db.url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        stored = 0
        while stored < TWCS_ROWS // 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            with db.read() as s:
                stored = int(s.scalar(select(func.count()).select_from(Post)) or 0)
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    with db.read() as s:
        interrupted = int(s.scalar(select(func.count()).select_from(Post)) or 0)
    assert 0 < interrupted < TWCS_ROWS
    assert integrity_problems(db) == [], "the killed import left half-written rows"

    summary = last_json(
        socialdesk("import", str(twcs_sample), "--workspace", "twcs", "--json", url=db.url).stdout
    )
    assert summary["stored"] + summary["duplicates"] == TWCS_ROWS
    assert summary["duplicates"] == interrupted
    assert snapshot(db, "twcs") == snapshot(reference, "twcs")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing_columns.csv", "missing column(s) inbound, created_at"),
        ("binary.csv", "looks like a binary file"),
        ("empty.csv", "is empty"),
    ],
)
def test_a_malformed_file_gets_a_clear_error_and_stores_nothing(
    databases: DatabaseFactory, name: str, message: str
) -> None:
    url = databases.url()
    result = socialdesk("import", str(FIXTURES / "twcs" / name), url=url, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_rejected_rows_are_reported_and_the_rest_kept(databases: DatabaseFactory) -> None:
    url = databases.url()
    result = socialdesk("import", str(FIXTURES / "twcs" / "mixed.csv"), "--json", url=url)
    summary = last_json(result.stdout)
    assert (summary["read"], summary["stored"], summary["rejected"]) == (9, 5, 4)
    reasons = {r["line"]: r["reason"] for r in summary["rejections"]}
    assert reasons == {
        6: "tweet_id 'abc' is not a tweet id",  # line numbers count the quoted line break of row 103
        7: "created_at 'yesterday' is not a Twitter timestamp",
        8: "text is empty",
        9: "inbound must be True or False, not 'maybe'",
    }
    assert "line 6: tweet_id 'abc' is not a tweet id" in result.stderr
