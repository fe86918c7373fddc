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
from socialdesk.triage.language import LanguageDetector, default_detector
from socialdesk.triage.linear import LinearBundle, softmax
from socialdesk.triage.pii import find_pii
from socialdesk.triage.places import PlaceFinder, default_finder
from socialdesk.triage.urgency import UrgencyWeights, signals, urgency

Tier = Literal["fast", "accurate"]
ARTIFACTS = Path(__file__).parent / "artifacts"
BUNDLE = ARTIFACTS / "triage.npz"
ENCODER = ARTIFACTS / "encoder.onnx"
TOKENIZER = ARTIFACTS / "tokenizer.json"
TOPICS_SHOWN = 3
_SENTIMENTS = tuple(s.value for s in Sentiment)
_INTENTS = tuple(i.value for i in Intent)


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
    ) -> None:
        self.tier = tier
        # 1 makes every post's scores independent of the batch it came in (padding changes the float
        # arithmetic slightly); the worker uses it so that re-running a job gives identical results.
        self.encoder_batch = encoder_batch
        self.bundle = bundle or shared_bundle()
        self.topics = topics
        self.encoder = encoder or (shared_encoder(ENCODER, TOKENIZER) if tier == "accurate" else None)
        self.detector = detector or default_detector()
        self.places = places or default_finder()
        meta = self.bundle.meta
        # Both tiers order the queue with the fast heads' severity, complaint and negativity: on the
        # held-in fold they order it better than the accurate heads (see `socialdesk triage eval`).
        self.urgency_weights = UrgencyWeights(**meta["urgency"])
        self.encoder_temperature = float(meta.get("encoder_temperature", 1.0))
        self.complaint_threshold = float(self.bundle.meta.get("complaint_threshold", 0.5))

    def run(self, items: Sequence[TriageInput]) -> list[Triage]:
        if not items:
            return []
        texts = [item.text for item in items]
        features = self.bundle.featurizer.transform(texts)
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
        urgency_parts = (
            np.clip(fast["severity"][:, 0], 0, 4),
            fast["complaint"][:, 0],
            fast["sentiment"][:, 0],
        )
        topics = self._topics(texts, embeddings)
        results = []
        for i, item in enumerate(items):
            is_complaint = bool(complaint[i] >= self.complaint_threshold)
            results.append(
                Triage(
                    language=self.detector.detect(item.text).code or item.lang,
                    sentiment=Sentiment(_SENTIMENTS[int(sentiment[i].argmax())]),
                    sentiment_scores=_rounded(_SENTIMENTS, sentiment[i]),
                    intent=Intent(_INTENTS[int(intent[i].argmax())]),
                    intent_scores=_rounded(_INTENTS, intent[i]),
                    is_complaint=is_complaint,
                    complaint_score=round(float(complaint[i]), 4),
                    severity=round(float(severity[i]) if is_complaint else 0.0, 3),
                    urgency=round(
                        urgency(
                            self.urgency_weights,
                            float(urgency_parts[0][i]),
                            float(urgency_parts[1][i]),
                            float(urgency_parts[2][i]),
                            signals(item.text),
                            item.followers,
                        ),
                        4,
                    ),
                    topics=topics[i],
                    places=self.places.find(
                        item.text, (item.geo.lat, item.geo.lon) if item.geo else None, item.user_location
                    ),
                    pii=find_pii(item.text),
                    tier=self.tier,
                )
            )
        return results

    def _topics(self, texts: Sequence[str], embeddings: NDArray[np.float32] | None) -> list[list[TopicScore]]:
        if self.topics is None:
            return [[] for _ in texts]
        scores = self.topics.score(texts, embeddings if self.topics.dense is not None else None)
        probabilities = scores["topic+"] if "topic+" in scores else scores["topic"]
        labels = self.topics.head("topic").labels
        best = np.argsort(-probabilities, axis=1)[:, :TOPICS_SHOWN]
        return [
            [TopicScore(labels[j], round(float(probabilities[i, j]), 4)) for j in best[i]]
            for i in range(len(texts))
        ]


def _rounded(labels: Sequence[str], values: NDArray[np.float32]) -> dict[str, float]:
    """Probabilities rounded for output, still summing to exactly 1."""
    rounded = [round(float(v), 4) for v in values]
    rounded[int(np.argmax(values))] += round(1.0 - sum(rounded), 4)
    return {label: round(v, 4) for label, v in zip(labels, rounded, strict=True)}


_lock = threading.Lock()
_bundle: LinearBundle | None = None


def shared_bundle() -> LinearBundle:
    global _bundle
    with _lock:
        if _bundle is None:
            _bundle = LinearBundle.load(BUNDLE)
        return _bundle
