"""Moving a public case to private: one short public reply with a signed link, and the hand-off row.

The public reply is the workspace's template with the link put in, and nothing else: no case
details, notes or personal data can reach it, because nothing but the template and the link is ever
written into it. The customer's private conversation is an ordinary private conversation on the
network "socialdesk" keyed `handoff-<id>`; it gets a case of its own (the linked case), which agents
answer like any other, and the outbox marks their replies sent, which shows them on the private page.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from socialdesk.bus import Event
from socialdesk.bus.base import HANDOFF_WITHDRAWN
from socialdesk.channels.private_page import NETWORK
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import ConfigError, InvalidAction, NotFound
from socialdesk.pipeline import events
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.channel_accounts import ACTIVE
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.handoff_links import (
    LinkClaims,
    LinkExpired,
    LinkInvalid,
    LinkWithdrawn,
    sign_link,
    verify_link,
)
from socialdesk.store.db import Database
from socialdesk.store.models import (
    Case,
    ChannelAccount,
    Conversation,
    Customer,
    Identity,
    Note,
    PrivateHandoff,
    PrivateHandoffSettings,
    PrivateSession,
    PrivateSignInCode,
    Workspace,
)
from socialdesk.store.repos.handoffs import case_handoff, private_conversation, withdrawn_key

DEFAULT_PUBLIC_REPLY = "Sorry to hear that. Please continue with us privately here: {link}"
MAX_TEMPLATE = 200
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True, slots=True)
class HandoffIssued:
    handoff_id: int
    link: str
    public_post_id: int
    created: bool  # False: the case had a live hand-off already, and nothing new was posted


@dataclass(frozen=True, slots=True)
class OpenedLink:
    handoff_id: int
    workspace_id: int
    brand: str
    bound_subject: str | None


def private_author_id(customer_id: int) -> str:
    """The customer's identity on the private page: one per customer, whatever the hand-off."""
    return f"customer-{customer_id}"


def check_template(template: str) -> str:
    """The template, stripped, if it is one short line of text with `{link}` exactly once."""
    template = " ".join(template.split())
    if template.count("{link}") != 1:
        raise InvalidAction("the public reply must contain {link} exactly once")
    others = [p for p in _PLACEHOLDER.findall(template) if p != "{link}"]
    if others:
        raise InvalidAction(f"the public reply may only contain {{link}}, not {', '.join(others)}")
    if len(template) > MAX_TEMPLATE:
        raise InvalidAction(f"the public reply has at most {MAX_TEMPLATE} characters")
    return template


def public_reply_template(session: Session, workspace_id: int) -> str:
    row = session.get(PrivateHandoffSettings, workspace_id)
    return row.public_reply if row is not None else DEFAULT_PUBLIC_REPLY


def set_public_reply(db: Database, workspace_id: int, template: str) -> str:
    """Store the workspace's wording of the public reply (an admin's choice)."""
    template = check_template(template)
    with db.write() as session:
        row = session.get(PrivateHandoffSettings, workspace_id)
        if row is None:
            session.add(PrivateHandoffSettings(workspace_id=workspace_id, public_reply=template))
        else:
            row.public_reply = template
            row.updated_at = utcnow()
    return template


def link_for(key: bytes, base_url: str, handoff: PrivateHandoff) -> str:
    token = sign_link(key, LinkClaims(handoff.id, as_utc(handoff.expires_at), handoff.nonce))
    return f"{base_url.rstrip('/')}/private/{token}"


