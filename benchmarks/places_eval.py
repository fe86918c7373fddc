"""Precision, recall and speed of the place finder on the hand-labelled tweets.

    .venv/bin/python benchmarks/places_eval.py [--split dev|held|all] [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh2 [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh3 [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh4 [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh5 [--errors]
    .venv/bin/python benchmarks/places_eval.py --fresh6     # the sealed set: look at its figures only
    add --rules-only to score the rules without the learned last check (triage/places/precision.py)

The labels (socialdesk/triage/data/places_labels.jsonl) name tweets by data set and id only; the texts
are read in place from the shared data folder (../shared/data), which is never copied into the repo.
Scoring rules: socialdesk/training/place_labels.py. The "coarse" line also accepts a found country or
region that contains a labelled place (Texas for a tweet labelled Perryton, Texas).

--fresh scores the fresh set instead (socialdesk/triage/data/places_labels_fresh.jsonl: TWCS and
TweetEval tweets labelled after the rules were written, before the finder was run on them), --fresh2
the second fresh set. --errors lists the mistakes of every half or set scored (all four have now been
looked at while writing rules: PLACES_LABELS.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialdesk.core.types import Place  # noqa: E402
from socialdesk.training.datasets import MissingData, shared_root  # noqa: E402
from socialdesk.training.place_labels import (  # noqa: E402
    FRESH_SETS,
    LABELS,
    SEALED,
    load_records,
    load_texts,
    matches,
    score,
    split_of,
)
from socialdesk.triage.places import PlaceFinder  # noqa: E402

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "held", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print wrong and missed places")
    for ordinal, (name, path) in zip(_ORDINALS, FRESH_SETS.items(), strict=False):
        sealed = "sealed " if name == SEALED else ""
        parser.add_argument(
            f"--{name}", action="store_true", help=f"score the {sealed}{ordinal} fresh set ({path.name})"
        )
    parser.add_argument(
        "--rules-only", action="store_true", help="without the learned last check (precision.py)"
    )
    args = parser.parse_args()
    try:
        shared = shared_root()
    except MissingData as exc:
        print(f"skipped: {exc} (texts are never copied into the repo)")
        return 0
    chosen = [(path, name) for name, path in reversed(FRESH_SETS.items()) if getattr(args, name)]
    labels = chosen[0][0] if chosen else LABELS
    records = load_records(shared, labels)
    started = time.perf_counter()
    finder = PlaceFinder(precision=not args.rules_only)
    print(f"gazetteer built in {time.perf_counter() - started:.2f} s; {len(records)} labelled tweets")
    if chosen:
        return fresh(finder, records, args.errors, chosen[0][1])
    for half in ("dev", "held") if args.split == "all" else (args.split,):
        rows = [(record, finder.find(text)) for record, text in records if split_of(record) == half]
        for source in ("twcs", "semeval"):
            s = score([row for row in rows if row[0]["source"] == source])
            print(
                f"{half:4} strict, {source} only: precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"({s.labelled} labelled, {s.found} found)"
            )
        for coarse in (False, True):
            s = score(rows, coarse)
            rule = "coarse" if coarse else "strict"
            print(
                f"{half:4} {rule}: precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"({len(rows)} tweets, {s.labelled} labelled places, {s.found} found)"
            )
        if args.errors:  # both halves: all three sets are development data since the third round
            print_errors(rows, {(r["source"], r["file"], r["id"]): text for r, text in records})
    labelled = [text for _, text in records]
    typical = [t for t in load_texts(shared).values() if 100 <= len(t) <= 280]
    for name, sample in (("labelled tweets", labelled), ("all 100-280 char tweets", typical)):
        rounds = max(1, 20000 // len(sample))
        started = time.perf_counter()
        for _ in range(rounds):
            for text in sample:
                finder.find(text)
        per_post = (time.perf_counter() - started) / (rounds * len(sample)) * 1e6
        print(f"speed on {name} ({len(sample)}): {per_post:.1f} µs/post")
    return 0


def fresh(finder: PlaceFinder, records: list[tuple[dict[str, Any], str]], errors: bool, name: str) -> int:
    """A fresh set as a whole and by source; no split (it was labelled apart from the rules)."""
    rows = [(record, finder.find(text)) for record, text in records]
    for source in sorted({record["source"] for record, _ in rows}):
        s = score([row for row in rows if row[0]["source"] == source])
        print(
            f"{name} strict, {source} only: precision {s.precision:.3f}  recall {s.recall:.3f}  "
            f"({s.labelled} labelled, {s.found} found)"
        )
    for coarse in (False, True):
        s = score(rows, coarse)
        print(
            f"{name} {'coarse' if coarse else 'strict'}: precision {s.precision:.3f}  recall {s.recall:.3f}  "
            f"({len(rows)} tweets, {s.labelled} labelled places, {s.found} found)"
        )
    if errors and name == SEALED:
        print(f"{SEALED} is the sealed set: its errors are not listed (PLACES_LABELS.md)")
    elif errors:
        print_errors(rows, {(r["source"], r["file"], r["id"]): text for r, text in records})
    return 0


def print_errors(
    rows: list[tuple[dict[str, Any], list[Place]]], texts: dict[tuple[str, str, str], str]
) -> None:
    for record, found in rows:
        wrong = [(f.name, f.country) for f in found if not any(matches(f, lab) for lab in record["places"])]
        missed = [lab["name"] for lab in record["places"] if not any(matches(f, lab) for f in found)]
        if wrong or missed:
            text = texts[(record["source"], record["file"], record["id"])]
            print(f"- {record['source']} {record['id']}: wrong={wrong} missed={missed}\n    {text[:200]}")


if __name__ == "__main__":
    raise SystemExit(main())
