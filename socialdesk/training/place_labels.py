"""Scoring the place finder against the project's hand-labelled tweets (triage/data/places_labels.jsonl).

The labels name tweets by data set and id only; the texts are read in place from ../shared/data. A found
place is correct when it lies within 50 km of a labelled place, or is in the labelled place's country
when that labelled place is a country or region. Labels are split in two halves by a hash of their id:
"dev" was looked at while writing the finder's rules, "held" only evaluated at the end. A fresh set
(places_labels_fresh.jsonl, also TweetEval tweets) was labelled after the rules were written.
"""

from __future__ import annotations

import csv
import html
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialdesk.core.types import Place, PlaceKind
from socialdesk.triage.places.geo import distance_km

LABELS = Path(__file__).resolve().parent.parent / "triage" / "data" / "places_labels.jsonl"
# labelled before the finder was run on it, after its rules were written (see PLACES_LABELS.md)
FRESH_LABELS = LABELS.with_name("places_labels_fresh.jsonl")
# labelled after the third round of rules, by someone who never saw the finder; scored once at the end
FRESH2_LABELS = LABELS.with_name("places_labels_fresh2.jsonl")
# labelled while the fourth round of rules was written, by someone who never saw the finder
FRESH3_LABELS = LABELS.with_name("places_labels_fresh3.jsonl")
# labelled while the fifth round of rules was written, by someone who never saw the finder
FRESH4_LABELS = LABELS.with_name("places_labels_fresh4.jsonl")
# labelled while the learned last check was built, from tweets it never saw
FRESH5_LABELS = LABELS.with_name("places_labels_fresh5.jsonl")
# labelled while the check's second version and the sixth round of rules were written: the sealed one
FRESH6_LABELS = LABELS.with_name("places_labels_fresh6.jsonl")
# Every fresh set, in the order they were labelled; only SEALED has not been looked at. A new round adds
# its set here and moves SEALED to it: training, `triage eval` and places_eval.py all read this table.
FRESH_SETS: dict[str, Path] = {
    "fresh": FRESH_LABELS,
    "fresh2": FRESH2_LABELS,
    "fresh3": FRESH3_LABELS,
    "fresh4": FRESH4_LABELS,
    "fresh5": FRESH5_LABELS,
    "fresh6": FRESH6_LABELS,
}
SEALED = "fresh6"
LOOKED_AT: dict[str, Path] = {name: path for name, path in FRESH_SETS.items() if name != SEALED}
MATCH_KM = 50.0
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def split_of(record: dict[str, Any]) -> str:
    return "dev" if zlib.crc32(f"{record['source']}:{record['id']}".encode()) % 2 == 0 else "held"


def clean(text: str) -> str:
    """Undo the data sets' escaping (SemEval keeps literal \\u002c, both keep &amp;)."""
    return html.unescape(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)).replace('""', '"')


def load_texts(shared: Path) -> dict[tuple[str, str, str], str]:
    data = shared / "data"
    texts: dict[tuple[str, str, str], str] = {}
    with (data / "twcs-sample" / "twcs_first5000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts[("twcs", "twcs_first5000.csv", row["tweet_id"])] = clean(row["text"])
    for path in sorted((data / "semeval-sentiment").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                texts.setdefault(("semeval", path.name, parts[0]), clean(parts[2]).strip('"'))
    return texts


def load_tweeteval(shared: Path, file: str) -> dict[tuple[str, str, str], str]:
    """A TweetEval text file ("tweeteval-emotion/train_text.txt"): one tweet per line, split on "\\n"
    only (a tweet may hold other line separators), id = the 1-based line number."""
    lines = (shared / "data" / file).read_text(encoding="utf-8").split("\n")
    return {
        ("tweeteval", file, str(n)): clean(line).strip() for n, line in enumerate(lines, 1) if line.strip()
    }


def load_records(shared: Path, labels: Path = LABELS) -> list[tuple[dict[str, Any], str]]:
    """(label record, tweet text) for every labelled tweet found in the shared data."""
    texts = load_texts(shared)
    records = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    for file in sorted({r["file"] for r in records if r["source"] == "tweeteval"}):
        texts.update(load_tweeteval(shared, file))
    return [(r, texts[key]) for r in records if (key := (r["source"], r["file"], r["id"])) in texts]


def matches(found: Place, label: dict[str, Any], coarse: bool = False) -> bool:
    if distance_km(found.lat, found.lon, float(label["lat"]), float(label["lon"])) <= MATCH_KM:
        return True
    if label["kind"] in ("country", "region") and found.country == label["country"]:
        return True
    if coarse and found.kind is PlaceKind.COUNTRY and found.country == label["country"]:
        return True
    if coarse and found.kind is PlaceKind.REGION and found.country == label["country"]:
        return distance_km(found.lat, found.lon, float(label["lat"]), float(label["lon"])) <= 700
    return False


@dataclass(frozen=True)
class PlaceScore:
    precision: float
    recall: float
    found: int
    labelled: int


def score(rows: list[tuple[dict[str, Any], list[Place]]], coarse: bool = False) -> PlaceScore:
    found_total = found_ok = label_total = label_ok = 0
    for record, found in rows:
        labels: list[dict[str, Any]] = record["places"]
        found_total += len(found)
        found_ok += sum(1 for f in found if any(matches(f, lab, coarse) for lab in labels))
        label_total += len(labels)
        label_ok += sum(1 for lab in labels if any(matches(f, lab, coarse) for f in found))
    return PlaceScore(
        found_ok / found_total if found_total else 1.0,
        label_ok / label_total if label_total else 1.0,
        found_total,
        label_total,
    )