def move_to_private(
    db: Database,
    vault: Vault | None,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    *,
    key: bytes,
    base_url: str,
    hours: int,
) -> HandoffIssued:
    """Reply publicly with the workspace's template and a link to a new private conversation.

    Idempotent per case: while the case's link is valid and its public reply recorded, calling this
    again changes nothing and returns the same link. An expired or withdrawn hand-off is renewed with a
    new link (the old one stops working) and a new public reply.
    """
    if vault is None:
        raise ConfigError(
            "private hand-offs deliver replies through the outbox, which needs SOCIALDESK_CREDENTIALS_KEY"
        )
    if not base_url.startswith(("https://", "http://")):
        raise ConfigError("SOCIALDESK_PUBLIC_URL must be an http(s) address")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        handoff, text, created = _handoff_for(session, vault, workspace_id, case_id, agent_id, hours)
        link = link_for(key, base_url, handoff)
        if not created and handoff.public_post_id is not None:
            return HandoffIssued(handoff.id, link, handoff.public_post_id, created=False)
        handoff_id, idempotency_key = handoff.id, f"handoff-{handoff.id}-{handoff.nonce}"
    # Only the template and the link: this is the one thing the hand-off posts in public.
    recorded = record_reply(
        db, workspace_id, case_id, agent_id, text.replace("{link}", link), idempotency_key
    )
    with db.write() as session:
        row = session.get_one(PrivateHandoff, handoff_id)
        row.public_post_id = recorded.post_id
    return HandoffIssued(handoff_id, link, recorded.post_id, created=True)


def _handoff_for(
    session: Session, vault: Vault, workspace_id: int, case_id: int, agent_id: int, hours: int
) -> tuple[PrivateHandoff, str, bool]:
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    conversation = session.get_one(Conversation, case.conversation_id)
    if conversation.is_private:
        raise InvalidAction("this conversation is private already")
    if case.customer_id is None:
        raise InvalidAction("this case has no customer to continue with privately")
    now = utcnow()
    handoff = case_handoff(session, workspace_id, case.id)
    created = False
    if handoff is None:
        handoff = PrivateHandoff(
            workspace_id=workspace_id,
            case_id=case.id,
            customer_id=case.customer_id,
            agent_id=agent_id,
            nonce=secrets.token_urlsafe(9),
            expires_at=now + timedelta(hours=hours),
        )
        session.add(handoff)
        created = True
    elif as_utc(handoff.expires_at) <= now or handoff.revoked_at is not None:
        if handoff.revoked_at is not None:
            # Whoever claimed the withdrawn link is not trusted with what follows: the new link may be
            # claimed afresh and starts an empty conversation. The old one stays for the agents.
            _set_aside_conversation(session, handoff)
            handoff.bound_subject = None
        # An expired link stays its owner's: only the address that verified it may sign in through the
        # new one, so their conversation is never shown to whoever claims the new link first.
        handoff.nonce = secrets.token_urlsafe(9)  # voids the old link
        handoff.expires_at = now + timedelta(hours=hours)
        handoff.public_post_id = None
        handoff.revoked_at = None
        _end_sessions(session, handoff.id)  # everyone signs in again, through the new link
        created = True
    session.flush()
    _ensure_private_channel(session, vault, workspace_id)
    _ensure_private_identity(session, workspace_id, case.customer_id, now)
    return handoff, public_reply_template(session, workspace_id), created


WITHDRAWN_NOTE = "The private link was withdrawn: it no longer opens the private conversation."


def withdraw_link(db: Database, workspace_id: int, case_id: int, agent_id: int | None) -> bool:
    """Withdraw the private link of public case `case_id` by hand (posted in the wrong thread, or the
    customer asked): it opens nothing from then on, the sessions opened through it end and unused
    codes are voided. The case gets a note saying so. False when it was withdrawn already.

    The private conversation and its case stay as they are; moving the case to private again sends a
    new link (`move_to_private`).
    """
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        handoff = case_handoff(session, workspace_id, case_id)
        if handoff is None:
            raise NotFound(f"case {case_id} has no private link")
        if handoff.revoked_at is not None:
            return False
        handoff.revoked_at = utcnow()
        _end_sessions(session, handoff.id)
        # On the private case too, where agents answer: the customer can no longer read the replies.
        conversation = private_conversation(session, workspace_id, handoff.id)
        private_case = (
            session.scalar(select(Case.id).where(Case.conversation_id == conversation.id))
            if conversation is not None
            else None
        )
        for noted in (case_id, private_case):
            if noted is not None:
                session.add(
                    Note(workspace_id=workspace_id, case_id=noted, agent_id=agent_id, body=WITHDRAWN_NOTE)
                )
        # An open private page hears it at once (web/pages/private_live.py), after the commit.
        events.record(session, Event(HANDOFF_WITHDRAWN, workspace_id, {"handoff_id": handoff.id}), handoff.id)
    return True


