"""Precision, recall and speed of the place finder on the hand-labelled tweets.

    .venv/bin/python benchmarks/places_eval.py [--split dev|held|all] [--errors]

The labels (socialdesk/triage/data/places_labels.jsonl) name tweets by data set and id only; the texts
are read in place from the shared data folder (../shared/data), which is never copied into the repo.
Scoring rules: socialdesk/training/place_labels.py. The "coarse" line also accepts a found country or
region that contains a labelled place (Texas for a tweet labelled Perryton, Texas).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialdesk.training.datasets import MissingData, shared_root  # noqa: E402
from socialdesk.training.place_labels import load_records, load_texts, matches, score, split_of  # noqa: E402
from socialdesk.triage.places import PlaceFinder  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "held", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print wrong and missed places (dev half only)")
    args = parser.parse_args()
    try:
        shared = shared_root()
    except MissingData as exc:
        print(f"skipped: {exc} (texts are never copied into the repo)")
        return 0
    records = load_records(shared)
    started = time.perf_counter()
    finder = PlaceFinder()
    print(f"gazetteer built in {time.perf_counter() - started:.2f} s; {len(records)} labelled tweets")
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
        if args.errors and half == "dev":
            texts = {record["id"]: text for record, text in records}
            for record, found in rows:
                wrong = [
                    (f.name, f.country) for f in found if not any(matches(f, lab) for lab in record["places"])
                ]
                missed = [lab["name"] for lab in record["places"] if not any(matches(f, lab) for f in found)]
                if wrong or missed:
                    print(f"- {record['id']}: wrong={wrong} missed={missed}\n    {texts[record['id']][:200]}")
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


if __name__ == "__main__":
    raise SystemExit(main())
