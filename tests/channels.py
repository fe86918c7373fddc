"""Helpers for channel tests: a credentials key, a connected channel, a vault, a signed-in app, and
the reads and writes the connector tests make around the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.config import Settings
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.types import DeliveryStatus, InboundEvent, InboundPost
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.channel_accounts import LoadedChannel, connect_channel, load_account
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.pipeline.polling import read_cursor
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post
from socialdesk.web.app import create_app
from tests import factories as f
from tests.stand_ins.x import CONSUMER_SECRET, XStandIn
from tests.web_client import SECRET

CREDENTIALS_KEY = Fernet.generate_key().decode()
FIXTURES = Path(__file__).parent / "fixtures"


def vault() -> Vault:
    return Vault([CREDENTIALS_KEY])


def settings(db: Database, **extra: Any) -> Settings:
    return Settings(
        secret_key=SecretStr(SECRET),
        database_url=db.url,
        credentials_key=SecretStr(CREDENTIALS_KEY),
        **extra,
    )


def connect(
    db: Database,
    workspace_id: int,
    network: str,
    handle: str,
    credentials: Mapping[str, str],
    settings: Mapping[str, Any] | None = None,
    external_id: str | None = None,
) -> int:
    return connect_channel(db, vault(), workspace_id, network, handle, credentials, settings, external_id)


def connect_x(db: Database, workspace_id: int, x: XStandIn, **settings: Any) -> int:
    """The brand's X account, @AcmeHelp, connected to the stand-in `x` with every token it has."""
    credentials = {
        "access_token": x.user_token,
        "bearer_token": x.app_token,
        "consumer_secret": CONSUMER_SECRET,
    }
    return connect(
        db, workspace_id, "x", "AcmeHelp", credentials, {"api_base": x.base, **settings}, x.brand_id
    )


def channel(db: Database, channel_id: int) -> LoadedChannel:
    """The channel as the workers load it, credentials opened."""
    return load_account(db, vault(), channel_id)


def hook_client(db: Database, **extra: Any) -> TestClient:
    """The app, with channels configured, for webhook tests (no browser session needed)."""
    return TestClient(create_app(settings(db, **extra), db, run_worker=False), base_url="https://testserver")


def fixture(network: str, name: str) -> bytes:
    """A recorded payload: tests/fixtures/<network>/<name>."""
    return (FIXTURES / network / name).read_bytes()


def replayed(network: str, data: bytes, account: Account | None) -> list[InboundEvent]:
    """A saved file split into its payloads and each parsed, as `socialdesk channels parse` reads it."""
    reader = connector(network)
    found: list[InboundEvent] = []
    for payload in reader.payloads(data):
        found += reader.parse(payload, account)
    return found


def only_posts(events: list[InboundEvent]) -> list[InboundPost]:
    """`events`, checked to hold no deletions."""
    assert all(isinstance(e, InboundPost) for e in events)
    return [e for e in events if isinstance(e, InboundPost)]


def ingested_case(db: Database, workspace_id: int, channel_id: int, payload: bytes) -> int:
    """`payload` parsed for the channel and stored, as a poll would; the case its one post is on."""
    loaded = channel(db, channel_id)
    (result,) = ingest_posts(db, workspace_id, connector(loaded.network).parse(payload, loaded.account))
    with db.read() as s:
        row = s.get_one(Post, result.post_id)
        return s.scalars(select(Case.id).where(Case.conversation_id == row.conversation_id)).one()


def reply(db: Database, workspace_id: int, case_id: int, text: str) -> int:
    """An agent's reply on the case, queued for the outbox; the reply's post id."""
    agent = f.agent(db, "Acme", f"agent{case_id}@acme.example")
    return record_reply(db, workspace_id, case_id, agent, text).post_id


def post(db: Database, post_id: int) -> Post:
    with db.read() as s:
        return s.get_one(Post, post_id)


def stored(db: Database) -> list[Post]:
    """Every post, oldest first."""
    with db.read() as s:
        return list(s.scalars(select(Post).order_by(Post.created_at, Post.id)))


def cursor(db: Database, channel_id: int, source: str) -> str | None:
    with db.read() as s:
        return read_cursor(s, channel_id, source)


def assert_held_until(db: Database, post_id: int, moment: datetime, reason: str) -> None:
    """A rate limit: the reply is back in the queue until `moment`, with the network's reason, and no
    attempt is counted against it."""
    held = post(db, post_id)
    assert held.delivery_status is DeliveryStatus.QUEUED
    assert held.next_send_at is not None
    assert as_utc(held.next_send_at) == moment
    assert reason in (held.send_error or "")
    assert held.send_attempts == 0


def assert_retrying(db: Database, post_id: int, reason: str) -> None:
    """A passing failure (a 5xx, a timeout): the reply is back in the queue with the network's reason,
    its first attempt counted."""
    retrying = post(db, post_id)
    assert retrying.delivery_status is DeliveryStatus.QUEUED
    assert retrying.send_attempts == 1
    assert reason in (retrying.send_error or "")


def make_due(db: Database, post_id: int, status: DeliveryStatus | None = None) -> None:
    """Due now rather than after its backoff; with `status` SENDING, as a worker killed while sending
    leaves a reply once its lease has run out."""
    with db.write() as s:
        row = s.get_one(Post, post_id)
        row.next_send_at = utcnow() - timedelta(seconds=1)
        if status is not None:
            row.delivery_status = status
