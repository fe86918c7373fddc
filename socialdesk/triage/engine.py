"""Triage: every field for a batch of posts, in one of two tiers behind one interface.

The fast tier runs on every post: one sparse featurization shared by all linear heads, language ID,
places, personal data and the urgency formula. The accurate tier adds a small transformer (ONNX) that
re-scores sentiment and feeds its sentence embedding to heads trained on top of it; it costs about a
hundred times more CPU per post, so it is meant for the posts that reach the inbox.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from socialdesk.core.types import Intent, Sentiment, TopicScore, Triage, TriageInput
from socialdesk.triage.encoder import Encoder, shared_encoder
from socialdesk.triage.features import Analysed, analyse
from socialdesk.triage.language import LanguageDetector, default_detector
from socialdesk.triage.linear import LinearBundle, softmax
from socialdesk.triage.pii import find_pii
from socialdesk.triage.places import PlaceFinder, default_finder
from socialdesk.triage.support_urgency import SupportHead, combined, head_inputs, shared_head
from socialdesk.triage.urgency import UrgencyWeights, signals, urgency

Tier = Literal["fast", "accurate"]
ARTIFACTS = Path(__file__).parent / "artifacts"
BUNDLE = ARTIFACTS / "triage.npz"
ENCODER = ARTIFACTS / "encoder.onnx"
TOKENIZER = ARTIFACTS / "tokenizer.json"
TOPICS_SHOWN = 3
_SENTIMENTS = tuple(s.value for s in Sentiment)
_INTENTS = tuple(i.value for i in Intent)
_SENTIMENT_VALUES = tuple(Sentiment(s) for s in _SENTIMENTS)
_INTENT_VALUES = tuple(Intent(i) for i in _INTENTS)


class Triager:
    """Loads the shipped models once; `run` is safe to call from several threads."""

    def __init__(
        self,
        tier: Tier = "fast",
        bundle: LinearBundle | None = None,
        topics: LinearBundle | None = None,
        encoder: Encoder | None = None,
        detector: LanguageDetector | None = None,
        places: PlaceFinder | None = None,
        encoder_batch: int = 32,
        support: SupportHead | None = None,
    ) -> None:
        self.tier = tier
        # 1 makes every post's scores independent of the batch it came in (padding changes the float
        # arithmetic slightly); the worker uses it so that re-running a job gives identical results.
        self.encoder_batch = encoder_batch
        self.bundle = bundle or shared_bundle()
        self.topics = topics
        if topics is not None:
            topics.prepare_static()
        self.encoder = encoder or (shared_encoder(ENCODER, TOKENIZER) if tier == "accurate" else None)
        self.detector = detector or default_detector()
        self.places = places or default_finder()
        meta = self.bundle.meta
        # Both tiers order the queue with the fast heads' severity, complaint and negativity: on the
        # held-in fold they order it better than the accurate heads (see `socialdesk triage eval`).
        self.urgency_weights = UrgencyWeights(**meta["urgency"])
        self.encoder_temperature = float(meta.get("encoder_temperature", 1.0))
        self.complaint_threshold = float(self.bundle.meta.get("complaint_threshold", 0.5))
        # The support-urgency head reads this bundle's feature columns: with another bundle (a model
        # retrained since the head was) it would read other words, so the urgency stays severity's.
        head = support if support is not None else shared_head()
        self.support = (
            head if head is not None and head.adopted and head.matches(self.bundle.featurizer) else None
        )

    def run(self, items: Sequence[TriageInput]) -> list[Triage]:
        if not items:
            return []
        texts = [item.text for item in items]
        analysed = analyse(texts)  # read once for the shipped heads and the topic model
        features = self.bundle.featurizer.transform_analysed(analysed)
        embeddings = None
        scores = fast = self.bundle.score_features(features)
        sentiment = scores["sentiment"]
        if self.encoder is not None:
            encoded = self.encoder.encode(texts, batch=self.encoder_batch)
            embeddings = encoded.embeddings
            scores = self.bundle.score_features(features, embeddings)
            sentiment = softmax(encoded.sentiment_logits / np.float32(self.encoder_temperature))
        intent = scores["intent+"] if "intent+" in scores else scores["intent"]
        complaint = (scores["complaint+"] if "complaint+" in scores else scores["complaint"])[:, 0]
        severity = np.clip((scores["severity+"] if "severity+" in scores else scores["severity"])[:, 0], 0, 4)
        # The loop below reads Python floats taken from the arrays once per batch: indexing a numpy
        # array element by element costs more than the rest of a post's scores. tolist() gives each
        # float32 exactly, as float() of the element did.
        severe = np.clip(fast["severity"][:, 0], 0, 4).tolist()
        phrases = [signals(text) for text in texts]  # read once for both urgency parts
        support = (
            self.support.probabilities(features, head_inputs(fast, phrases)).tolist()
            if self.support is not None
            else None
        )
        likely = fast["complaint"][:, 0].tolist()
        negative = fast["sentiment"][:, 0].tolist()
        sentiment_best = sentiment.argmax(axis=1).tolist()
        intent_best = intent.argmax(axis=1).tolist()
        # numpy rounds the whole batch; for float32 scores that is exactly Python's round (see
        # _round_float32), which cost more per post than any score.
        sentiment_rows = _round_float32(sentiment, 4).tolist()
        intent_rows = _round_float32(intent, 4).tolist()
        # The scores are float32 and numpy compared them with the threshold in float32; rounding the
        # threshold to float32 keeps every decision the same now that the comparison is in Python.
        is_complaints = (complaint >= np.float32(self.complaint_threshold)).tolist()
        complaint_scores = _round_float32(complaint, 4).tolist()
        severities = _round_float32(np.where(is_complaints, severity, np.float32(0)), 3).tolist()
        topics = self._topics(analysed, embeddings)
        weights, detect_many, find_places, tier = (
            self.urgency_weights,
            self.detector.detect_many,
            self.places.find,
            self.tier,
        )
        # Each per-post reader runs over the whole batch in turn rather than all of them post by post:
        # the language models' and the gazetteer's tables then stay in the CPU's caches (fastText's
        # look-ups cost about twice as much interleaved with the other readers).
        languages = [guess.code for guess in detect_many(texts, [item.lang for item in items])]
        places = [
            find_places(item.text, (item.geo.lat, item.geo.lon) if item.geo else None, item.user_location)
            for item in items
        ]
        personal = [find_pii(text) for text in texts]
        results = []
        for i, item in enumerate(items):
            results.append(
                Triage(
                    language=languages[i],
                    sentiment=_SENTIMENT_VALUES[sentiment_best[i]],
                    sentiment_scores=_summing_to_one(_SENTIMENTS, sentiment_rows[i], sentiment_best[i]),
                    intent=_INTENT_VALUES[intent_best[i]],
                    intent_scores=_summing_to_one(_INTENTS, intent_rows[i], intent_best[i]),
                    is_complaint=is_complaints[i],
                    complaint_score=complaint_scores[i],
                    severity=severities[i],
                    urgency=round(
                        self._urgency(
                            urgency(weights, severe[i], likely[i], negative[i], phrases[i], item.followers),
                            support[i] if support is not None else None,
                        ),
                        4,
                    ),
                    topics=topics[i],
                    places=places[i],
                    pii=personal[i],
                    tier=tier,
                )
            )
        return results

    def _urgency(self, severity_urgency: float, support: float | None) -> float:
        if support is None or self.support is None:
            return severity_urgency
        return combined(self.support.rule, severity_urgency, support)

    def _topics(self, analysed: Analysed, embeddings: NDArray[np.float32] | None) -> list[list[TopicScore]]:
        if self.topics is None:
            return [[] for _ in range(len(analysed))]
        features = self.topics.featurizer.transform_analysed(analysed)
        scores = self.topics.score_features(
            features,
            embeddings if self.topics.dense is not None else None,
            self.topics.static_logits(analysed),
        )
        probabilities = scores["topic+"] if "topic+" in scores else scores["topic"]
        labels = self.topics.head("topic").labels
        best = np.argsort(-probabilities, axis=1)[:, :TOPICS_SHOWN]
        shown = np.take_along_axis(probabilities, best, axis=1).tolist()
        return [
            [TopicScore(labels[j], round(p, 4)) for j, p in zip(top, row, strict=True)]
            for top, row in zip(best.tolist(), shown, strict=True)
        ]


def _round_float32(values: NDArray[np.float32], digits: int) -> NDArray[np.float64]:
    """`round(float(v), digits)` of each float32 value, as float64.

    numpy rounds by multiplying by 10**digits, rounding half to even and dividing back. For a float32
    value and up to 4 digits the product is exact in float64 (24 significant bits times 10**4's 14), so
    the integer is Python's correctly rounded one, and the one division is as correctly rounded as
    Python's conversion of the digits back. tests/unit/test_triage_engine.py checks this on a million
    values.
    """
    if digits > 4:
        raise ValueError("exact only up to 4 digits")
    if values.dtype != np.float32:  # a float64 product is not exact: it would round otherwise
        raise TypeError(f"exact only for float32 values, not {values.dtype}")
    wide = values.astype(np.float64)
    np.round(wide, digits, out=wide)
    return wide


def _summing_to_one(labels: Sequence[str], rounded: list[float], best: int) -> dict[str, float]:
    """Probabilities already rounded to 4 digits, adjusted to sum to exactly 1; `best` is the largest's
    index, which takes the remainder."""
    # Rounding a rounded value again changes nothing, so only the one that takes the remainder needs it.
    rounded[best] = round(rounded[best] + round(1.0 - sum(rounded), 4), 4)
    return dict(zip(labels, rounded, strict=True))


_lock = threading.Lock()
_bundle: LinearBundle | None = None


def shared_bundle() -> LinearBundle:
    global _bundle
    with _lock:
        if _bundle is None:
            _bundle = LinearBundle.load(BUNDLE)
        return _bundle
