"""Support urgency: how likely a post is one a support team should answer first, in [0, 1].

The severity-based urgency (urgency.py) ranks complaints by how much they blame; many urgent support
posts are calm reports that something stopped working or money went wrong ("internet down", "charged
after I cancelled", "locked out"). This head is a logistic regression, learned from the project's own
labels of TWCS customer posts (`data/support_urgency_labels.csv`, against
`benchmarks/routing_labels/CRITERIA.md`), over the fast tier's sparse features plus the outputs of the
shipped heads (intent, complaint, severity, sentiment). It costs one sparse dot product a post.

It is tied to the featurizer it was trained on: the file keeps a fingerprint of that featurizer's idf,
and `matches` refuses a bundle with another one (its columns would mean other words).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from socialdesk.triage.features import Featurizer

FORMAT = "socialdesk-support-urgency/1"
ARTIFACT = Path(__file__).parent / "artifacts" / "support_urgency.npz"
# The shipped heads' outputs the head reads beside the sparse features, in this order (head, column).
INPUTS: tuple[tuple[str, int], ...] = (
    *(("intent", i) for i in range(6)),
    ("complaint", 0),
    ("severity", 0),
    *(("sentiment", i) for i in range(3)),
    ("signals", 0),  # urgency.py's phrases (stranded, fraud, ...), at most two, as 0, 0.5 or 1
)
SEVERITY_SCALE = 4.0  # severity is 0..4; the head reads it as 0..1 like the probabilities
RULES = ("max", "noisy-or")


def featurizer_id(featurizer: Featurizer) -> str:
    """A fingerprint of the featurizer's columns: its idf is specific to the data it was fitted on."""
    digest = hashlib.sha256(np.ascontiguousarray(featurizer.idf, np.float32).tobytes())
    digest.update(str(featurizer.n_features).encode())
    return digest.hexdigest()[:16]


def head_inputs(
    scores: Mapping[str, NDArray[np.float32]], signal_counts: Sequence[int]
) -> NDArray[np.float32]:
    """(posts, len(INPUTS)): what the support head reads besides the sparse features: the fast heads'
    outputs (from `score_features`) and each text's count of urgency phrases (`urgency.signals`)."""
    columns = []
    for name, column in INPUTS:
        if name == "signals":
            columns.append(np.asarray([min(n, 2) / 2 for n in signal_counts], np.float32))
            continue
        values = scores[name][:, column]
        if name == "severity":
            values = np.clip(values, 0, SEVERITY_SCALE) / SEVERITY_SCALE
        columns.append(values)
    return np.column_stack(columns).astype(np.float32)


@dataclass
class SupportHead:
    """Sparse weights (only the feature columns seen in training have any), weights of the head inputs,
    a bias, and the fingerprint of the featurizer the columns belong to."""

    columns: NDArray[np.int64]
    weights: NDArray[np.float32]
    input_weights: NDArray[np.float32]
    bias: float
    featurizer: str
    n_features: int
    rule: str = "max"  # how `combined` joins it with the severity urgency
    # False keeps the file (and its training record) without changing the shipped urgency
    adopted: bool = True
    meta: dict[str, Any] = field(default_factory=dict)
    _dense: NDArray[np.float32] | None = field(default=None, init=False, repr=False, compare=False)

    def matches(self, featurizer: Featurizer) -> bool:
        return featurizer.n_features == self.n_features and featurizer_id(featurizer) == self.featurizer

    def probabilities(self, features: csr_matrix, inputs: NDArray[np.float32]) -> NDArray[np.float32]:
        """P(urgent) per post, from the featurizer's matrix and `head_inputs` of the same posts."""
        if features.shape[1] != self.n_features or inputs.shape[1] != len(self.input_weights):
            raise ValueError(
                f"support urgency expects {self.n_features} features and {len(self.input_weights)} head "
                f"inputs, got {features.shape[1]} and {inputs.shape[1]}"
            )
        if self._dense is None:
            dense = np.zeros(self.n_features, np.float32)
            dense[self.columns] = self.weights
            self._dense = dense
        logits = np.asarray(features @ self._dense, np.float32).ravel()
        logits += inputs @ self.input_weights + np.float32(self.bias)
        result: NDArray[np.float32] = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
        return result

    def save(self, path: Path | BinaryIO) -> None:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                self.save(handle)
            return
        description = {
            "format": FORMAT,
            "bias": self.bias,
            "featurizer": self.featurizer,
            "n_features": self.n_features,
            "rule": self.rule,
            "adopted": self.adopted,
            "inputs": [f"{name}:{column}" for name, column in INPUTS],
            "meta": self.meta,
        }
        np.savez_compressed(
            path,
            description=np.array(json.dumps(description)),
            columns=self.columns.astype(np.int32),
            weights=self.weights.astype(np.float32),
            input_weights=self.input_weights.astype(np.float32),
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    @classmethod
    def load(cls, path: Path | BinaryIO) -> SupportHead:
        with np.load(path, allow_pickle=False) as data:
            description = json.loads(str(data["description"]))
            if description.get("format") != FORMAT:
                raise ValueError(f"not a SocialDesk support-urgency model ({description.get('format')!r})")
            if description.get("rule", "max") not in RULES:
                raise ValueError(f"unknown urgency combination {description.get('rule')!r}")
            if description.get("inputs") != [f"{name}:{column}" for name, column in INPUTS]:
                raise ValueError("this support-urgency model reads other head inputs than this version")
            return cls(
                data["columns"].astype(np.int64),
                data["weights"].astype(np.float32),
                data["input_weights"].astype(np.float32),
                float(description["bias"]),
                str(description["featurizer"]),
                int(description["n_features"]),
                str(description.get("rule", "max")),
                bool(description.get("adopted", True)),
                dict(description.get("meta", {})),
            )


def combined(rule: str, severity_urgency: float, support: float) -> float:
    """The urgency the queue orders by, from the two heads, each an independent reason to hurry (a
    severe accusation is urgent however calm the support head finds it, and a calm "my internet is
    down" however mild its tone): the larger of the two ("max") or a noisy OR. The rule is chosen by
    cross-validation on the labels when the head is trained, and kept in its file."""
    if rule == "max":
        return max(severity_urgency, support)
    if rule == "noisy-or":
        return 1.0 - (1.0 - severity_urgency) * (1.0 - support)
    raise ValueError(f"unknown urgency combination {rule!r} (expected one of {', '.join(RULES)})")


_lock = threading.Lock()
_shared: SupportHead | None = None
_loaded = False


def shared_head() -> SupportHead | None:
    """The shipped head, loaded once; None when the file is not shipped."""
    global _shared, _loaded
    with _lock:
        if not _loaded:
            _shared = SupportHead.load(ARTIFACT) if ARTIFACT.exists() else None
            _loaded = True
        return _shared
