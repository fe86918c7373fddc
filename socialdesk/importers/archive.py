"""Choosing an importer for a file, and the interface every importer offers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from socialdesk.core.errors import ImportFileError
from socialdesk.core.types import InboundPost, RowError

FORMATS = ("twcs", "jsonl")


class ArchiveReader(Protocol):
    """An archive opened for import: each row becomes a post, or the reason it was refused."""

    path: Path

    def count(self) -> int:
        """Number of rows `rows` will yield (read once up front, for the progress bar)."""
        ...

    def rows(self) -> Iterator[tuple[int, InboundPost | RowError]]:
        """(line number, post or error) for every row, in file order."""
        ...


def detect_format(path: Path) -> str:
    """Guess the format from the file name, then from its first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "twcs"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from exc
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "jsonl"
    if b"tweet_id" in head.split(b"\n", 1)[0]:
        return "twcs"
    raise ImportFileError(
        f"cannot tell the format of {path}: name it .csv (Customer Support on Twitter) or .jsonl, "
        "or pass --format twcs|jsonl"
    )


def check_readable(path: Path) -> None:
    """Refuse a file that is missing, empty or binary before any row is read."""
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head.strip():
        raise ImportFileError(f"{path} is empty")
    if b"\x00" in head:
        raise ImportFileError(f"{path} looks like a binary file, not text (it contains NUL bytes)")


def open_archive(path: Path, fmt: str | None = None) -> ArchiveReader:
    from socialdesk.importers.jsonl import JsonlReader
    from socialdesk.importers.twcs import TwcsReader

    check_readable(path)
    chosen = fmt or detect_format(path)
    if chosen == "twcs":
        return TwcsReader(path)
    if chosen == "jsonl":
        return JsonlReader(path)
    raise ImportFileError(f"unknown format {chosen!r}; use one of: {', '.join(FORMATS)}")
