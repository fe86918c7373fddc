"""A real worker process, killed with SIGKILL at the worst moments of the X connector's work, then
restarted: nothing is lost and nothing is done twice.

`python -m socialdesk worker --once` runs against the test database and the X stand-in, with
SOCIALDESK_CRASH_AT set for the first run (pipeline/faults.py kills the process there), and again
without it once the lease it held has run out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from socialdesk.channels import connector
from socialdesk.core.clock import utcnow
from socialdesk.core.types import DeliveryStatus
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.pipeline.polling import read_cursor
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ChannelAccount, Post
from tests import factories as f
from tests.channels import CREDENTIALS_KEY, channel, connect_x
from tests.stand_ins.x import ANA, BRAND_ID, XStandIn

REPO = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 1.0


def worker(db: Database, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """One `worker --once` in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALDESK_") and k != "DATABASE_URL"}
    env |= {
        "DATABASE_URL": db.url,
        "SOCIALDESK_CREDENTIALS_KEY": CREDENTIALS_KEY,
        "SOCIALDESK_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
        "SOCIALDESK_CHANNEL_POLL_SECONDS": "0.1",
    }
    if crash_at:
        env["SOCIALDESK_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "socialdesk", "worker", "--once"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def killed(run: subprocess.CompletedProcess[str]) -> bool:
    return run.returncode == -signal.SIGKILL


def setup(db: Database, x: XStandIn, sources: list[str]) -> tuple[int, int]:
    ws = f.workspace(db)
    return ws, connect_x(db, ws, x, sources=sources)


def test_killed_between_send_and_mark_sent_the_reply_is_found_not_sent_again(
    db: Database, x: XStandIn
) -> None:
    ws, channel_id = setup(db, x, sources=[])  # this worker only sends
    mention = x.post("@AcmeHelp my parcel never arrived", ANA)
    page = json.dumps({"data": [mention], "includes": {"users": [x.users[ANA]]}}).encode()
    ingest_posts(db, ws, connector("x").parse(page, channel(db, channel_id).account))
    with db.read() as s:
        case_id = s.scalars(select(Case.id)).one()
    agent = f.agent(db, "Acme", "mj@acme.example")
    post_id = record_reply(
        db, ws, case_id, agent, "@ana_lisboa So sorry! Please DM us the order number."
    ).post_id

    first = worker(db, crash_at="after_send")
    assert killed(first), first.stderr
    assert len(x.calls("POST", "/2/tweets")) == 1  # it reached X
    with db.read() as s:
        assert s.get_one(Post, post_id).delivery_status is DeliveryStatus.SENDING  # and was never recorded

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    second = worker(db)
    assert second.returncode == 0, second.stderr

    [sent] = x.calls("POST", "/2/tweets")  # still exactly one
    assert sent.json()["reply"] == {"in_reply_to_tweet_id": mention["id"]}
    assert x.calls("GET", f"/2/users/{BRAND_ID}/tweets")  # the restarted worker asked X first
    with db.read() as s:
        post = s.get_one(Post, post_id)
        assert post.delivery_status is DeliveryStatus.SENT
        assert post.external_id == x.timeline[0]["id"]
        assert len(x.timeline) == 1


def test_killed_between_fetch_and_store_the_page_is_read_again_and_stored_once(
    db: Database, x: XStandIn
) -> None:
    _, channel_id = setup(db, x, sources=["mentions"])
    x.mentions = [x.post(f"@AcmeHelp order {n} is late", ANA) for n in range(3)]
    newest = x.mentions[-1]["id"]

    first = worker(db, crash_at="after_fetch")
    assert killed(first), first.stderr
    assert len(x.calls("GET", f"/2/users/{BRAND_ID}/mentions")) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Post)) == 0
        assert read_cursor(s, channel_id, "mentions") is None  # the cursor did not move without its posts
    with db.write() as s:  # the dead worker's poll lease (10 minutes) runs out
        s.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == channel_id)
            .values(poll_lease_until=utcnow() - timedelta(seconds=1))
        )

    second = worker(db)
    assert second.returncode == 0, second.stderr
    again = x.calls("GET", f"/2/users/{BRAND_ID}/mentions")[-1]
    assert "since_id" not in again.query  # the same page, asked for again
    with db.read() as s:
        ids = s.scalars(select(Post.external_id)).all()
        assert len(ids) == 3
        assert sorted(str(i) for i in ids) == sorted(m["id"] for m in x.mentions)  # each stored exactly once
        assert read_cursor(s, channel_id, "mentions") == newest

    x.mentions.append(x.post("@AcmeHelp any news?", ANA))
    time.sleep(0.2)  # the next poll is due
    third = worker(db)
    assert third.returncode == 0, third.stderr
    assert x.calls("GET", f"/2/users/{BRAND_ID}/mentions")[-1].query["since_id"] == newest
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Post)) == 4
        assert read_cursor(s, channel_id, "mentions") == x.mentions[-1]["id"]
