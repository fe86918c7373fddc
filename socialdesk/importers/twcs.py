"""The Customer Support on Twitter (TWCS) CSV format.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id.
Customer rows (inbound=True) have anonymised numeric author ids; brand rows (inbound=False) carry the
brand's handle as author_id. Ids may be written as floats ("3.0") by the pandas export that made it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from socialdesk.core.errors import ImportFileError
from socialdesk.core.types import Direction, InboundPost, RowError
from socialdesk.importers.fields import text_problem

REQUIRED_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_TWEET_ID = re.compile(r"^\d{1,20}(?:\.0+)?$")
_MENTION = re.compile(r"@(\w{1,15})")
_FIELD_LIMIT = 1_000_000  # a field past this is a broken quote, reported as a bad row
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _tweet_id(value: str) -> str | None:
    value = value.strip()
    if not _TWEET_ID.match(value):
        return None
    return value.split(".", 1)[0]


def parse_twitter_time(value: str) -> datetime:
    """Twitter's classic timestamp, "Tue Oct 31 22:10:47 +0000 2017"."""
    return datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


class TwcsReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._brands: dict[str, str] | None = None
        self._count = 0

    def _open(self) -> TextIO:
        # surrogateescape keeps undecodable bytes visible to the per-row checks instead of failing the file.
        return self.path.open(encoding="utf-8", errors="surrogateescape", newline="")

    def _reader(self, handle: TextIO) -> csv.DictReader[str]:
        csv.field_size_limit(_FIELD_LIMIT)
        reader = csv.DictReader(handle)
        found = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in found]
        if missing:
            raise ImportFileError(
                f"{self.path} is not a Customer Support on Twitter CSV: missing column(s) "
                f"{', '.join(missing)}; its header is: {', '.join(found) or '(none)'}"
            )
        return reader

    def _scan(self) -> None:
        """First pass: count rows and learn the brand handles (authors of outbound rows).

        Knowing every brand before the first row is stored makes the channel a customer's tweet is
        filed under depend on the file alone, not on how far an earlier, interrupted import got.
        """
        brands: dict[str, str] = {}
        count = 0
        for _, row in self._records():
            count += 1
            if isinstance(row, csv.Error):
                continue
            inbound = _BOOLEANS.get((row.get("inbound") or "").strip().lower())
            author = (row.get("author_id") or "").strip()
            if inbound is False and author:
                brands.setdefault(author.lower(), author)
        self._brands, self._count = brands, count

    def _records(self) -> Iterator[tuple[int, dict[str, str] | csv.Error]]:
        """(line, row) for each CSV record; a record the csv module cannot read comes as its error."""
        with self._open() as handle:
            reader = self._reader(handle)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield reader.line_num, exc
                    continue
                yield reader.line_num, row

    def count(self) -> int:
        if self._brands is None:
            self._scan()
        return self._count

    def rows(self) -> Iterator[tuple[int, InboundPost | RowError]]:
        if self._brands is None:
            self._scan()
        for line, row in self._records():
            if isinstance(row, csv.Error):
                yield line, RowError(line, f"unreadable CSV row: {row}")
            else:
                yield line, self._parse(row, line)

    def _parse(self, row: dict[str, str], line: int) -> InboundPost | RowError:
        if None in row:
            return RowError(line, "row has more fields than the header")
        values = {k: (v if v is not None else "") for k, v in row.items()}
        for name, value in values.items():
            problem = text_problem(value, name)
            if problem:
                return RowError(line, problem)
        tweet_id = _tweet_id(values["tweet_id"])
        if tweet_id is None:
            return RowError(line, f"tweet_id {values['tweet_id']!r} is not a tweet id")
        author = values["author_id"].strip()
        if not author:
            return RowError(line, "author_id is empty")
        inbound = _BOOLEANS.get(values["inbound"].strip().lower())
        if inbound is None:
            return RowError(line, f"inbound must be True or False, not {values['inbound']!r}")
        try:
            created_at = parse_twitter_time(values["created_at"])
        except ValueError:
            return RowError(line, f"created_at {values['created_at']!r} is not a Twitter timestamp")
        text = values["text"]
        if not text.strip():
            return RowError(line, "text is empty")
        parent_raw = values["in_response_to_tweet_id"].strip()
        parent = _tweet_id(parent_raw) if parent_raw else None
        if parent_raw and parent is None:
            return RowError(line, f"in_response_to_tweet_id {parent_raw!r} is not a tweet id")
        return InboundPost(
            network="x",
            external_id=tweet_id,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            author_id=author,
            author_handle=author,
            text=text,
            created_at=created_at,
            channel=self._channel(text) if inbound else author,
            in_reply_to=parent,
            raw=values,
        )

    def _channel(self, text: str) -> str | None:
        """The brand a customer's tweet addresses: its first @mention of a known brand handle."""
        assert self._brands is not None
        for handle in _MENTION.findall(text):
            brand = self._brands.get(handle.lower())
            if brand:
                return brand
        return None
