"""Folding text to the gazetteer's keys: lower case, accents folded, punctuation turned into spaces.

`normalize` makes the key a name is indexed and looked up under, so "São Paulo", "Sao Paulo" and
"SAO PAULO" meet and "Stoke-on-Trent" matches "Stoke on Trent"; `fold_text` folds a whole post the
same way but keeps every character's position, so the automaton's matches map straight back onto the
post.
"""

from __future__ import annotations

import re
import unicodedata


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFKD", chr(code))
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if base.isascii() and base.isalpha():
            table[code] = base.lower()
    special = {"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe", "đ": "d"}
    special |= {"Đ": "d", "ł": "l", "Ł": "l", "\u0131": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"}
    table.update({ord(k): v for k, v in special.items()})
    table.update(dict.fromkeys(range(0x300, 0x370), ""))  # combining marks ("İ".lower() has one)
    return table


_FOLD = _fold_table()
NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower case, accents folded, any run of punctuation or space turned into one space."""
    low = text.lower()
    if low.isascii():
        if low.isalpha():
            return low  # most names and words: nothing to fold
    else:
        low = low.translate(_FOLD)
    return NON_WORD.sub(" ", low).strip()


def _fold_one_table() -> dict[int, str]:
    return {code: base for code, base in _FOLD.items() if len(base) == 1}


_FOLD_ONE = _fold_one_table()
_NON_WORD_CHAR = re.compile(r"[^\w ]|_")  # one character each: positions are kept


_ASCII_WORD_TABLE = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))


def fold_text(text: str) -> str:
    """Lower case, accents folded, every other character that is not a letter or digit a space; the
    same length as `text`, so positions carry over (the automaton's text). ASCII posts, the most, take
    a byte-table path that is four times faster."""
    low = text.lower()
    if low.isascii():
        return low.encode("ascii").translate(_ASCII_WORD_TABLE).decode("ascii")
    if len(low) != len(text):  # "İ" lower-cases to two characters
        low = "".join(ch.lower()[:1] for ch in text)
    return _NON_WORD_CHAR.sub(" ", low.translate(_FOLD_ONE))
