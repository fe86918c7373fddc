"""Training the support-urgency head (`triage/support_urgency.py`) on the project's own labels.

    python -m socialdesk.training.support_urgency [--shared ../shared] [--out PATH] [--unused]

The labels (`triage/data/support_urgency_labels.csv`) are every case-opening customer post of the TWCS
sample outside 2017-10-31 22:00-24:00 UTC (the routing benchmark's two hours, never read here), read
against `benchmarks/routing_labels/CRITERIA.md`. The strength of the regularisation and the rule that
joins the head with the severity urgency are chosen by repeated stratified 5-fold cross-validation on
these labels only (ROC AUC of out-of-fold scores); the head is then fitted on all of them. It reads the
shipped `triage.npz` (its featurizer and heads), so retrain it whenever that file is retrained.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack

from socialdesk.training import datasets as ds
from socialdesk.triage.engine import BUNDLE
from socialdesk.triage.linear import LinearBundle
from socialdesk.triage.support_urgency import (
    ARTIFACT,
    RULES,
    SupportHead,
    combined,
    featurizer_id,
    head_inputs,
)
from socialdesk.triage.urgency import UrgencyWeights, signals, urgency

LABELS = Path(__file__).resolve().parent.parent / "triage" / "data" / "support_urgency_labels.csv"
STRENGTHS = (1.0, 4.0, 16.0, 64.0)  # liblinear's C
SEEDS = (0, 1, 2)
FOLDS = 5
Say = Callable[[str], None]


@dataclass(frozen=True)
class Labels:
    ids: list[str]
    texts: list[str]
    urgent: NDArray[np.int64]


def read_labels(shared: Path, path: Path = LABELS) -> Labels:
    """The labelled posts with their texts, read in place from the shared TWCS sample."""
    texts = ds.twcs_texts(shared)
    ids: list[str] = []
    out_texts: list[str] = []
    urgent: list[int] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["urgent"] not in ("0", "1"):
                raise ValueError(f"{path}: tweet {row['tweet_id']} has label {row['urgent']!r} (0 or 1)")
            if row["tweet_id"] not in texts:
                raise ds.MissingData(f"tweet {row['tweet_id']} of {path.name} is not in the TWCS sample")
            ids.append(row["tweet_id"])
            out_texts.append(texts[row["tweet_id"]][0])
            urgent.append(int(row["urgent"]))
    return Labels(ids, out_texts, np.asarray(urgent, np.int64))


def severity_urgency(
    bundle: LinearBundle, texts: Sequence[str], scores: dict[str, NDArray[np.float32]]
) -> list[float]:
    """The shipped urgency (urgency.py) of each text, as the Triager computes it without followers."""
    weights = UrgencyWeights(**bundle.meta["urgency"])
    severe = np.clip(scores["severity"][:, 0], 0, 4).tolist()
    likely = scores["complaint"][:, 0].tolist()
    negative = scores["sentiment"][:, 0].tolist()
    return [
        urgency(weights, severe[i], likely[i], negative[i], signals(text)) for i, text in enumerate(texts)
    ]


def _auc(scores: Sequence[float] | NDArray[np.float64], positive: NDArray[np.int64]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(positive, scores))


def _fit(x: csr_matrix, y: NDArray[np.int64], c: float) -> tuple[NDArray[np.float64], float]:
    from sklearn.linear_model import LogisticRegression

    # liblinear: fast on a few hundred rows of sparse features; the probabilities are used as they
    # come (no class weights), since `combined` compares them with the severity urgency's.
    model = LogisticRegression(C=c, solver="liblinear").fit(x, y)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


@dataclass(frozen=True)
class Validation:
    baseline: float  # the shipped urgency's AUC on the labels (it never saw them)
    head: dict[float, float]  # C -> mean out-of-fold AUC of the head alone
    rules: dict[str, float]  # rule -> mean out-of-fold AUC of the combined urgency, at the chosen C
    strength: float
    rule: str


def cross_validate(x: csr_matrix, y: NDArray[np.int64], base: Sequence[float], say: Say) -> Validation:
    from sklearn.model_selection import StratifiedKFold

    baseline = _auc(base, y)
    head: dict[float, float] = {}
    out_of_fold: dict[float, list[NDArray[np.float64]]] = {}
    for c in STRENGTHS:
        runs = []
        for seed in SEEDS:
            logits = np.zeros(len(y))
            for fit, held in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, y):
                w, b = _fit(x[fit], y[fit], c)
                logits[held] = x[held] @ w + b
            runs.append(1.0 / (1.0 + np.exp(-logits)))
        out_of_fold[c] = runs
        head[c] = float(np.mean([_auc(p, y) for p in runs]))
        say(f"  C={c:g}: head alone {head[c]:.4f}")
    strength = max(STRENGTHS, key=lambda c: (head[c], -c))
    rules = {
        rule: float(
            np.mean(
                [
                    _auc([combined(rule, u, s) for u, s in zip(base, p, strict=True)], y)
                    for p in out_of_fold[strength]
                ]
            )
        )
        for rule in RULES
    }
    rule = max(RULES, key=rules.__getitem__)
    return Validation(baseline, head, rules, strength, rule)


def train(shared: Path, out: Path = ARTIFACT, adopted: bool = True, say: Say = print) -> SupportHead:
    bundle = LinearBundle.load(BUNDLE)
    labels = read_labels(shared)
    n_urgent = int(labels.urgent.sum())
    say(f"{len(labels.ids)} labelled posts, {n_urgent} urgent ({n_urgent / len(labels.ids):.1%})")
    features = bundle.featurizer.transform(labels.texts)
    scores = bundle.score_features(features)
    inputs = head_inputs(scores, [signals(text) for text in labels.texts])
    # Only the columns some labelled post has can get a weight (the others' gradient is zero): fitting
    # on them alone is the same model, many times faster.
    seen = np.unique(features.indices)
    x = hstack([features[:, seen], csr_matrix(inputs)]).tocsr()
    base = severity_urgency(bundle, labels.texts, scores)
    say(f"cross-validation ({len(SEEDS)} x {FOLDS}-fold, ROC AUC of out-of-fold scores):")
    result = cross_validate(x, labels.urgent, base, say)
    say(f"  shipped urgency (severity + phrases): {result.baseline:.4f}")
    for rule, value in result.rules.items():
        say(f"  combined by {rule} at C={result.strength:g}: {value:.4f}")
    say(f"chosen: C={result.strength:g}, {result.rule}")
    w, b = _fit(x, labels.urgent, result.strength)
    sparse, dense = w[: len(seen)], w[len(seen) :]
    keep = sparse != 0
    head = SupportHead(
        columns=seen[keep].astype(np.int64),
        weights=sparse[keep].astype(np.float32),
        input_weights=dense.astype(np.float32),
        bias=b,
        featurizer=featurizer_id(bundle.featurizer),
        n_features=bundle.featurizer.n_features,
        rule=result.rule,
        adopted=adopted,
        meta={
            "labels": len(labels.ids),
            "urgent": n_urgent,
            "C": result.strength,
            "cv_auc_shipped": round(result.baseline, 4),
            "cv_auc_head": {f"{c:g}": round(v, 4) for c, v in result.head.items()},
            "cv_auc_combined": {rule: round(v, 4) for rule, v in result.rules.items()},
        },
    )
    head.save(out)
    say(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB){'' if adopted else ', marked unused'}")
    return head


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m socialdesk.training.support_urgency", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--shared", type=Path, default=None, help="the shared data folder (default: ../shared)"
    )
    parser.add_argument(
        "--out", type=Path, default=ARTIFACT, help=f"where to write the head (default: {ARTIFACT})"
    )
    parser.add_argument(
        "--unused", action="store_true", help="mark the head unused: the shipped urgency stays as it was"
    )
    args = parser.parse_args(argv)
    try:
        train(ds.shared_root(args.shared), args.out, adopted=not args.unused)
    except (ds.MissingData, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
