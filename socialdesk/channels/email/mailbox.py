"""The support mailbox over IMAP (RFC 3501, stdlib imaplib): new mail by UID, and the Sent folder.

Folders are only ever opened read-only (EXAMINE) and bodies fetched with BODY.PEEK[], so polling
never marks a customer's mail as read for the people who also use the mailbox. Every failure becomes
one of SocialDesk's channel errors: a dropped or slow connection TemporaryError, a refused login or a
certificate that does not verify CredentialsError; passwords appear in no message.
"""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from socialdesk.channels.email.config import Server
from socialdesk.channels.email.socket_errors import socket_errors
from socialdesk.core.errors import ChannelError, CredentialsError, TemporaryError

_RECORD = re.compile(rb"^\d+ \(")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"'
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TRYCREATE = b"[TRYCREATE]"
SEARCH_WINDOW = 5000  # UIDs per UID SEARCH while looking for new mail


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    body: bytes
    arrived: datetime | None


@dataclass(frozen=True, slots=True)
class Folder:
    validity: int  # UIDVALIDITY: while it stays the same, a UID names the same message
    uidnext: int | None  # the UID the next message will get (RFC 3501 requires it; None if missing)


@dataclass(frozen=True, slots=True)
class NewMail:
    uids: list[int]  # in order
    searched_to: int  # every UID up to here was searched: none is new beyond `uids`


class Mailbox:
    """One logged-in IMAP session (use `open_mailbox`)."""

    def __init__(self, connection: imaplib.IMAP4) -> None:
        self.connection = connection

    def examine(self, folder: str) -> Folder | None:
        """Open `folder` read-only; None when there is no such folder."""
        typ, _data = self.connection.select(folder_name(folder), readonly=True)
        if typ != "OK":
            return None
        return Folder(
            _number(self.connection.response("UIDVALIDITY")[1]) or 0,
            _number(self.connection.response("UIDNEXT")[1]),
        )

    def uids_after(self, last: int, folder: Folder, enough: int) -> NewMail:
        """UIDs above `last`, searched a window at a time until `enough` are found or UIDNEXT is
        reached, so a first look at a large mailbox does not ask for all its UIDs in one answer
        (imaplib refuses a line over 1 MB)."""
        if folder.uidnext is None:
            # "last+1:*" always matches the newest message, even one older than `last` (RFC 3501
            # 6.4.8: "*" is the highest UID in use): filtered out.
            found = [u for u in self._search(f"{last + 1}:*") if u > last]
            return NewMail(found, found[-1] if found else last)
        found = []
        start, top = last + 1, folder.uidnext - 1
        while start <= top and len(found) < enough:
            end = min(start + SEARCH_WINDOW - 1, top)
            found += [u for u in self._search(f"{start}:{end}") if start <= u <= end]
            start = end + 1
        return NewMail(found, start - 1)

    def _search(self, uid_set: str) -> list[int]:
        typ, data = self.connection.uid("SEARCH", f"UID {uid_set}")
        _ok(typ, data, "UID SEARCH")
        words = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return sorted({int(w) for w in words if w.isdigit()})

    def sizes(self, uids: list[int]) -> dict[int, int]:
        if not uids:
            return {}
        typ, data = self.connection.uid("FETCH", _set(uids), "(UID RFC822.SIZE)")
        _ok(typ, data, "UID FETCH")
        found = {}
        for head, _ in _records(data):
            uid, size = _UID.search(head), _SIZE.search(head)
            if uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uids: list[int]) -> list[Fetched]:
        """The whole messages, unread flags untouched; messages expunged meanwhile are left out."""
        if not uids:
            return []
        typ, data = self.connection.uid("FETCH", _set(uids), "(UID INTERNALDATE BODY.PEEK[])")
        _ok(typ, data, "UID FETCH")
        found = []
        for head, body in _records(data):
            uid = _UID.search(head)
            if uid and body is not None:
                found.append(Fetched(int(uid.group(1)), body, internaldate(head)))
        return sorted(found, key=lambda f: f.uid)

    def search_header(self, name: str, value: str) -> list[int]:
        typ, data = self.connection.uid("SEARCH", "HEADER", name, _quoted(value))
        _ok(typ, data, "UID SEARCH")
        words = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return [int(w) for w in words if w.isdigit()]

    def arrived(self, uid: int) -> datetime | None:
        typ, data = self.connection.uid("FETCH", str(uid), "(UID INTERNALDATE)")
        _ok(typ, data, "UID FETCH")
        for head, _ in _records(data):
            return internaldate(head)
        return None

    def append(self, folder: str, message: bytes, when: datetime) -> None:
        """Store `message` in `folder`, creating the folder when the server says it is missing."""
        name = folder_name(folder)
        stamp = imaplib.Time2Internaldate(when.timestamp())
        typ, data = self.connection.append(name, r"(\Seen)", stamp, message)
        if typ != "OK" and any(isinstance(d, bytes) and _TRYCREATE in d for d in data):
            self.connection.create(name)
            typ, data = self.connection.append(name, r"(\Seen)", stamp, message)
        _ok(typ, data, f"APPEND to {folder}")


