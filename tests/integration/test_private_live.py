"""The customer's private page hears its conversation change over real HTTP (uvicorn on a free port):
an event within a second of a post of their conversation, none for another hand-off's, no internal
data in it, only for a signed-in customer of that link, and the stream ends once the link is
withdrawn (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from sqlalchemy import select

from socialdesk.bus import Bus
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.handoffs import move_to_private, withdraw_link
from socialdesk.pipeline.private_messages import write_message
from socialdesk.pipeline.sign_in_codes import request_code, sign_out, verify_code
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Conversation
from socialdesk.web.app import create_app
from tests import factories as f
from tests.channels import settings, vault
from tests.integration.test_live_stream import Stream, flooding
from tests.stand_ins.server import serve


@dataclass
class Handoff:
    workspace_id: int
    case_id: int
    handoff_id: int
    token: str
    cookie: str  # the customer's session


@dataclass
class Page:
    base: str
    db: Database
    key: bytes
    agent_id: int
    ours: Handoff
    theirs: Handoff  # another customer's hand-off in the same workspace
    app_bus: Bus


def _handoff(db: Database, key: bytes, ws: int, agent_id: int, author: str) -> Handoff:
    f.ingest(db, ws, f.post(f"p-{author}", author=author, text="@AcmeHelp my booking is wrong"))
    with db.read() as s:
        case_id = s.scalars(select(Case.id).where(Case.workspace_id == ws).order_by(Case.id.desc())).first()
    assert case_id is not None
    issued = move_to_private(
        db, vault(), ws, case_id, agent_id, key=key, base_url="http://testserver", hours=72
    )
    token = issued.link.rsplit("/", 1)[1]
    code = request_code(db, key, issued.handoff_id, f"{author}@example.com")
    signed = verify_code(db, key, issued.handoff_id, code.email, code.code, 12)
    return Handoff(ws, case_id, issued.handoff_id, token, signed.session_secret)


@contextmanager
def _serving(db: Database, heartbeat: float) -> Iterator[Page]:
    ws = f.workspace(db, "Acme")
    agent_id = f.agent(db, "Acme", "ana@acme.example")
    config = settings(db, live_heartbeat_seconds=heartbeat, live_poll_seconds=0)
    key = config.signing_key()
    ours, theirs = (_handoff(db, key, ws, agent_id, who) for who in ("rosa", "kim"))
    # Both customers have written once, so both private conversations exist.
    write_message(db, ws, ours.handoff_id, "Hello, here is my booking", "form-rosa")
    write_message(db, ws, theirs.handoff_id, "Hi from Kim", "form-kim")
    app = create_app(config, db, run_worker=False)
    with serve(app) as base:
        yield Page(base, db, key, agent_id, ours, theirs, app.state.live_hub.bus)
    app.state.live_hub.stop()


@pytest.fixture
def heartbeat() -> float:
    """Seconds between keep-alives, and the session checks that go with them; a test may say."""
    return 0.2


@pytest.fixture
def page(db: Database, heartbeat: float) -> Iterator[Page]:
    with _serving(db, heartbeat) as served:
        yield served


OpenStream = Callable[..., Stream]


@pytest.fixture
def open_stream(page: Page) -> Iterator[OpenStream]:
    """Open a customer's stream (with their cookie, or another); all are closed at the end."""
    with ExitStack() as stack:

        def opened(handoff: Handoff, cookie: str | None = None) -> Stream:
            client = stack.enter_context(
                httpx.Client(base_url=page.base, cookies={"sd_private": cookie or handoff.cookie})
            )
            response = stack.enter_context(client.stream("GET", f"/private/{handoff.token}/live", timeout=10))
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            return Stream(response)

        yield opened


def _ends(stream: Stream, within: float) -> bool:
    """Whether the server closes the stream within `within` seconds."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            stream.next(within=0.5)
    except StopIteration:
        return True
    return False


def _private_case(db: Database, handoff: Handoff) -> int:
    with db.read() as s:
        return s.scalars(
            select(Case.id)
            .join(Conversation)
            .where(Conversation.external_key == f"handoff-{handoff.handoff_id}")
        ).one()


def test_a_reply_in_the_customers_conversation_reaches_their_page_and_no_other(
    page: Page, open_stream: OpenStream
) -> None:
    rosa = open_stream(page.ours)
    kim = open_stream(page.theirs)
    time.sleep(0.3)  # both subscribed
    began = time.monotonic()
    record_reply(
        page.db, page.ours.workspace_id, _private_case(page.db, page.ours), page.agent_id, "We fixed it", "k1"
    )
    frame = rosa.until("changed", within=2)
    delay = time.monotonic() - began
    assert frame is not None, "no event for the agent's reply"
    assert frame.data == {}  # nothing internal reaches the customer
    assert delay < 1.0, f"the event took {delay:.3f} s"
    assert kim.until("changed", within=0.8) is None
    write_message(page.db, page.ours.workspace_id, page.ours.handoff_id, "Thanks!", "form-rosa-2")
    assert rosa.until("changed", within=2) is not None


def test_only_the_signed_in_customer_of_the_link_gets_a_stream(page: Page) -> None:
    url = f"{page.base}/private/{page.ours.token}/live"
    assert httpx.get(url, timeout=5).status_code == 401
    assert httpx.get(url, cookies={"sd_private": "made-up"}, timeout=5).status_code == 401
    # Kim's session is not a session of Rosa's link.
    assert httpx.get(url, cookies={"sd_private": page.theirs.cookie}, timeout=5).status_code == 401
    tampered = f"{page.base}/private/{page.ours.token[:-2]}xx/live"
    assert httpx.get(tampered, cookies={"sd_private": page.ours.cookie}, timeout=5).status_code == 401


@pytest.mark.parametrize("heartbeat", [30.0])  # no check for 30 s: only the withdrawal's event ends it
def test_the_stream_ends_at_once_when_the_link_is_withdrawn(
    page: Page, open_stream: OpenStream, heartbeat: float
) -> None:
    rosa = open_stream(page.ours)
    kim = open_stream(page.theirs)
    time.sleep(0.3)  # both subscribed
    withdraw_link(page.db, page.ours.workspace_id, page.ours.case_id, page.agent_id)
    ended = time.monotonic()
    assert _ends(rosa, within=3.0), "the stream went on after the link was withdrawn"
    assert time.monotonic() - ended < 1.0
    # The other customer's stream goes on: it still hears its own conversation.
    record_reply(
        page.db, page.theirs.workspace_id, _private_case(page.db, page.theirs), page.agent_id, "Hi", "k2"
    )
    assert kim.until("changed", within=2) is not None
    again = httpx.get(f"{page.base}/private/{page.ours.token}/live", cookies={"sd_private": page.ours.cookie})
    assert again.status_code == 401


def test_a_busy_workspace_does_not_keep_a_signed_out_customers_stream_open(
    page: Page, open_stream: OpenStream
) -> None:
    rosa = open_stream(page.ours)
    with flooding(page.app_bus, page.ours.workspace_id, 999999):
        time.sleep(0.5)
        sign_out(page.db, page.key, page.ours.cookie)
        ended = time.monotonic()
        assert _ends(rosa, within=3.0), "the signed-out customer's stream went on"
        assert time.monotonic() - ended < 1.5  # within a heartbeat or two (0.2 s here), busy or not
