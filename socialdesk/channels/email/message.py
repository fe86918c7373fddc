"""One RFC 5322 / MIME message (the bytes of an .eml file, or what IMAP returns) as a normalised post.

The post's id is the Message-ID as written, angle brackets included; the thread is the first id in
References (else In-Reply-To, else the message's own id), which is the thread's first message whoever
replied in between, so one mail thread is one conversation. The text is the text/plain body decoded
(transfer encoding, charset, format=flowed) and otherwise untouched: quoted earlier messages and
signatures stay, as the customer sent them. Mail that only has HTML is turned into plain text.

Mail that is not written by a person is still a post, flagged in `raw["auto"]`: auto-replies
("auto-replied", "auto-generated": out-of-office notices, ticket confirmations) and bounces ("bounce",
threaded to the message that bounced, so the agent sees the reply did not arrive). Read receipts
(message disposition notifications) carry no post.

The body's text (the MIME walk, charsets, format=flowed) comes from body.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from socialdesk.channels.base import Account
from socialdesk.channels.email.body import HEADER_BUGS, Body, clean_text, collect
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundPost

NETWORK = "email"
MAX_ID = 512  # the longest id the store keeps (posts.external_id)
MAX_ADDRESS = 320  # RFC 5321: 64 + 1 + 255
MAX_NAME = 200

# A header line: a field name (printable ASCII but ":"), optional blanks (obsolete syntax), a colon.
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_RE_PREFIX = re.compile(r"^\s*re\s*(\[\d+\])?\s*:", re.IGNORECASE)
_CUT_OFF = (errors.StartBoundaryNotFoundDefect, errors.CloseBoundaryNotFoundDefect)
_USEFUL_HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Date",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "Content-Type",
    "X-Mailer",
)


def split_mailbox(data: bytes) -> list[bytes]:
    """One message per .eml file; an mbox file (messages after "From " lines) is split into its
    messages, with mboxrd's ">From " quoting undone."""
    if not data.strip():
        return []
    if not data.startswith(b"From "):
        return [data]
    messages: list[bytes] = []
    for chunk in re.split(rb"(?:^|\r?\n)From [^\r\n]*\r?\n", data):
        if chunk.strip():
            messages.append(re.sub(rb"(?m)^>(>*From )", rb"\1", chunk))
    return messages


def parse_message(
    payload: bytes, account: Account | None = None, arrived: datetime | None = None
) -> list[InboundPost]:
    """The post one message makes ([] for a read receipt); PayloadError for bytes that are no e-mail.

    `arrived` (the IMAP INTERNALDATE) dates a message that carries no Date and no Received header.
    """
    if payload.startswith(b"From "):  # an mbox separator line saved with the message
        payload = payload.split(b"\n", 1)[1] if b"\n" in payload else b""
    _check_looks_like_mail(payload)
    msg = BytesParser(policy=policy.default).parsebytes(payload)
    assert isinstance(msg, EmailMessage)
    if not msg.keys():
        raise PayloadError("this is not an e-mail: it has no headers")
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "disposition-notification":
        return []
    author_address, author_name = _sender(msg)
    body = Body()
    collect(msg, body)
    _check_complete(msg)

    header_id = _header(msg, "Message-ID")
    own_ids = message_ids(header_id)
    message_id = own_ids[0] if own_ids else _derived_id(payload)
    references = message_ids(_header(msg, "References"))
    reply_ids = message_ids(_header(msg, "In-Reply-To"))
    in_reply_to = reply_ids[0] if reply_ids else None
    conversation = references[0] if references else in_reply_to or message_id

    raw: dict[str, Any] = {
        "subject": _header(msg, "Subject"),
        "message_id": header_id,
        "references": references,
        "headers": {name.lower(): v for name in _USEFUL_HEADERS if (v := _header(msg, name))},
    }
    if not own_ids:
        raw["message_id_derived"] = True  # no usable Message-ID: the id is a hash of the message
    if body.attachments:
        raw["attachments"] = body.attachments
    if body.from_html:
        raw["text_from_html"] = True
    auto = _auto(msg, author_address)
    if auto:
        raw["auto"] = auto
    if auto == "bounce":
        bounced = _bounced(msg)
        if bounced is not None:
            raw.update(bounced.raw)
            if in_reply_to is None and bounced.message_id:
                in_reply_to = bounced.message_id
                conversation = bounced.conversation or bounced.message_id

    handle = account.handle.strip().lower() if account is not None else None
    author_id = author_address.lower()
    created_at = _created_at(msg, arrived)
    return [
        InboundPost(
            network=NETWORK,
            external_id=message_id,
            direction=Direction.OUTBOUND if handle and author_id == handle else Direction.INBOUND,
            author_id=author_id,
            author_handle=author_address,
            author_name=author_name,
            text=body.text(),
            created_at=created_at,
            channel=account.handle if account is not None else None,
            in_reply_to=in_reply_to,
            private=True,
            conversation_key=conversation,
            raw=raw,
        )
    ]


def reply_subject(subject: str | None) -> str:
    """The subject of a reply: "Re: " once in front of the customer's subject."""
    subject = re.sub(r"[\r\n]+\s*", " ", subject or "").strip()
    if _RE_PREFIX.match(subject):
        return subject
    return f"Re: {subject}" if subject else "Re:"


# Checks ---------------------------------------------------------------------------------------------


