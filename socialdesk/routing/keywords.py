"""Keyword matching for routing rules: case- and accent-insensitive, on word boundaries.

"Stranded" matches "STRANDED!" and "#stranded" but not "strandedness"; "missed connection" matches the
two words in a row, whatever spaces or punctuation sit between them; a trailing `*` matches a prefix
("refund*" matches "refunds" and "refunded"). Accents are dropped on both sides, so "cancelación" and
"cancelacion" are the same word, which is how customers type on phone keyboards.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped), for comparing what people type."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def keyword_words(keyword: str) -> list[str]:
    """The words of a keyword or phrase; a trailing `*` is kept on the last word as a prefix marker."""
    found = words(keyword)
    if found and keyword.rstrip().endswith("*"):
        found[-1] += "*"
    return found


def _matches_at(tokens: Sequence[str], start: int, pattern: Sequence[str]) -> bool:
    for offset, wanted in enumerate(pattern):
        token = tokens[start + offset]
        if wanted.endswith("*"):
            if not token.startswith(wanted[:-1]):
                return False
        elif token != wanted:
            return False
    return True


def found_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords (as given) that occur in `text`, in the order given."""
    tokens = words(text)
    hits = []
    for keyword in keywords:
        pattern = keyword_words(keyword)
        if not pattern:
            continue
        span = len(pattern)
        if any(_matches_at(tokens, i, pattern) for i in range(len(tokens) - span + 1)):
            hits.append(keyword)
    return hits
