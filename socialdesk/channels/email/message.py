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
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from socialdesk.channels.base import Account
from socialdesk.channels.email.html_text import html_to_text
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundPost

NETWORK = "email"
MAX_ID = 512  # the longest id the store keeps (posts.external_id)
MAX_ADDRESS = 320  # RFC 5321: 64 + 1 + 255
MAX_NAME = 200

# A header line: a field name (printable ASCII but ":"), optional blanks (obsolete syntax), a colon.
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_SURROGATE = re.compile("[\ud800-\udfff]")
_RE_PREFIX = re.compile(r"^\s*re\s*(\[\d+\])?\s*:", re.IGNORECASE)
# The email package's header parser has rare edge-case crashes on hostile headers; such a header is
# read as absent (or, for From, reported) instead of failing the whole message.
_HEADER_BUGS = (errors.HeaderParseError, ValueError, IndexError, TypeError, AttributeError, LookupError)
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
# Charset labels mail clients write, read as the supersets they mean in practice (as browsers do:
# "iso-8859-1" mail is written in Windows-1252, "gb2312" in GB18030, and so on).
_CHARSETS = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "x-mac-roman": "mac-roman",
    "big5": "big5hkscs",
}


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
    body = _Body()
    _collect(msg, body)
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
    except _HEADER_BUGS:
        return None
    if value is None:
        return None
    text = _clean(str(value)).strip()
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
    except _HEADER_BUGS:
        pass
    # The stdlib's older address parser also reads a name given as a comment ("a@b.example (Name)").
    plain = getaddresses([_clean(str(v)) for k, v in msg.raw_items() if k.lower() == "from"])
    if not any("@" in spec for _, spec in found):
        found = plain
    for name, spec in found:
        spec = _clean(spec).strip()
        if "@" in spec and not re.search(r"[\s\x00-\x1f\x7f]", spec):
            if len(spec) > MAX_ADDRESS:
                raise PayloadError(f"the From address is longer than {MAX_ADDRESS} characters")
            if not name.strip():
                name = next((n for n, s in plain if s.strip().lower() == spec.lower() and n), "")
                name = "" if "=?" in name else name  # a comment is not decoded by that parser
            display = _clean(name).strip().strip('"').strip()
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
    except _HEADER_BUGS:
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


# Body -----------------------------------------------------------------------------------------------


@dataclass
class _Body:
    parts: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    from_html: bool = False

    def text(self) -> str:
        return "\n".join(p.strip("\n") for p in self.parts if p.strip()).strip("\n")


def _collect(part: Message, body: _Body) -> None:
    """Walk the MIME tree: text parts in order, one version of an alternative, attachments noted."""
    ctype = part.get_content_type()
    if ctype.startswith("message/") or _is_attachment(part):
        _note_attachment(part, body)
        return
    if part.is_multipart():
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        if ctype == "multipart/alternative":
            _collect_alternative(children, body)
        else:
            for child in children:
                _collect(child, body)
        return
    if ctype == "text/plain":
        body.parts.append(_plain_text(part))
    elif ctype == "text/html":
        body.parts.append(html_to_text(_decoded(part)))
        body.from_html = True
    else:
        _note_attachment(part, body)


def _collect_alternative(children: list[Message], body: _Body) -> None:
    """The text/plain version when it says something, else the richest (last) version that does."""
    plain = [c for c in children if c.get_content_type() == "text/plain" and not _is_attachment(c)]
    candidates = plain[:1] + list(reversed([c for c in children if c not in plain[:1]]))
    for candidate in candidates:
        found = _Body()
        _collect(candidate, found)
        if found.text().strip():
            body.parts.extend(found.parts)
            body.attachments.extend(found.attachments)
            body.from_html = body.from_html or found.from_html
            return


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment" or bool(part.get_filename())
    except _HEADER_BUGS:
        return True


def _note_attachment(part: Message, body: _Body) -> None:
    try:
        name = part.get_filename()
    except _HEADER_BUGS:
        name = None
    data = part.get_payload(decode=True) if not part.is_multipart() else None
    note: dict[str, Any] = {"content_type": part.get_content_type()}
    if name:
        note["filename"] = _clean(name)
    if isinstance(data, bytes):
        note["size"] = len(data)
    body.attachments.append(note)


def _plain_text(part: Message) -> str:
    text = _decoded(part)
    if str(part.get_param("format", "", header="content-type") or "").lower() == "flowed":
        delsp = str(part.get_param("delsp", "", header="content-type") or "").lower() == "yes"
        text = unflow(text, delsp)
    return text


def _decoded(part: Message) -> str:
    """A leaf part's text: transfer encoding undone, charset decoded, line ends made "\\n"."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    text = decode_bytes(data, part.get_content_charset())
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "\ufffd")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset, decoded as well as can be: the declared one (read as the superset
    mail clients mean by it), UTF-8 when that fails or none is declared, Windows-1252 as the last word."""
    label = (charset or "").strip().strip('"').lower()
    codec = _CHARSETS.get(label, label)
    if codec == "cp1252" and _is_utf8(data):
        codec = "utf-8"  # 8-bit UTF-8 labelled as ASCII (or not at all) is common and unambiguous
    for candidate, errors_ in ((codec, "strict"), ("utf-8", "strict"), (codec, "replace")):
        if not candidate:
            continue
        try:
            return data.decode(candidate, errors_)
        except (LookupError, ValueError):  # unknown or unusable label (ValueError: a NUL in it)
            continue
    return data.decode("cp1252", "replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def unflow(text: str, delsp: bool = False) -> str:
    """Undo format=flowed (RFC 3676): soft line breaks joined, space-stuffing removed, quote marks
    kept in front of each joined line."""
    out: list[str] = []
    paragraph: list[str] = []
    paragraph_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if paragraph and depth != paragraph_depth:
            out.append(_quoted(paragraph_depth, "".join(paragraph)))
            paragraph = []
        flowed = content.endswith(" ") and content != "-- "
        if flowed:
            paragraph.append(content[:-1] if delsp else content)
            paragraph_depth = depth
            continue
        paragraph.append(content)
        out.append(_quoted(depth, "".join(paragraph)))
        paragraph = []
    if paragraph:
        out.append(_quoted(paragraph_depth, "".join(paragraph)))
    return "\n".join(out)


def _quoted(depth: int, text: str) -> str:
    if not depth:
        return text
    return ">" * depth + (" " + text if text else "")


def _clean(text: str) -> str:
    """A header value or name the store can hold: raw 8-bit bytes the email package kept as
    surrogates are decoded (UTF-8, else Windows-1252), NULs replaced."""
    if _SURROGATE.search(text):
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "replace")
        text = decode_bytes(data, None)
    return text.replace("\x00", "\ufffd")
