"""Training the place finder's last check (triage/places/precision.py) on judged finds.

Two kinds of judged finds, both read with the tweets' texts in place from ../shared/data:
- the hand-labelled sets that rules were written on (places_labels*.jsonl but the sealed one): a find
  is right when it matches a labelled place (place_labels.matches);
- places_candidates.jsonl: the finder's own finds in other tweets, each judged right or wrong by a
  person reading the tweet (PLACES_CANDIDATES.md).

The threshold is chosen by leave-one-set-out cross-validation: the highest cut whose pooled recall on
the labelled sets stays within `RECALL_BUDGET` of the rules' own; the model is then fitted on all.

    .venv/bin/python -m socialdesk.training.place_filter [--write]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from socialdesk.core.types import Place, PlaceSource
from socialdesk.training.datasets import shared_root
from socialdesk.training.place_labels import (
    LABELS,
    LOOKED_AT,
    load_records,
    matches,
    score,
    split_of,
)
from socialdesk.triage.places.finder import PlaceFinder
from socialdesk.triage.places.precision import ARTIFACT, Candidate, PrecisionFilter, features

CANDIDATES = LABELS.with_name("places_candidates.jsonl")
RECALL_BUDGET = 0.01  # pooled recall on the labelled sets may fall this much, no more
C = 1.0  # inverse L2 strength, chosen by the same cross-validation (see --sweep)
THRESHOLDS = [round(t, 2) for t in np.arange(0.05, 0.71, 0.05)]


@dataclass
class Judged:
    group: str
    key: tuple[str, str, str]
    candidate: Candidate
    right: bool


def labelled_sets() -> list[tuple[str, Path]]:
    """Every hand-labelled set that rules were written on; never the sealed one."""
    return [("rules", LABELS), *LOOKED_AT.items()]


Records = dict[str, list[tuple[dict[str, Any], str]]]  # labelled tweets and their texts, by group


def gather(finder: PlaceFinder, shared: Path) -> tuple[list[Judged], Records]:
    """Every judged find, and the labelled sets' records (for recall), by group."""
    judged: list[Judged] = []
    records_by_group: Records = {}
    for name, path in labelled_sets():
        for record, text in load_records(shared, path):
            group = f"{name}-{split_of(record)}" if name == "rules" else name
            records_by_group.setdefault(group, []).append((record, text))
            key = (record["source"], record["file"], record["id"])
            for c in finder.candidates(text):
                place = _place(c)
                right = any(matches(place, label) for label in record["places"])
                judged.append(Judged(group, key, c, right))
    judged += _candidate_finds(finder, shared)
    return judged, records_by_group


def _candidate_finds(finder: PlaceFinder, shared: Path) -> list[Judged]:
    if not CANDIDATES.exists():
        return []
    # one record per judged find (or missed place), each with its tweet's text
    verdicts: dict[tuple[str, str, str], dict[str, bool]] = {}
    texts: dict[tuple[str, str, str], str] = {}
    for r, text in load_records(shared, CANDIDATES):
        if "name" in r and "correct" in r:
            key = (r["source"], r["file"], r["id"])
            verdicts.setdefault(key, {})[r["name"]] = bool(r["correct"])
            texts[key] = text
    out: list[Judged] = []
    for key, by_name in verdicts.items():
        for c in finder.candidates(texts[key]):
            if c.entry.name in by_name:  # a find the rules make today that a person judged
                out.append(Judged(f"candidates-{key[0]}", key, c, by_name[c.entry.name]))
    return out


def _place(c: Candidate) -> Place:
    e = c.entry
    return Place(e.name, e.lat, e.lon, e.country, e.kind, PlaceSource.TEXT)


def fit(rows: Sequence[Judged], c_value: float = C) -> PrecisionFilter:
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(features(r.candidate), 1) for r in rows])
    y = np.array([r.right for r in rows], dtype=int)
    model = LogisticRegression(C=c_value, max_iter=2000, class_weight=None)
    model.fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): float(w) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6}
    return PrecisionFilter(weights, float(model.intercept_[0]), 0.0)


