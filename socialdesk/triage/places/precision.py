"""A learned last check on the places the rules accept: is this name, here, really a place?

The rules (scan.py) decide from a few words around a name; what still gets through is mostly a city or
a state standing for a team in a post about college sport, a show or an event named after a place, a
person, and a namesake in the wrong country. Those families show in the wider context (the other
words of the post, the name itself), which a linear model over sparse features reads well. It is
trained on the finder's own finds, each judged by a person (socialdesk/training/place_filter.py), and
drops a find only when it is fairly sure it is wrong: the rules' recall is what the target is closest to.

The weights are a small JSON file in triage/artifacts; without it every find is kept.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.entry import ALTERNATE, AMBIGUOUS, BRAND, CAPS_ALIAS, FAMOUS_AIRPORT, Entry
from socialdesk.triage.places.folding import normalize

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "place_filter.json"
_WORD = re.compile(r"#?\w+(?:['\u2019.-]\w+)*|[^\w\s]", re.UNICODE)
_WINDOW = 6  # words either side that count as the name's context
_FLAGS = (("ambiguous", AMBIGUOUS), ("alternate", ALTERNATE), ("brand", BRAND), ("alias", CAPS_ALIAS))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place the rules accepted, where the post names it (in the finder's cleaned text)."""

    clean: str
    start: int
    end: int
    entry: Entry
    sporty: bool
    travel: bool
    bare: bool  # taken without any cue (a big city, a country, a lower-case name)
    places: int  # how many places the rules found in the post


def features(c: Candidate) -> list[str]:
    """Sparse binary features: the name, its shape and kind, the words around it, the post's kind."""
    entry, surface = c.entry, c.clean[c.start : c.end]
    out = [
        f"name={normalize(entry.name)}",
        f"kind={entry.kind.value}",
        f"shape={_shape(surface)}",
        f"pop={_bucket(entry.population)}",
        f"kind_pop={entry.kind.value}:{_bucket(entry.population)}",
        f"places={min(c.places, 3)}",
    ]
    out += [f"flag={name}" for name, bit in _FLAGS if entry.flags & bit]
    if entry.kind is PlaceKind.AIRPORT and not entry.flags & FAMOUS_AIRPORT:
        out.append(f"code_shape={_shape(surface)}")
    for name, on in (("sporty", c.sporty), ("travel", c.travel), ("bare", c.bare)):
        if on:
            out.append(name)
            out.append(f"{name}_kind={entry.kind.value}")
    if " " in surface.strip():
        out.append("words>1")
    before = _words(c.clean[max(0, c.start - 80) : c.start])[-_WINDOW:]
    after = _words(c.clean[c.end : c.end + 80])[:_WINDOW]
    for i, word in enumerate(reversed(before[-2:]), 1):
        out.append(f"p{i}={word}")
    for i, word in enumerate(after[:2], 1):
        out.append(f"n{i}={word}")
    out += [f"ctx={w}" for w in {*before, *after} if len(w) > 1]
    before_word = c.clean[max(0, c.start - 40) : c.start].split()[-1:]
    for side, raw in (("prev", before_word), ("next", c.clean[c.end :].split()[:1])):
        if raw and raw[0][:1].isupper():
            out.append(f"{side}_capital")  # part of a longer name: "Queens of the Stone Age"
        if raw and raw[0][:1].isdigit():
            out.append(f"{side}_digit")  # "Daytona 500", "Tokyo 2020"
    if c.start >= len(c.clean):  # hashtags are read from the raw text (hashtags.py)
        out.append("hashtag")
    if c.clean[c.end : c.end + 2] in ("'s", "\u2019s"):
        out.append("possessive")
    return out


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _shape(surface: str) -> str:
    letters = [ch for ch in surface if ch.isalpha()]
    if not letters:
        return "none"
    if all(ch.isupper() for ch in letters):
        return "caps"
    if all(ch.islower() for ch in letters):
        return "lower"
    return "title" if surface[:1].isupper() else "mixed"


def _bucket(population: int) -> int:
    return 0 if population <= 0 else min(8, int(math.log10(population)))


class PrecisionFilter:
    """P(the find is a place, rightly resolved) from the trained weights; `keep` applies the cut."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path = ARTIFACT) -> PrecisionFilter | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(data["weights"]), float(data["bias"]), float(data["threshold"]))

    def probability(self, feats: Iterable[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(feats))
        return 1.0 / (1.0 + math.exp(-z))

    def keep(self, candidate: Candidate) -> bool:
        return self.probability(features(candidate)) >= self.threshold
