"""The text of a message's body: the MIME tree walked (one version of each alternative, attachments
noted, not kept), transfer encodings and charsets decoded, format=flowed undone, HTML made plain text.

message.py reads the headers and makes the post; this module gives it the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors
from email.message import Message
from typing import Any

from socialdesk.channels.email.html_text import html_to_text

# The email package's header parser has rare edge-case crashes on hostile headers; such a header is
# read as absent (or, for From, reported) instead of failing the whole message.
HEADER_BUGS = (errors.HeaderParseError, ValueError, IndexError, TypeError, AttributeError, LookupError)
_SURROGATE = re.compile("[\ud800-\udfff]")

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


# The MIME walk -------------------------------------------------------------------------------------


@dataclass
class Body:
    parts: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    from_html: bool = False

    def text(self) -> str:
        return "\n".join(p.strip("\n") for p in self.parts if p.strip()).strip("\n")


def collect(part: Message, body: Body) -> None:
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
                collect(child, body)
        return
    if ctype == "text/plain":
        body.parts.append(_plain_text(part))
    elif ctype == "text/html":
        body.parts.append(html_to_text(_decoded(part)))
        body.from_html = True
    else:
        _note_attachment(part, body)


def _collect_alternative(children: list[Message], body: Body) -> None:
    """The text/plain version when it says something, else the richest (last) version that does."""
    plain = [c for c in children if c.get_content_type() == "text/plain" and not _is_attachment(c)]
    candidates = plain[:1] + list(reversed([c for c in children if c not in plain[:1]]))
    for candidate in candidates:
        found = Body()
        collect(candidate, found)
        if found.text().strip():
            body.parts.extend(found.parts)
            body.attachments.extend(found.attachments)
            body.from_html = body.from_html or found.from_html
            return


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment" or bool(part.get_filename())
    except HEADER_BUGS:
        return True


def _note_attachment(part: Message, body: Body) -> None:
    try:
        name = part.get_filename()
    except HEADER_BUGS:
        name = None
    data = part.get_payload(decode=True) if not part.is_multipart() else None
    note: dict[str, Any] = {"content_type": part.get_content_type()}
    if name:
        note["filename"] = clean_text(name)
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


def clean_text(text: str) -> str:
    """A header value or name the store can hold: raw 8-bit bytes the email package kept as
    surrogates are decoded (UTF-8, else Windows-1252), NULs replaced."""
    if _SURROGATE.search(text):
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "replace")
        text = decode_bytes(data, None)
    return text.replace("\x00", "\ufffd")
