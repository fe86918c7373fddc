"""HTML mail as the plain text a reader sees: paragraphs and line breaks kept, quotes marked with ">".

Only for mail that has no text/plain version. Entities are decoded; scripts, styles and the <head> are
dropped; list items keep a marker ("- ", "1. "), a link whose text hides its address keeps the address
in brackets after it, an image its alt text. Anything the HTML parser chokes on falls back to the text
between the tags, so a broken message still yields its words.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "dl", "figure"}
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dt",
    "fieldset",
    "figcaption",
    "footer",
    "form",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "section",
    "summary",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
}
_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # HTML's white space; a no-break space is meant and stays
_TAG = re.compile(r"<[^>]*>")
_LINE_TAG = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h[1-6])\b[^>]*>", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """The text of an HTML document, laid out in lines as a mail client shows it."""
    converter = _Converter()
    try:
        converter.feed(markup)
        converter.close()
    except (AssertionError, ValueError, IndexError):  # html.parser's rare give-ups on broken markup
        return _tidy([(0, line) for line in _between_tags(markup)])
    return _tidy(converter.lines)


def _between_tags(markup: str) -> list[str]:
    text = html.unescape(_TAG.sub("", _LINE_TAG.sub("\n", markup)))
    return [_SPACE.sub(" ", line).strip(" ") for line in text.splitlines()]


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self.line: list[str] = []
        self.depth = 0  # quote depth of the line being written
        self.owed = 0  # line breaks to make before the next text
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.lists: list[int | None] = []  # None for <ul>, the next number for <ol>
        self.links: list[tuple[str | None, list[str]]] = []  # href, and the text written inside

    # Layout -------------------------------------------------------------------------------------

    def _break(self, lines: int) -> None:
        if self.lines or self.line:
            self.owed = max(self.owed, lines)

    def _write(self, text: str) -> None:
        if not text:
            return
        if self.owed:
            self._end_line()
            self.lines.extend((self.quote, "") for _ in range(min(self.owed, 3) - 1))
            self.owed = 0
        if not self.line:
            self.depth = self.quote
        self.line.append(text)
        for _, inside in self.links:
            inside.append(text)

    def _end_line(self) -> None:
        if self.line or self.lines:
            self.lines.append((self.depth, "".join(self.line)))
        self.line = []

    def _text_so_far(self) -> str:
        return "".join(self.line)

    # Parser events ------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip += 1
            return
        if self.skip:
            return
        attributes = dict(attrs)
        if tag == "br":
            if self.lines or self.line:
                self.owed += 1
            return
        if tag in _PARAGRAPHS:
            self._break(2)
        elif tag in _BLOCKS:
            self._break(1)
        if tag == "pre":
            self.pre += 1
        elif tag == "blockquote":
            self.quote += 1
        elif tag in ("ul", "ol"):
            self.lists.append(None if tag == "ul" else _start(attributes.get("start")))
        elif tag == "li":
            self._list_marker()
        elif tag == "hr":
            self._write("-----")
            self._break(1)
        elif tag in ("td", "th"):
            if self._text_so_far().strip() and not self.owed:
                self._write(" ")
        elif tag == "img":
            alt = (attributes.get("alt") or "").strip()
            if alt:
                self._write(_SPACE.sub(" ", alt))
        elif tag == "a":
            self.links.append((attributes.get("href"), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip:
            return
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        elif tag == "blockquote":
            self._break(1)
            self.quote = max(self.quote - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.links:
            href, inside = self.links.pop()
            self._link_address(href, "".join(inside))
        if tag in _PARAGRAPHS:
            self._break(2)
        elif tag in _BLOCKS:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            first, *rest = data.replace("\r\n", "\n").split("\n")
            self._write(first)
            for line in rest:
                self.owed += 1
                if line:
                    self._write(line)
            return
        text = _SPACE.sub(" ", data)
        if text == " " and (self.owed or not self.line or self._text_so_far().endswith(" ")):
            return
        if self.owed or not self.line or self._text_so_far().endswith(" "):
            text = text.lstrip(" ")
        self._write(text)

    def close(self) -> None:
        super().close()
        self._end_line()

    # Helpers ------------------------------------------------------------------------------------

    def _list_marker(self) -> None:
        indent = "  " * max(len(self.lists) - 1, 0)
        if self.lists and self.lists[-1] is not None:
            number = self.lists[-1]
            self.lists[-1] = number + 1
            self._write(f"{indent}{number}. ")
        else:
            self._write(f"{indent}- ")

    def _link_address(self, href: str | None, text: str) -> None:
        if not href or not href.lower().startswith(("http://", "https://")):
            return
        shown, address = text.strip(), href.strip()
        if not shown or _bare(shown) == _bare(address):
            return
        self._write(f" ({address})")


def _start(value: str | None) -> int:
    try:
        return int(value) if value else 1
    except ValueError:
        return 1


def _bare(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.lower()).rstrip("/")


def _tidy(lines: list[tuple[int, str]]) -> str:
    """Quote marks in front, trailing blanks off, at most one empty line in a row."""
    out: list[str] = []
    for depth, text in lines:
        text = text.rstrip(" \t\xa0")
        line = (">" * depth + " " + text if text else ">" * depth) if depth else text
        if not line.strip(">") and out and not out[-1].strip(">"):
            continue
        out.append(line)
    while out and not out[0].strip(">"):
        out.pop(0)
    while out and not out[-1].strip(">"):
        out.pop()
    return "\n".join(out)