def _check_looks_like_mail(payload: bytes) -> None:
    if not payload.strip():
        raise PayloadError("the message is empty")
    if not _HEADER_LINE.match(payload):
        raise PayloadError("this is not an e-mail: it does not start with a header line (Name: value)")
    end = re.search(rb"\r?\n\r?\n", payload)
    headers = payload[: end.start()] if end else payload
    if b"\x00" in headers:
        raise PayloadError("this is not an e-mail: its headers hold binary data (NUL bytes)")


def _check_complete(msg: Message) -> None:
    for part in msg.walk():
        for defect in part.defects:
            if isinstance(defect, _CUT_OFF):
                raise PayloadError(
                    "the message is cut off: a multipart body ends before its closing MIME boundary"
                )
            if isinstance(defect, errors.InvalidBase64LengthDefect):
                raise PayloadError("the message is cut off: a base64 part ends in the middle of a block")


# Headers --------------------------------------------------------------------------------------------


def _header(msg: Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except HEADER_BUGS:
        return None
    if value is None:
        return None
    text = clean_text(str(value)).strip()
    return text or None


def _sender(msg: EmailMessage) -> tuple[str, str | None]:
    """The From address and the decoded display name."""
    if "From" not in msg:
        raise PayloadError("the message has no From header")
    found: list[tuple[str, str]] = []
    try:
        header = msg["From"]
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        found = [(a.display_name, a.addr_spec) for a in addresses]
    except HEADER_BUGS:
        pass
    # The stdlib's older address parser also reads a name given as a comment ("a@b.example (Name)").
    plain = getaddresses([clean_text(str(v)) for k, v in msg.raw_items() if k.lower() == "from"])
    if not any("@" in spec for _, spec in found):
        found = plain
    for name, spec in found:
        spec = clean_text(spec).strip()
        if "@" in spec and not re.search(r"[\s\x00-\x1f\x7f]", spec):
            if len(spec) > MAX_ADDRESS:
                raise PayloadError(f"the From address is longer than {MAX_ADDRESS} characters")
            if not name.strip():
                name = next((n for n, s in plain if s.strip().lower() == spec.lower() and n), "")
                name = "" if "=?" in name else name  # a comment is not decoded by that parser
            display = clean_text(name).strip().strip('"').strip()
            return spec, display[:MAX_NAME] or None
    raise PayloadError("the message's From header holds no e-mail address")


def message_ids(value: str | None) -> list[str]:
    """The <message ids> in a Message-ID, References or In-Reply-To header, in order."""
    if not value:
        return []
    found = [i for i in _MSG_ID.findall(value) if len(i) <= MAX_ID]
    token = value.strip()
    if not found and "@" in token and not re.search(r"[\s<>]", token) and len(token) + 2 <= MAX_ID:
        found = [f"<{token}>"]  # a bare id some senders write without brackets
    return list(dict.fromkeys(found))


def _derived_id(payload: bytes) -> str:
    """A stable id for a message without one: the same bytes (any line endings) give the same id."""
    digest = hashlib.sha256(payload.replace(b"\r\n", b"\n")).hexdigest()[:40]
    return f"<{digest}@no-message-id.socialdesk.invalid>"


def _created_at(msg: Message, arrived: datetime | None) -> datetime:
    try:
        header = msg.get("Date")
        written = getattr(header, "datetime", None) if header is not None else None
    except HEADER_BUGS:
        written = None
    if isinstance(written, datetime):
        return _utc(written)
    received = []
    for value in msg.get_all("Received", []) or []:
        _, _, stamp = str(value).rpartition(";")
        try:
            received.append(_utc(parsedate_to_datetime(stamp.strip())))
        except (TypeError, ValueError, IndexError):
            continue
    if received:
        return max(received)
    if arrived is not None:
        return _utc(arrived)
    raise PayloadError("the message has no readable Date and no Received header to date it by")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _report_type(msg: Message) -> str:
    return str(msg.get_param("report-type", "", header="content-type") or "").lower()


def _auto(msg: Message, author: str) -> str | None:
    """What kind of machine wrote the message, if one did (RFC 3834 Auto-Submitted, DSNs)."""
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "delivery-status":
        return "bounce"
    if author.split("@")[0].lower() in ("mailer-daemon", "postmaster"):
        return "bounce"
    submitted = (_header(msg, "Auto-Submitted") or "no").split(";")[0].strip().lower()
    if submitted != "no":
        return submitted
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return "auto-replied"
    if (_header(msg, "Precedence") or "").lower() == "auto_reply":
        return "auto-replied"
    return None


@dataclass(frozen=True, slots=True)
class _Bounced:
    message_id: str | None
    conversation: str | None
    raw: dict[str, Any]


def _bounced(msg: EmailMessage) -> _Bounced | None:
    """The message a bounce returns (its headers, RFC 3464/6522), and what the report says."""
    returned: Message | None = None
    statuses: list[dict[str, str]] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global") and returned is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                returned = inner[0]
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers") and returned is None:
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                returned = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
        elif ctype in ("message/delivery-status", "message/global-delivery-status"):
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                status = {
                    key.lower(): " ".join(value.split())  # folded over lines in the report
                    for key in ("Final-Recipient", "Action", "Status", "Diagnostic-Code")
                    if isinstance(block, Message) and (value := _header(block, key))
                }
                if status:
                    statuses.append(status)
    if returned is None and not statuses:
        return None
    original = message_ids(_header(returned, "Message-ID")) if returned is not None else []
    references = message_ids(_header(returned, "References")) if returned is not None else []
    raw: dict[str, Any] = {}
    if original:
        raw["bounce_of"] = original[0]
    if statuses:
        raw["delivery_status"] = statuses
    return _Bounced(original[0] if original else None, references[0] if references else None, raw)
