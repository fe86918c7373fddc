"""`socialdesk triage eval`: the shipped models measured on held-in validation data.

Every figure comes from running the product's own `Triager` on data the models were not trained on:
the TweetEval validation split (its tweets are removed from the SemEval training data), and fixed 20 %
folds of complaints-severity, of the intent labels and of Banking77. None of it is a benchmark's test
split; those are kept for independent evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from socialdesk.core.types import Triage, TriageInput
from socialdesk.training import datasets as ds
from socialdesk.training.calibration import expected_calibration_error
from socialdesk.training.place_labels import (
    FRESH_SETS,
    LOOKED_AT,
    SEALED,
    load_records,
    score,
)
from socialdesk.training.queue_sim import simulate
from socialdesk.training.topics import measure_topics
from socialdesk.triage.engine import Tier, Triager
from socialdesk.triage.language import default_detector
from socialdesk.triage.places import default_finder


@dataclass(frozen=True)
class Metric:
    task: str
    data: str
    metric: str
    fast: float | None
    accurate: float | None
    target: str = ""


def _macro_recall(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    recalls = []
    for label in labels:
        relevant = [p for t, p in zip(truth, predicted, strict=True) if t == label]
        if relevant:
            recalls.append(sum(p == label for p in relevant) / len(relevant))
    return sum(recalls) / len(recalls)


def _macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


def _run(triager: Triager, texts: Sequence[str]) -> list[Triage]:
    out: list[Triage] = []
    for start in range(0, len(texts), 256):
        out += triager.run([TriageInput(t) for t in texts[start : start + 256]])
    return out


def evaluate(shared: Path, tiers: Sequence[str], say: Callable[[str], None] = print) -> list[Metric]:
    val = ds.tweeteval_sentiment_val(shared)
    _, intents = ds.intents_split(shared)
    _, complaints = ds.complaints_split(shared)
    results: dict[str, dict[str, float]] = {}
    for tier in tiers:
        say(f"running the {tier} tier...")
        triager = Triager(cast(Tier, tier))
        r: dict[str, float] = {}
        out = _run(triager, val.texts)
        r["sentiment"] = _macro_recall(val.labels, [t.sentiment.value for t in out], ds.SENTIMENTS)
        probabilities = np.asarray([[t.sentiment_scores[s] for s in ds.SENTIMENTS] for t in out], np.float32)
        r["ece"] = expected_calibration_error(probabilities, [ds.SENTIMENTS.index(x) for x in val.labels])
        out = _run(triager, intents.texts)
        intent_labels = sorted(set(intents.labels))
        r["intent_f1"] = _macro_f1(intents.labels, [t.intent.value for t in out], intent_labels)
        r["intent_acc"] = float(
            np.mean([t.intent.value == y for t, y in zip(out, intents.labels, strict=True)])
        )
        out = _run(triager, [c.text for c in complaints])
        truth = ["yes" if c.is_complaint else "no" for c in complaints]
        r["complaint_f1"] = _macro_f1(truth, ["yes" if t.is_complaint else "no" for t in out], ("yes", "no"))
        urgent = [c.severity >= 3 for c in complaints]
        r["urgency"] = simulate([t.urgency for t in out], urgent).speedup
        results[tier] = r
    say("scoring the severity oracle, language ID, places...")
    oracle = simulate([float(c.severity) for c in complaints], [c.severity >= 3 for c in complaints]).speedup
    languages = ds.languages(shared)
    detector = default_detector()

    def language_accuracy(data: ds.Labelled) -> float:
        return float(
            np.mean([detector.detect(t).code == y for t, y in zip(data.texts, data.labels, strict=True)])
        )

    twcs_languages = ds.languages(shared, source="twcs")
    say("training and measuring a topic model on Banking77 (80 % / 20 %)...")
    banking = ds.banking77(shared)
    encoder = Triager("accurate").encoder if "accurate" in tiers else None
    topics = measure_topics(
        banking.texts, banking.labels, encoder, validation=0.2, seed=0, say=lambda _: None
    )
    finder = default_finder()
    looked_at = [(record, finder.find(text)) for record, text in load_records(shared)]
    for path in LOOKED_AT.values():
        looked_at += [(record, finder.find(text)) for record, text in load_records(shared, path)]
    sealed = [(record, finder.find(text)) for record, text in load_records(shared, FRESH_SETS[SEALED])]
    places = [
        (
            f"{len(LOOKED_AT) + 1} labelled sets the rules and check learned from",
            len(looked_at),
            score(looked_at),
        ),
        ("sealed fresh set, scored once", len(sealed), score(sealed)),
    ]

    def both(key: str) -> tuple[float | None, float | None]:
        return results.get("fast", {}).get(key), results.get("accurate", {}).get(key)

    return [
        Metric(
            "sentiment", f"TweetEval val ({len(val)})", "macro recall", *both("sentiment"), ">= 0.67 / 0.72"
        ),
        Metric("sentiment", f"TweetEval val ({len(val)})", "calibration error (ECE)", *both("ece")),
        Metric("intent", f"TWCS, project labels, 20% fold ({len(intents)})", "macro F1", *both("intent_f1")),
        Metric("intent", f"TWCS, project labels, 20% fold ({len(intents)})", "accuracy", *both("intent_acc")),
        Metric(
            "complaint",
            f"complaints-severity 20% fold ({len(complaints)})",
            "macro F1",
            *both("complaint_f1"),
        ),
        Metric(
            "urgency",
            f"complaints-severity 20% fold ({len(complaints)})",
            "sev 3-4 mean-wait speedup vs FIFO",
            *both("urgency"),
            f">= 3 (true severity: {oracle:.1f})",
        ),
        Metric(
            "topics",
            f"Banking77 train, 20% held out ({topics.held_out})",
            "accuracy",
            topics.fast_accuracy,
            topics.accurate_accuracy,
            ">= 0.90",
        ),
        Metric(
            "language",
            f"real posts, project labels ({len(languages)})",
            "accuracy",
            language_accuracy(languages),
            None,
            ">= 0.95",
        ),
        Metric(
            "language",
            f"... of which customer-service tweets ({len(twcs_languages)})",
            "accuracy",
            language_accuracy(twcs_languages),
            None,
        ),
        *(
            Metric("places", f"{name} ({count})", measure, value, None, target)
            for name, count, result in places
            for measure, value, target in (
                ("precision", result.precision, ">= 0.9"),
                ("recall", result.recall, ">= 0.8"),
            )
        ),
    ]


def format_table(metrics: Sequence[Metric]) -> str:
    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    header = ("task", "validation data", "metric", "fast", "accurate", "target")
    rows = [header] + [(m.task, m.data, m.metric, cell(m.fast), cell(m.accurate), m.target) for m in metrics]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(value.ljust(widths[i]) for i, value in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
