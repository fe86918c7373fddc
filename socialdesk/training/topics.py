"""Training a workspace's own topic model (billing, delivery, outage, ...) from labelled examples.

The examples can be any CSV (`socialdesk triage train-topics --csv ...`) or the tags agents put on cases.
The model gets its own vocabulary, a fast head on word and character features, and, when the shipped
encoder is present, an accurate head that also reads the sentence embedding.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from socialdesk.core.errors import SocialDeskError
from socialdesk.triage.encoder import Encoder
from socialdesk.triage.features import fit_featurizer
from socialdesk.triage.linear import Head, LinearBundle

MIN_EXAMPLES_PER_TOPIC = 3
EMBEDDING_WEIGHT = 2.0  # the embedding's share next to the sparse features, chosen on Banking77
TOPIC_CHAR_BUCKETS = 1 << 14  # as accurate as 2**16 on Banking77, and keeps a 77-topic model file small


class TopicDataError(SocialDeskError):
    pass


@dataclass(frozen=True)
class TopicReport:
    examples: int
    topics: int
    fast_accuracy: float | None
    accurate_accuracy: float | None
    held_out: int


def read_examples(path: Path, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in (text_col, label_col) if c not in columns]
            if missing:
                raise TopicDataError(
                    f"{path} has no column(s) {', '.join(missing)}; "
                    f"its columns are: {', '.join(columns) or '(none)'}"
                )
            rows = [(row[text_col] or "", (row[label_col] or "").strip()) for row in reader]
    except UnicodeDecodeError as exc:
        raise TopicDataError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    rows = [(t, lab) for t, lab in rows if t.strip() and lab]
    return [t for t, _ in rows], [lab for _, lab in rows]


def _fit(
    texts: Sequence[str], labels: Sequence[str], encoder: Encoder | None, say: Callable[[str], None]
) -> LinearBundle:
    from sklearn.linear_model import LogisticRegression

    names = tuple(sorted(set(labels)))
    target = [names.index(label) for label in labels]
    featurizer = fit_featurizer(texts, min_df=1, char_buckets=TOPIC_CHAR_BUCKETS)
    features = featurizer.transform(texts)
    say(f"  fast head on {features.shape[1]:,} features...")
    fast = LogisticRegression(C=30, max_iter=3000).fit(features, target)
    weights = [fast.coef_.T.astype(np.float32)]
    biases = [fast.intercept_.astype(np.float32)]
    heads = [Head("topic", "softmax", names)]
    dense: NDArray[np.float32] | None = None
    if encoder is not None:
        say("  accurate head on features and sentence embeddings...")
        from scipy.sparse import csr_matrix, hstack

        embeddings = encoder.encode(texts).embeddings
        combined = hstack([features, csr_matrix(embeddings * EMBEDDING_WEIGHT)]).tocsr()
        accurate = LogisticRegression(C=30, max_iter=3000).fit(combined, target)
        coef = accurate.coef_.T.astype(np.float32)
        weights.append(coef[: features.shape[1]])
        biases.append(accurate.intercept_.astype(np.float32))
        heads.append(Head("topic+", "softmax", names, uses_embedding=True))
        dense = np.hstack(
            [
                np.zeros((embeddings.shape[1], len(names)), np.float32),
                coef[features.shape[1] :] * EMBEDDING_WEIGHT,
            ]
        )
    return LinearBundle(
        featurizer, heads, np.hstack(weights), np.concatenate(biases), {"kind": "topics"}, dense
    )


def _check(labels: Sequence[str]) -> Counter[str]:
    counts = Counter(labels)
    rare = sorted(t for t, n in counts.items() if n < MIN_EXAMPLES_PER_TOPIC)
    if len(counts) < 2:
        raise TopicDataError("a topic model needs at least two topics")
    if rare:
        raise TopicDataError(
            f"each topic needs at least {MIN_EXAMPLES_PER_TOPIC} examples; "
            f"too few for: {', '.join(rare[:10])}"
        )
    return counts


def measure_topics(
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: Encoder | None = None,
    validation: float = 0.2,
    seed: int = 0,
    say: Callable[[str], None] = print,
) -> TopicReport:
    """Train on all but a stratified `validation` share of the examples and measure on that share."""
    from sklearn.model_selection import train_test_split

    counts = _check(labels)
    a, b, ya, yb = train_test_split(
        list(texts), list(labels), test_size=validation, random_state=seed, stratify=labels
    )
    say(f"measuring on {len(b):,} held-out examples...")
    predictions = _predict(_fit(a, ya, encoder, say), b, encoder)
    truth = np.asarray(yb)
    fast = float(np.mean(np.asarray(predictions["topic"]) == truth))
    accurate = float(np.mean(np.asarray(predictions["topic+"]) == truth)) if "topic+" in predictions else None
    return TopicReport(len(texts), len(counts), fast, accurate, len(b))


def train_topics(
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: Encoder | None = None,
    validation: float = 0.2,
    seed: int = 0,
    say: Callable[[str], None] = print,
) -> tuple[LinearBundle, TopicReport]:
    """Measure on a held-out share of the examples (unless `validation` is 0), then train the model to
    keep on all of them."""
    counts = _check(labels)
    report = TopicReport(len(texts), len(counts), None, None, 0)
    if validation > 0:
        report = measure_topics(texts, labels, encoder, validation, seed, say)
    say(f"training on all {len(texts):,} examples...")
    return _fit(texts, labels, encoder, say), report


def _predict(model: LinearBundle, texts: Sequence[str], encoder: Encoder | None) -> dict[str, list[str]]:
    embeddings = encoder.encode(texts).embeddings if encoder is not None else None
    scores = model.score(texts, embeddings)
    labels = model.head("topic").labels
    return {name: [labels[i] for i in values.argmax(axis=1)] for name, values in scores.items()}
