"""A customer signs in on the private page with a one-time code mailed to them.

- A code is 6 random digits, kept only as an HMAC keyed from the app secret and bound to the hand-off
  and the address, so a leaked table alone reveals no code. It works for 10 minutes, once; 5 wrong
  tries void it. Asking for a new code voids the older ones.
- At most 3 codes per hand-off in 10 minutes and 5 per address in an hour: a public link cannot be
  used to flood someone's mailbox or to guess codes at leisure.
- The first address verified through a link owns it; another address is refused (LinkTaken).
- The verified address becomes the customer's e-mail identity. If that address already belongs to
  another customer, the two are flagged for merge (`VerifiedIdentity.conflict_customer_id`), never
  merged here: only an agent can tell two people from one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from socialdesk.accounts.tokens import digest, new_secret
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import InvalidAction, SocialDeskError
from socialdesk.pipeline.handoff_links import LinkTaken, LinkWithdrawn
from socialdesk.store.db import Database
from socialdesk.store.models import (
    Identity,
    PrivateHandoff,
    PrivateSession,
    PrivateSignInCode,
    VerifiedIdentity,
)

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
CODES_PER_HANDOFF = 3  # in CODE_MINUTES
CODES_PER_ADDRESS = 5  # in an hour
METHOD_EMAIL = "email"
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class SignInRefused(SocialDeskError):
    """A code request or check that did not work; the message is meant for the customer."""

    status = 400


class TooManyCodes(SignInRefused):
    status = 429


class WrongCode(SignInRefused):
    status = 400


@dataclass(frozen=True, slots=True)
class CodeIssued:
    email: str
    code: str  # to be mailed, then forgotten


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_secret: str  # the cookie value; only its digest is stored
    verified_identity_id: int
    conflict_customer_id: int | None


@dataclass(frozen=True, slots=True)
class CustomerSession:
    handoff_id: int
    workspace_id: int
    email: str


def normalise_address(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 320 or not _ADDRESS.fullmatch(email):
        raise InvalidAction("Please enter a valid e-mail address, like name@example.com.")
    return email


def code_digest(key: bytes, handoff_id: int, email: str, code: str) -> str:
    message = f"socialdesk/private-sign-in/v1:{handoff_id}:{email}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def request_code(db: Database, key: bytes, handoff_id: int, email: str) -> CodeIssued:
    email = normalise_address(email)
    now = utcnow()
    with db.write() as session:
        handoff = _locked(session, db, handoff_id)
        _check_owner(handoff, email)
        recent = session.scalar(
            select(func.count(PrivateSignInCode.id)).where(
                PrivateSignInCode.handoff_id == handoff_id,
                PrivateSignInCode.created_at > now - timedelta(minutes=CODE_MINUTES),
            )
        )
        by_address = session.scalar(
            select(func.count(PrivateSignInCode.id)).where(
                PrivateSignInCode.workspace_id == handoff.workspace_id,
                PrivateSignInCode.email == email,
                PrivateSignInCode.created_at > now - timedelta(hours=1),
            )
        )
        if (recent or 0) >= CODES_PER_HANDOFF or (by_address or 0) >= CODES_PER_ADDRESS:
            raise TooManyCodes("Too many codes were asked for. Please wait 10 minutes and try again.")
        session.execute(  # only the newest code counts
            update(PrivateSignInCode)
            .where(PrivateSignInCode.handoff_id == handoff_id, PrivateSignInCode.used_at.is_(None))
            .values(used_at=now)
        )
        code = f"{secrets.randbelow(10**6):06d}"
        session.add(
            PrivateSignInCode(
                workspace_id=handoff.workspace_id,
                handoff_id=handoff_id,
                email=email,
                code_digest=code_digest(key, handoff_id, email, code),
                expires_at=now + timedelta(minutes=CODE_MINUTES),
            )
        )
    return CodeIssued(email, code)


def _locked(session: Session, db: Database, handoff_id: int) -> PrivateHandoff:
    """The hand-off, read again once its workspace is locked, and still open: a link withdrawn while
    the customer was signing in lets nobody in (withdraw_link takes the same lock)."""
    handoff = session.get_one(PrivateHandoff, handoff_id)
    db.lock_workspace(session, handoff.workspace_id)
    session.refresh(handoff)
    if handoff.revoked_at is not None:
        raise LinkWithdrawn
    return handoff


def _check_owner(handoff: PrivateHandoff, subject: str, method: str = METHOD_EMAIL) -> None:
    if handoff.bound_subject is not None and handoff.bound_subject != f"{method}:{subject}":
        raise LinkTaken("This link was already used by someone else. Ask us for a new one.")


def verify_code(db: Database, key: bytes, handoff_id: int, email: str, code: str, hours: int) -> SignedIn:
    """Sign in with a mailed code: a session for this hand-off, and the address verified."""
    email = normalise_address(email)
    code = code.strip().replace(" ", "")
    now = utcnow()
    refused: SignInRefused | None = None
    with db.write() as session:  # a wrong try is counted even though the check fails
        handoff = _locked(session, db, handoff_id)
        _check_owner(handoff, email)
        row = session.scalars(
            select(PrivateSignInCode)
            .where(
                PrivateSignInCode.handoff_id == handoff_id,
                PrivateSignInCode.email == email,
                PrivateSignInCode.used_at.is_(None),
            )
            .order_by(PrivateSignInCode.created_at.desc(), PrivateSignInCode.id.desc())
            .limit(1)
        ).first()
        if row is None or as_utc(row.expires_at) <= now:
            refused = WrongCode("This code has expired or was replaced. Ask for a new code.")
        elif row.attempts >= MAX_ATTEMPTS:
            refused = WrongCode("Too many wrong tries. Ask for a new code.")
        else:
            expected = code_digest(key, handoff_id, email, code)
            if not hmac.compare_digest(row.code_digest, expected) or not code.isdigit():
                row.attempts += 1
                left = MAX_ATTEMPTS - row.attempts
                refused = WrongCode(
                    f"That code is not right. {left} {'try' if left == 1 else 'tries'} left."
                    if left
                    else "That code is not right, and it is now void. Ask for a new code."
                )
            else:
                row.used_at = now
                signed_in = _sign_in(session, key, handoff, METHOD_EMAIL, email, hours)
    if refused is not None:
        raise refused
    return signed_in


def sign_in_verified(
    db: Database, key: bytes, handoff_id: int, method: str, subject: str, hours: int
) -> SignedIn:
    """Sign in with an identity another party verified (an OpenID Connect provider's subject)."""
    if not subject or len(subject) > 320:
        raise SignInRefused("The sign-in did not name a usable account.")
    with db.write() as session:
        handoff = _locked(session, db, handoff_id)
        _check_owner(handoff, subject, method)
        return _sign_in(session, key, handoff, method, subject, hours)


def _sign_in(
    session: Session, key: bytes, handoff: PrivateHandoff, method: str, subject: str, hours: int
) -> SignedIn:
    """Bind the hand-off to the subject, make it the customer's identity (or flag the customer who
    already has it), and open a session."""
    now = utcnow()
    handoff.bound_subject = f"{method}:{subject}"
    identity = session.scalars(
        select(Identity).where(
            Identity.workspace_id == handoff.workspace_id,
            Identity.network == method,
            Identity.external_id == subject,
        )
    ).first()
    conflict: int | None = None
    if identity is None:
        identity = Identity(
            workspace_id=handoff.workspace_id,
            customer_id=handoff.customer_id,
            network=method,
            external_id=subject,
            handle=subject,
            last_seen_at=now,
        )
        session.add(identity)
        session.flush()
    elif identity.customer_id != handoff.customer_id:
        conflict = identity.customer_id  # flagged for an agent to merge; never merged here
    verified = session.scalars(
        select(VerifiedIdentity).where(
            VerifiedIdentity.workspace_id == handoff.workspace_id,
            VerifiedIdentity.customer_id == handoff.customer_id,
            VerifiedIdentity.method == method,
            VerifiedIdentity.subject == subject,
        )
    ).first()
    if verified is None:
        verified = VerifiedIdentity(
            workspace_id=handoff.workspace_id,
            customer_id=handoff.customer_id,
            method=method,
            subject=subject,
        )
        session.add(verified)
    verified.identity_id = None if conflict else identity.id
    verified.handoff_id = handoff.id
    verified.conflict_customer_id = conflict
    verified.verified_at = now
    session.flush()
    secret = new_secret()
    session.add(
        PrivateSession(
            workspace_id=handoff.workspace_id,
            handoff_id=handoff.id,
            verified_identity_id=verified.id,
            token_digest=digest(key, secret),
            expires_at=now + timedelta(hours=hours),
        )
    )
    return SignedIn(secret, verified.id, conflict)


def customer_session(db: Database, key: bytes, secret: str, handoff_id: int) -> CustomerSession | None:
    """The signed-in customer of hand-off `handoff_id`, or None (a session of another hand-off, an
    expired one, or none)."""
    if not secret:
        return None
    with db.read() as session:
        row = session.execute(
            select(PrivateSession, VerifiedIdentity.subject)
            .join(VerifiedIdentity, VerifiedIdentity.id == PrivateSession.verified_identity_id)
            .where(PrivateSession.token_digest == digest(key, secret))
        ).first()
        if row is None:
            return None
        found, email = row
        if found.handoff_id != handoff_id or as_utc(found.expires_at) <= utcnow():
            return None
        return CustomerSession(found.handoff_id, found.workspace_id, email)


def sign_out(db: Database, key: bytes, secret: str) -> None:
    with db.write() as session:
        row = session.scalars(
            select(PrivateSession).where(PrivateSession.token_digest == digest(key, secret))
        ).first()
        if row is not None:
            session.delete(row)