def _end_sessions(session: Session, handoff_id: int) -> None:
    """Sign out everyone signed in through the hand-off's link, and void the codes not used yet."""
    session.execute(delete(PrivateSession).where(PrivateSession.handoff_id == handoff_id))
    session.execute(
        delete(PrivateSignInCode).where(
            PrivateSignInCode.handoff_id == handoff_id, PrivateSignInCode.used_at.is_(None)
        )
    )


def _set_aside_conversation(session: Session, handoff: PrivateHandoff) -> None:
    """Give the withdrawn link's conversation a key of its own, so that the next message through the
    renewed link opens a new one; the old one and its case stay as they are."""
    conversation = private_conversation(session, handoff.workspace_id, handoff.id)
    if conversation is not None and handoff.revoked_at is not None:
        conversation.external_key = withdrawn_key(handoff.id, as_utc(handoff.revoked_at))


def _ensure_private_channel(session: Session, vault: Vault, workspace_id: int) -> ChannelAccount:
    """The workspace's private-page channel, active, so that the outbox delivers replies on it."""
    workspace = session.get_one(Workspace, workspace_id)
    channel = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.workspace_id == workspace_id, ChannelAccount.network == NETWORK
        )
    ).first()
    if channel is None:
        channel = ChannelAccount(
            workspace_id=workspace_id, network=NETWORK, handle=workspace.slug, display_name=workspace.name
        )
        session.add(channel)
    if channel.credentials is None:
        channel.credentials = vault.seal({})  # nothing secret: the page is SocialDesk's own
    channel.status = ACTIVE
    session.flush()
    return channel


def _ensure_private_identity(session: Session, workspace_id: int, customer_id: int, now: datetime) -> None:
    found = session.scalar(
        select(Identity.id)
        .where(
            Identity.workspace_id == workspace_id,
            Identity.network == NETWORK,
            Identity.customer_id == customer_id,
        )
        .limit(1)
    )
    if found is None:
        customer = session.get_one(Customer, customer_id)
        session.add(
            Identity(
                workspace_id=workspace_id,
                customer_id=customer_id,
                network=NETWORK,
                external_id=private_author_id(customer_id),
                handle=customer.display_name,
                name=customer.display_name,
                last_seen_at=now,
            )
        )
        session.flush()


def private_channel_handle(session: Session, workspace_id: int) -> str:
    handle = session.scalar(
        select(ChannelAccount.handle).where(
            ChannelAccount.workspace_id == workspace_id, ChannelAccount.network == NETWORK
        )
    )
    if handle is None:
        raise NotFound("this workspace has no private page")
    return handle


def open_link(db: Database, key: bytes, token: str) -> OpenedLink:
    """The hand-off a genuine, unexpired and current link points to; LinkRefused otherwise."""
    claims = verify_link(key, token, utcnow())
    with db.read() as session:
        handoff = session.get(PrivateHandoff, claims.handoff_id)
        if handoff is None:
            raise LinkInvalid("This link is not valid. Check that it was copied whole.")
        if not secrets.compare_digest(handoff.nonce, claims.nonce):
            raise LinkExpired("This link was replaced by a newer one. Use the newest link we sent you.")
        if handoff.revoked_at is not None:
            raise LinkWithdrawn
        brand = session.get_one(Workspace, handoff.workspace_id).name
        return OpenedLink(handoff.id, handoff.workspace_id, brand, handoff.bound_subject)
