"""Linear heads over shared sparse features, and the file format they ship in.

A bundle is one `.npz` (numpy's zip of arrays, read with allow_pickle=False, so loading a model file
never runs code): the featurizer's vocabulary and idf, one weight matrix whose columns are the outputs of
every head, the biases, and a JSON description of the heads. Scoring a batch for all heads is one sparse
matrix product. Heads of the accurate tier also read a sentence embedding (`uses_embedding`): their
columns have weights in `dense` too, and they are scored only when embeddings are given. A bundle can
also read the static embedding of static_embedding.py (weights in `static`, format /2): it is computed
from the texts themselves, so it costs no transformer and every head may use it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from socialdesk.triage.features import Analysed, Featurizer, analyse

HeadKind = Literal["softmax", "sigmoid", "linear"]
FORMAT = "socialdesk-linear/1"
# A bundle with static-embedding weights is saved as /2, so that a reader that knows only /1 refuses it
# instead of scoring it without those weights; a bundle without them is still written as /1.
FORMAT_STATIC = "socialdesk-linear/2"


@dataclass(frozen=True)
class Head:
    name: str
    kind: HeadKind
    labels: tuple[str, ...]  # one per output column; a sigmoid or linear head has one
    temperature: float = 1.0  # divides the logits: fitted so that probabilities are calibrated
    uses_embedding: bool = False


@dataclass
class LinearBundle:
    featurizer: Featurizer
    heads: list[Head]
    weights: NDArray[np.float32]  # (n_features, n_outputs)
    bias: NDArray[np.float32]  # (n_outputs,)
    meta: dict[str, Any] = field(default_factory=dict)
    dense: NDArray[np.float32] | None = None  # (embedding size, n_outputs), for heads that use embeddings
    static: NDArray[np.float32] | None = None  # (static embedding size, n_outputs)
    # the columns of `static` with weights and the embedding table projected on them (static_logits)
    _projection: tuple[NDArray[np.intp], NDArray[np.float32]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def head(self, name: str) -> Head:
        return next(h for h in self.heads if h.name == name)

    def _columns(self) -> dict[str, slice]:
        spans: dict[str, slice] = {}
        start = 0
        for head in self.heads:
            spans[head.name] = slice(start, start + len(head.labels))
            start += len(head.labels)
        return spans

    def prepare_static(self) -> None:
        """Read the static embedding table and project it on the weights now, which the first batch
        would otherwise wait for (a fraction of a second); nothing for a bundle without them."""
        self.static_logits(analyse([], chars=False))

    def static_logits(self, analysed: Analysed) -> NDArray[np.float32] | None:
        """(texts, n_outputs): the static embeddings of a batch times `static`, which `score_features`
        needs; None for a bundle without static-embedding weights."""
        if self.static is None:
            return None
        from socialdesk.triage.static_embedding import shared_static_embedder

        embedder = shared_static_embedder()
        if self._projection is None:
            # Only the columns with weights: a topic model's accurate head has none, and the projected
            # table takes 4 bytes per word piece and column (120 KB a topic).
            columns = np.flatnonzero(np.any(self.static != 0, axis=0))
            self._projection = (columns, embedder.project(self.static[:, columns]))
        columns, projected = self._projection
        logits = np.zeros((len(analysed), self.static.shape[1]), np.float32)
        logits[:, columns] = embedder.linear(analysed, projected)
        return logits

    def score_features(
        self,
        features: csr_matrix,
        embeddings: NDArray[np.float32] | None = None,
        static_logits: NDArray[np.float32] | None = None,
    ) -> dict[str, NDArray[np.float32]]:
        """Every head's outputs: probabilities, or raw values for linear heads. Heads that need an
        embedding are left out when `embeddings` is None. `static_logits` is `static_logits(analysed)`,
        needed (and only read) when the bundle has static-embedding weights."""
        logits = np.asarray(features @ self.weights, dtype=np.float32) + self.bias
        if embeddings is not None and self.dense is not None:
            logits += embeddings.astype(np.float32) @ self.dense
        if self.static is not None:
            if static_logits is None:  # scores without their share would look plausible and be wrong
                raise ValueError("this model reads static embeddings: pass static_logits(analysed)")
            logits += static_logits
        return {
            head.name: _activate(logits[:, span], head)
            for head, span in zip(self.heads, self._columns().values(), strict=True)
            if embeddings is not None or not head.uses_embedding
        }

    def score(
        self, texts: Sequence[str], embeddings: NDArray[np.float32] | None = None
    ) -> dict[str, NDArray[np.float32]]:
        analysed = analyse(texts, chars=self.featurizer.char_buckets > 0)
        features = self.featurizer.transform_analysed(analysed)
        return self.score_features(features, embeddings, self.static_logits(analysed))

    def save(self, path: Path | BinaryIO) -> None:
        terms = sorted(self.featurizer.vocabulary, key=self.featurizer.vocabulary.__getitem__)
        description = {
            "format": FORMAT if self.static is None else FORMAT_STATIC,
            "heads": [
                {
                    "name": h.name,
                    "kind": h.kind,
                    "labels": list(h.labels),
                    "temperature": h.temperature,
                    "uses_embedding": h.uses_embedding,
                }
                for h in self.heads
            ],
            "meta": self.meta,
        }
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                self.save(handle)
            return
        np.savez_compressed(
            path,
            description=np.array(json.dumps(description, ensure_ascii=False)),
            terms=np.array(terms, dtype=np.str_),
            idf=self.featurizer.idf.astype(np.float32),
            weights=self.weights.astype(np.float16),  # half precision: the scores differ in the 4th digit
            bias=self.bias.astype(np.float32),
            dense=(self.dense if self.dense is not None else np.zeros((0, len(self.bias)))).astype(
                np.float32
            ),
            # half precision as `weights`; empty for a bundle without static-embedding weights
            static=(self.static if self.static is not None else np.zeros((0, len(self.bias)))).astype(
                np.float16
            ),
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearBundle:
        return cls.load(io.BytesIO(data))

    @classmethod
    def load(cls, path: Path | BinaryIO) -> LinearBundle:
        with np.load(path, allow_pickle=False) as data:
            description = json.loads(str(data["description"]))
            if description.get("format") not in (FORMAT, FORMAT_STATIC):
                raise ValueError(f"not a SocialDesk linear model ({description.get('format')!r})")
            terms = [str(t) for t in data["terms"]]
            featurizer = Featurizer({t: i for i, t in enumerate(terms)}, data["idf"].astype(np.float32))
            heads = [
                Head(
                    h["name"],
                    h["kind"],
                    tuple(h["labels"]),
                    float(h.get("temperature", 1.0)),
                    bool(h.get("uses_embedding")),
                )
                for h in description["heads"]
            ]
            dense = data["dense"].astype(np.float32) if "dense" in data and data["dense"].size else None
            # files from before static embeddings have no "static" at all
            static = data["static"].astype(np.float32) if "static" in data and data["static"].size else None
            return cls(
                featurizer,
                heads,
                data["weights"].astype(np.float32),
                data["bias"].astype(np.float32),
                dict(description.get("meta", {})),
                dense,
                static,
            )


def _activate(logits: NDArray[np.float32], head: Head) -> NDArray[np.float32]:
    if head.kind == "linear":
        return logits
    scaled = logits / np.float32(head.temperature)
    if head.kind == "sigmoid":
        result: NDArray[np.float32] = (1.0 / (1.0 + np.exp(-scaled))).astype(np.float32)
        return result
    return softmax(scaled)


def softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: NDArray[np.float32] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


def top_labels(probabilities: NDArray[np.float32], labels: Sequence[str]) -> list[str]:
    return [labels[i] for i in probabilities.argmax(axis=1)]


def as_dicts(probabilities: NDArray[np.float32], labels: Sequence[str]) -> list[Mapping[str, float]]:
    return [dict(zip(labels, (round(float(p), 4) for p in row), strict=True)) for row in probabilities]