@contextmanager
def open_mailbox(server: Server) -> Iterator[Mailbox]:
    """A logged-in session for the block; logged out afterwards, whatever happened."""
    with imap_errors(server):
        connection = _connect(server)
    try:
        with imap_errors(server):
            _login(connection, server)
            yield Mailbox(connection)
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            connection.logout()


@contextmanager
def imap_errors(server: Server) -> Iterator[None]:
    """IMAP and socket failures as channel errors that say which server and what happened."""
    where = f"the IMAP server {server.host}:{server.port}"
    with socket_errors(where):
        try:
            yield
        except imaplib.IMAP4.abort as exc:
            raise TemporaryError(f"{where} dropped the connection: {_text(exc)}") from exc
        except imaplib.IMAP4.error as exc:
            raise ChannelError(f"{where} refused a command: {_text(exc)}") from exc


def _connect(server: Server) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if server.security == "ssl":
        return imaplib.IMAP4_SSL(server.host, server.port, ssl_context=context, timeout=server.timeout)
    connection = imaplib.IMAP4(server.host, server.port, timeout=server.timeout)
    if server.security == "starttls":
        try:
            connection.starttls(ssl_context=context)
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            connection.shutdown()
            raise CredentialsError(
                f"the IMAP server {server.host}:{server.port} does not offer STARTTLS: {_text(exc)}"
            ) from exc
    return connection


def _login(connection: imaplib.IMAP4, server: Server) -> None:
    user, password = server.user or "", server.password or ""
    try:
        if user.isascii() and password.isascii():
            connection.login(user, password)
        else:  # LOGIN takes ASCII only; SASL PLAIN carries UTF-8 (RFC 4616)
            secret = f"\0{user}\0{password}".encode()
            connection.authenticate("PLAIN", lambda _: secret)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        reason = _text(exc)
        if "[UNAVAILABLE]" in reason:
            raise TemporaryError(f"the IMAP server {server.host} cannot log in now: {reason}") from exc
        raise CredentialsError(f"the IMAP server {server.host} refused the login: {reason}") from exc


def folder_name(folder: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    return _quoted(_mutf7(folder))


def _mutf7(name: str) -> str:
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(encoded).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _records(data: Sequence[object]) -> Iterator[tuple[bytes, bytes | None]]:
    """FETCH responses as (the response text around the literal, the literal): imaplib hands a
    response with a literal over as a (text-before, literal) tuple followed by the text after it."""
    head: bytes | None = None
    body: bytes | None = None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            before, literal = item
            if isinstance(before, bytes) and _RECORD.match(before):
                if head is not None:
                    yield head, body
                head, body = before, literal if isinstance(literal, bytes) else None
            elif head is not None and isinstance(before, bytes):
                head += before
        elif isinstance(item, bytes):
            if _RECORD.match(item):
                if head is not None:
                    yield head, body
                head, body = item, None
            elif head is not None:
                head += item
    if head is not None:
        yield head, body


def internaldate(head: bytes) -> datetime | None:
    """INTERNALDATE "17-Jul-1996 02:44:25 -0700" (read without the locale, unlike strptime's %b)."""
    found = _INTERNALDATE.search(head)
    if found is None:
        return None
    day, month, year, hour, minute, second, sign, tz_hours, tz_minutes = found.groups()
    month_number = _MONTHS.get(month.decode().title())
    if month_number is None:
        return None
    offset = timedelta(hours=int(tz_hours), minutes=int(tz_minutes)) * (-1 if sign == b"-" else 1)
    try:
        local = datetime(
            int(year), month_number, int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset)
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def _number(data: Sequence[object]) -> int | None:
    """The number in an untagged response code (UIDVALIDITY, UIDNEXT)."""
    value = data[-1] if data else None
    if isinstance(value, bytes) and value.strip().isdigit():
        return int(value)
    return None


def _ok(typ: str, data: Sequence[object], what: str) -> None:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ChannelError(f"the IMAP server answered {typ} to {what}: {detail or 'no reason given'}")


def _text(exc: BaseException) -> str:
    value = exc.args[0] if exc.args else exc
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
