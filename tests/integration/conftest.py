"""Fixtures the connector and delivery tests share: the HTTP client connectors are handed, the
stand-ins of X and Meta served on a free port, and real mail servers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2 as httpx
import pytest

from socialdesk.channels.http import client as http_client
from tests.mail_servers import DOVECOT, Dovecot, MailUser, SmtpServer, dovecot, smtp_server
from tests.stand_ins.meta import PAGE, MetaStandIn
from tests.stand_ins.server import serve
from tests.stand_ins.x import ANA, BRAND_ID, LEA, XStandIn


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with http_client(timeout=10) as client:
        yield client


@pytest.fixture
def x() -> Iterator[XStandIn]:
    """X's stand-in for @AcmeHelp, served, with the customers Ana and Léa known to it."""
    stand_in = XStandIn(brand_id=BRAND_ID)
    stand_in.add_user(ANA, "ana_lisboa", "Ana Ribeiro", followers=1874)
    stand_in.add_user(LEA, "lea_mrtn", "Léa Martin", followers=640)
    with serve(stand_in.app()) as base:
        stand_in.base = base
        yield stand_in


@pytest.fixture
def graph() -> Iterator[tuple[MetaStandIn, str]]:
    """The Graph API's stand-in for the brand's Facebook Page, and where it is served."""
    stand_in = MetaStandIn(PAGE, "Acme Air")
    with serve(stand_in.app()) as url:
        yield stand_in, url


@pytest.fixture(scope="module")
def imap() -> Iterator[Dovecot]:
    # One server per module, since starting one is slow; each test takes a mailbox of its own (`mailbox`).
    if not DOVECOT.exists():
        pytest.skip(f"Dovecot is not installed ({DOVECOT}); scripts/ensure-dovecot installs it")
    with dovecot() as server:
        yield server


@pytest.fixture
def mailbox(imap: Dovecot) -> MailUser:
    return imap.user()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server
