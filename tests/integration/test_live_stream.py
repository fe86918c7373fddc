"""The live stream over real HTTP (uvicorn on a free port): events reach the signed-in agent's
workspace within a second, never another workspace's; reconnects resume; presence is shown."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from socialdesk.bus import Bus, Event
from socialdesk.config import Settings
from socialdesk.pipeline.approvals import approve_draft, submit_draft
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case
from socialdesk.web.app import create_app
from tests import factories as f
from tests.integration.test_api import token_for
from tests.stand_ins.server import serve
from tests.web_client import SECRET, Browser


@dataclass
class Frame:
    event: str
    data: dict[str, object]
    id: str | None


class Stream:
    """An SSE reader that gives up at a deadline (the server's keep-alives wake it up)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()

    def next(self, within: float = 3.0) -> Frame | None:
        deadline = time.monotonic() + within
        event, data, frame_id = "message", "", None
        while time.monotonic() < deadline:
            line = next(self.lines)
            if line.startswith(":") or line.startswith("retry:"):
                continue
            if line == "":
                if data:
                    return Frame(event, json.loads(data), frame_id)
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                event = value
            elif field == "data":
                data = value
            elif field == "id":
                frame_id = value
        return None

    def until(self, name: str, within: float = 3.0) -> Frame | None:
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            frame = self.next(left)
            if frame is not None and frame.event == name:
                return frame
        return None


@dataclass
class Live:
    base: str
    db: Database
    acme: int
    globex: int
    bus: Bus

    @contextmanager
    def stream(self, email: str | None, query: str = "", **headers: str) -> Iterator[Stream]:
        if email is not None:
            headers["authorization"] = f"Bearer {token_for(self.db, email)}"
        with httpx.stream("GET", f"{self.base}/live{query}", headers=headers, timeout=10) as response:
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            yield Stream(response)


@pytest.fixture
def live(db: Database) -> Iterator[Live]:
    acme, globex = f.workspace(db, "Acme"), f.workspace(db, "Globex")
    f.agent(db, "Acme", "ana@acme.example")
    f.agent(db, "Acme", "noor@acme.example")
    f.agent(db, "Globex", "gus@globex.example")
    settings = Settings(
        secret_key=SecretStr(SECRET), database_url=db.url, live_heartbeat_seconds=0.2, live_poll_seconds=0
    )
    app = create_app(settings, db, run_worker=False)
    with serve(app) as base:
        yield Live(base, db, acme, globex, app.state.live_hub.bus)
    app.state.live_hub.stop()  # the stand-in server runs no lifespan


def case_of(db: Database, workspace_id: int) -> int:
    with db.read() as session:
        return session.scalars(select(Case.id).where(Case.workspace_id == workspace_id)).one()


def test_a_new_post_reaches_its_workspace_within_a_second_and_no_other(live: Live) -> None:
    with live.stream("ana@acme.example") as ana, live.stream("gus@globex.example") as gus:
        assert ana.until("hello") is not None
        assert gus.until("hello") is not None
        began = time.monotonic()
        [result] = f.ingest(live.db, live.acme, f.post("1", text="@AcmeHelp where is my bag"))
        frame = ana.until("post.created", within=2)
        delay = time.monotonic() - began
        assert frame is not None, "no post.created event"
        assert frame.data["post_id"] == result.post_id
        assert frame.data["workspace_id"] == live.acme
        assert delay < 1.0, f"the event took {delay:.3f} s"
        case = ana.until("case.created", within=2)
        assert case is not None
        assert case.data["case_id"] == case_of(live.db, live.acme)
        # Globex's agent hears keep-alives only.
        assert gus.next(within=1.0) is None
        # An open stream is how assignment knows the agent is still there (pipeline.assignment).
        with live.db.read() as s:
            seen = s.scalars(select(Agent.last_seen_at).where(Agent.email == "ana@acme.example")).one()
        assert seen is not None


def test_a_case_stream_shows_only_that_case(live: Live) -> None:
    f.ingest(live.db, live.acme, f.post("1"))
    case_id = case_of(live.db, live.acme)
    with live.stream("ana@acme.example", f"?case={case_id}") as ana:
        assert ana.until("hello") is not None
        f.ingest(live.db, live.acme, f.post("2", author="someone_else"))  # another case of Acme's
        f.ingest(live.db, live.acme, f.reply("3", to="1", minutes=2))
        frame = ana.next()
        assert frame is not None
        assert frame.event in {"post.created", "case.updated"}
        seen = {frame.event}
        while (more := ana.next(within=0.6)) is not None:
            seen.add(more.event)
            assert more.data.get("case_id", case_id) == case_id
        assert seen == {"post.created", "case.updated"}


def test_reply_drafts_reach_the_approvals_stream_and_their_cases_stream(live: Live) -> None:
    f.ingest(live.db, live.acme, f.post("1"))
    case_id = case_of(live.db, live.acme)
    with live.db.write() as s:
        ana, noor = (
            s.scalars(select(Agent).where(Agent.email == email)).one()
            for email in ("ana@acme.example", "noor@acme.example")
        )
        ana.role, noor.is_trainee = "supervisor", True
        ana_id, noor_id = ana.id, noor.id
    with (
        live.stream("ana@acme.example", "?drafts=true") as approvals,
        live.stream("ana@acme.example", f"?case={case_id}") as on_case,
        live.stream("ana@acme.example") as inbox,
        live.stream("gus@globex.example", "?drafts=true") as globex,
    ):
        for stream in (approvals, on_case, inbox, globex):
            assert stream.until("hello") is not None
        draft = submit_draft(live.db, live.acme, case_id, noor_id, "@cust1 sorry, looking into it")
        for stream in (approvals, on_case):
            frame = stream.until("draft.created", within=2)
            assert frame is not None
            assert frame.data["draft_id"] == draft.draft_id
            assert frame.data["case_id"] == case_id
            assert frame.data["status"] == "pending"
            assert "sorry" not in json.dumps(frame.data)  # ids and facts, never the text
        approve_draft(live.db, live.acme, draft.draft_id, ana_id)
        frame = approvals.until("draft.updated", within=2)
        assert frame is not None
        assert frame.data["status"] == "approved"
        assert on_case.until("draft.updated", within=2) is not None
        # The approvals stream carries drafts only; the inbox's stream none; Globex hears nothing.
        assert {(more.event) for more in iter(lambda: approvals.next(within=0.6), None)} <= {"draft.updated"}
        assert inbox.until("draft.created", within=0.6) is None
        assert globex.next(within=0.6) is None

    # A trainee's Approvals page hears of their own drafts only.
    sam_id = f.agent(live.db, "Acme", "sam@acme.example")
    with live.db.write() as s:
        s.get_one(Agent, sam_id).is_trainee = True
    with (
        live.stream("noor@acme.example", "?drafts=true") as noors,
        live.stream("ana@acme.example", "?drafts=true") as approvals,
    ):
        assert noors.until("hello") is not None
        assert approvals.until("hello") is not None
        sams = submit_draft(live.db, live.acme, case_id, sam_id, "@cust1 one moment please")
        heard = approvals.until("draft.created", within=2)
        assert heard is not None
        assert heard.data["draft_id"] == sams.draft_id
        assert noors.until("draft.created", within=0.6) is None
        own = submit_draft(live.db, live.acme, case_id, noor_id, "@cust1 we are on it")
        frame = noors.until("draft.created", within=2)
        assert frame is not None
        assert frame.data["draft_id"] == own.draft_id


@contextmanager
def flooding(bus: Bus, workspace_id: int, case_id: int, every: float = 0.02) -> Iterator[None]:
    """Events of the workspace that a stream does not want keep coming (agents' presence heartbeats on
    another case), every `every` seconds while the block runs."""
    stop = threading.Event()

    def flood() -> None:
        while not stop.is_set():
            bus.publish(Event("presence.changed", workspace_id, {"case_id": case_id, "state": "viewing"}))
            stop.wait(every)

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_keep_alives_keep_coming_however_busy_the_workspace_is(live: Live) -> None:
    # Other cases' events every 20 ms must not put off a case stream's keep-alive (every 0.2 s here),
    # which is also when the stream notes that the agent is still there.
    f.ingest(live.db, live.acme, f.post("1"))
    case_id = case_of(live.db, live.acme)
    with live.stream("ana@acme.example", f"?case={case_id}") as ana:
        assert ana.until("hello") is not None
        with flooding(live.bus, live.acme, case_id + 1000):
            began, keep_alives = time.monotonic(), 0
            while time.monotonic() - began < 1.5:
                if next(ana.lines).startswith(": keep-alive"):
                    keep_alives += 1
    assert keep_alives >= 4, f"{keep_alives} keep-alives in 1.5 s"


def test_a_reconnect_with_last_event_id_gets_what_it_missed(live: Live) -> None:
    with live.stream("ana@acme.example") as ana:
        hello = ana.until("hello")
        assert hello is not None
        assert hello.id
    [result] = f.ingest(live.db, live.acme, f.post("1"))  # while nobody listens
    with live.stream("ana@acme.example", **{"last-event-id": hello.id}) as again:
        frame = again.until("post.created", within=2)
        assert frame is not None
        assert frame.data["post_id"] == result.post_id
    with live.stream("ana@acme.example", "?last_event_id=0000-17") as stale:
        assert stale.until("resync", within=2) is not None


def test_streams_need_a_signed_in_agent_and_their_own_workspace(live: Live) -> None:
    f.ingest(live.db, live.globex, f.post("1", channel="GlobexCare"))
    theirs = case_of(live.db, live.globex)
    assert httpx.get(f"{live.base}/live", timeout=5).status_code == 401
    bad = httpx.get(f"{live.base}/live", headers={"authorization": "Bearer nope"}, timeout=5)
    assert bad.status_code == 401
    token = token_for(live.db, "ana@acme.example")
    denied = httpx.get(
        f"{live.base}/live?case={theirs}", headers={"authorization": f"Bearer {token}"}, timeout=5
    )
    assert denied.status_code == 404
    odd = httpx.get(f"{live.base}/live?case=abc", headers={"authorization": f"Bearer {token}"}, timeout=5)
    assert odd.status_code == 422
    f.ingest(live.db, live.acme, f.post("2"))
    ours = case_of(live.db, live.acme)
    both = httpx.get(
        f"{live.base}/live?case={ours}&drafts=true", headers={"authorization": f"Bearer {token}"}, timeout=5
    )
    assert both.status_code == 422
    assert "not both" in both.json()["detail"]
    long_id = httpx.get(
        f"{live.base}/live",
        headers={"authorization": f"Bearer {token}", "last-event-id": "9" * 80},
        timeout=5,
    )
    assert long_id.status_code == 422
    assert "Last-Event-ID" in long_id.json()["detail"]
    anonymous = httpx.post(f"{live.base}/live/presence", data={"case_id": str(theirs), "state": "viewing"})
    assert anonymous.status_code in {401, 403}


def test_presence_is_pushed_to_the_case_and_scoped_to_the_workspace(live: Live) -> None:
    f.ingest(live.db, live.acme, f.post("1"))
    f.ingest(live.db, live.globex, f.post("2", channel="GlobexCare"))
    mine, theirs = case_of(live.db, live.acme), case_of(live.db, live.globex)
    noor = Browser(live.db)
    assert noor.login("noor@acme.example").status_code == 303
    gus = Browser(live.db)
    assert gus.login("gus@globex.example").status_code == 303
    with live.stream("ana@acme.example", f"?case={mine}") as ana:
        assert ana.until("hello") is not None
        answer = noor.submit(f"/cases/{mine}", "/live/presence", {"case_id": str(mine), "state": "typing"})
        assert answer.status_code == 204
        frame = ana.until("presence.changed", within=2)
        assert frame is not None
        assert frame.data["agent_name"] == "Noor"
        assert frame.data["state"] == "typing"
        assert 0 < float(str(frame.data["ttl"])) <= 15
        # Gus cannot announce himself on Acme's case, nor read who is on it.
        refused = gus.submit("/inbox", "/live/presence", {"case_id": str(mine), "state": "viewing"})
        assert refused.status_code == 404
        assert (
            gus.submit("/inbox", "/live/presence", {"case_id": str(theirs), "state": "dancing"}).status_code
            == 422
        )
        assert ana.until("presence.changed", within=0.8) is None
    # A page opened now learns at once who is there.
    with live.stream("ana@acme.example", f"?case={mine}") as late:
        frame = late.until("presence.changed", within=2)
        assert frame is not None
        assert frame.data["agent_name"] == "Noor"
    noor.submit(f"/cases/{mine}", "/live/presence", {"case_id": str(mine), "state": "left"})
    with live.stream("ana@acme.example", f"?case={mine}") as after:
        assert after.until("presence.changed", within=0.8) is None


REDIS = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis answers at {REDIS} (apt-get install redis-server)")


@pytest.mark.slow
def test_with_redis_a_post_another_process_stores_reaches_the_page(db: Database, tmp_path: object) -> None:
    """`socialdesk import` in a process of its own publishes to Redis; the web app has no poll."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from socialdesk.pipeline import events

    _redis_or_skip()
    ws = f.workspace(db, "Acme")
    f.agent(db, "Acme", "ana@acme.example")
    settings = Settings(
        secret_key=SecretStr(SECRET),
        database_url=db.url,
        redis_url=SecretStr(REDIS),
        live_heartbeat_seconds=0.2,
        live_poll_seconds=0,
    )
    previous = events.use_bus(None)
    app = create_app(settings, db, run_worker=False)  # its bus, Redis, becomes the process's
    try:
        with serve(app) as base:
            archive = Path(str(tmp_path)) / "one.jsonl"
            post = {
                "network": "x",
                "external_id": f"redis-{time.time_ns()}",
                "direction": "inbound",
                "channel": "AcmeHelp",
                "author_id": "c1",
                "author_handle": "c1",
                "text": "@AcmeHelp hello from another process",
                "created_at": "2026-11-20T09:00:00Z",
            }
            archive.write_text(json.dumps(post) + "\n")
            env = {**os.environ, "DATABASE_URL": db.url, "SOCIALDESK_REDIS_URL": REDIS}
            token = token_for(db, "ana@acme.example")
            headers = {"authorization": f"Bearer {token}"}
            with httpx.stream("GET", f"{base}/live", headers=headers, timeout=10) as response:
                stream = Stream(response)
                assert stream.until("hello") is not None
                subprocess.run(
                    [sys.executable, "-m", "socialdesk", "import", str(archive), "--workspace", "Acme"],
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
                frame = stream.until("post.created", within=5)
                assert frame is not None, "the other process's post did not come through Redis"
                assert frame.data["workspace_id"] == ws
                assert "via" not in frame.data  # published by the writer, not found by a poll
    finally:
        app.state.live_hub.stop()
        events.use_bus(previous)


def test_a_bus_that_does_not_answer_costs_no_write_and_no_500(db: Database) -> None:
    from socialdesk.pipeline import events

    ws = f.workspace(db, "Acme")
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(db, ws, f.post("1"))
    case_id = case_of(db, ws)
    previous = events.use_bus(None)
    try:
        browser = Browser(db, redis_url=SecretStr("redis://127.0.0.1:9/0"), live_poll_seconds=0)
        assert browser.login("ana@acme.example").status_code == 303
        [result] = f.ingest(db, ws, f.post("2", author="cust2"))  # its event is lost, and logged
        assert result.post_id is not None
        answer = browser.submit(
            f"/cases/{case_id}", "/live/presence", {"case_id": str(case_id), "state": "viewing"}
        )
        assert answer.status_code == 503
        assert "unavailable" in answer.text
    finally:
        events.use_bus(previous)