def cross_validate(
    judged: list[Judged], records: Records, c_value: float = C
) -> dict[float, dict[str, tuple[float, float]]]:
    """Per threshold: each labelled group's (precision, recall) with a model that never saw it, and the
    pooled figures, plus the pooled precision on the judged candidate finds."""
    groups = sorted({j.group for j in judged})
    probability: dict[int, float] = {}
    for group in groups:
        model = fit([j for j in judged if j.group != group], c_value)
        for j in judged:
            if j.group == group:
                probability[id(j)] = model.probability(features(j.candidate))
    by_tweet: dict[tuple[str, tuple[str, str, str]], list[Judged]] = {}
    for j in judged:
        by_tweet.setdefault((j.group, j.key), []).append(j)
    out: dict[float, dict[str, tuple[float, float]]] = {}
    for t in [0.0, *THRESHOLDS]:
        table: dict[str, tuple[float, float]] = {}
        pooled: list[tuple[dict[str, Any], list[Place]]] = []
        for group, rows in sorted(records.items()):
            scored = []
            for record, _ in rows:
                key = (record["source"], record["file"], record["id"])
                kept = [
                    _place(j.candidate) for j in by_tweet.get((group, key), []) if probability[id(j)] >= t
                ]
                scored.append((record, kept))
            s = score(scored)
            table[group] = (s.precision, s.recall)
            pooled += scored
        s = score(pooled)
        table["labelled, pooled"] = (s.precision, s.recall)
        cands = [j for j in judged if j.group.startswith("candidates")]
        passed = [j for j in cands if probability[id(j)] >= t]
        right = sum(j.right for j in cands)
        table["candidates"] = (
            sum(j.right for j in passed) / len(passed) if passed else 1.0,
            sum(j.right for j in passed) / right if right else 1.0,
        )
        out[t] = table
    return out


def choose(table: dict[float, dict[str, tuple[float, float]]]) -> float:
    base = table[0.0]["labelled, pooled"][1]
    ok = [t for t in THRESHOLDS if table[t]["labelled, pooled"][1] >= base - RECALL_BUDGET]
    return max(ok, default=0.0)


def train_place_filter(shared: Path, say: Callable[[str], object] = print, write: bool = True) -> float:
    """Cross-validate, choose the cut, fit on every judged find, and (`write`) ship it; return the cut."""
    finder = PlaceFinder(precision=False)
    judged, records = gather(finder, shared)
    say(f"place filter: {len(judged)} judged finds, {sum(not j.right for j in judged)} wrong")
    table = cross_validate(judged, records, C)
    threshold = choose(table)
    for t in (0.0, threshold):
        say(f"  cut {t}: " + "  ".join(f"{g} {p:.3f}/{r:.3f}" for g, (p, r) in table[t].items()))
    if write:
        model = fit(judged)
        payload = {"bias": model.bias, "threshold": threshold, "weights": model.weights}
        ARTIFACT.write_text(json.dumps(payload, sort_keys=True) + "\n", encoding="utf-8")
        say(f"wrote {ARTIFACT} ({len(model.weights)} weights, cut {threshold})")
    return threshold


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write the model to {ARTIFACT}")
    parser.add_argument("--sweep", action="store_true", help="cross-validate several regularisations")
    args = parser.parse_args(argv)
    shared = shared_root()
    if not args.sweep:
        train_place_filter(shared, write=args.write)
        return 0
    judged, records = gather(PlaceFinder(precision=False), shared)
    for c_value in (0.1, 0.25, 0.5, 1.0, 2.0):
        table = cross_validate(judged, records, c_value)
        threshold = choose(table)
        print(
            f"C={c_value}: cut {threshold}: "
            + "  ".join(f"{g} {p:.3f}/{r:.3f}" for g, (p, r) in table[threshold].items())
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
