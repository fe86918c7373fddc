"""Mastodon's text: status HTML back to what the author typed, and a post's length as Mastodon counts it.

Mastodon stores what the author typed and serves it rendered (TextFormatter): paragraphs become <p>,
single line breaks <br>, links are cut for display into <span class="invisible">, a visible part and
another invisible span, mentions and hashtags become links whose visible text is "@user" / "#tag". Other
servers send their own HTML through Mastodon's sanitizer (blockquote, pre, lists, headings survive).
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Elements that start a block of their own; blocks are separated by a blank line, as <p> is.
_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"})
_SKIPPED = frozenset({"script", "style", "template"})
_INVALID = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database stores them


def clean(text: str) -> str:
    """`text` with the characters no database can store (NUL, lone surrogates) replaced by U+FFFD."""
    return _INVALID.sub("\ufffd", text)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def _flush(self) -> None:
        block = "".join(self.current)
        if block.strip():
            self.blocks.append(block)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "br":
            self.current.append("\n")
        elif tag == "li":
            if "".join(self.current).strip():
                self.current.append("\n")
        elif tag == "img":
            # Some servers send custom emoji as images; their alt text is the ":shortcode:" typed.
            alt = dict(attrs).get("alt")
            if alt:
                self.current.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:  # <br />, <img ... />: no end tag follows
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        # Every span's text is kept: a link's invisible and ellipsis parts together are its full URL.
        if not self.skipping:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """The plain text of a status's HTML `content`: paragraphs separated by a blank line, <br> as a
    line break, links, mentions and hashtags as their text, entities decoded, nothing else dropped."""
    if "<" not in html and "&" not in html:
        return clean(html).strip()
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return clean("\n\n".join(parser.blocks)).strip()


# Mastodon's own patterns, simplified: a mention is @user or @user@domain not preceded by a word
# character or a slash; a URL is http(s):// up to the next space.
_MENTION = re.compile(r"(?<![/\w])@(\w+)(?:@[\w.-]+\w)?", re.UNICODE)
_URL = re.compile(r"https?://\S+")
URL_LENGTH = 23  # configuration.statuses.characters_reserved_per_url


def countable_length(text: str) -> int:
    """The length Mastodon's StatusLengthValidator gives `text`: grapheme clusters, a URL counting
    23 and a mention only its "@user" part (the domain is free)."""
    text = _URL.sub("x" * URL_LENGTH, text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    return _graphemes(text)


def _graphemes(text: str) -> int:
    """Approximately the number of extended grapheme clusters (the standard library has no
    segmentation): combining marks, joiners, variation selectors, emoji modifiers and tags join the
    character before them, a character after a zero-width joiner too, and flags are pairs."""
    count = 0
    joined = False
    regional = 0
    for char in text:
        code = ord(char)
        if joined:
            joined = False
            continue
        if char == "\u200d":
            joined = True
            continue
        if (
            unicodedata.category(char) in ("Mn", "Me")
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
        ):
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            regional += 1
            if regional % 2 == 0:
                continue
        else:
            regional = 0
        count += 1
    return count


def mentions(text: str, acct: str) -> bool:
    """Whether `text` already mentions the account `acct` ("user" on this server, "user@domain" on
    another): "@user" alone names a local account, so a remote one needs its domain."""
    pattern = r"(?<![/\w@])@" + re.escape(acct.lstrip("@")) + r"(?![\w@]|[.-]\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None
