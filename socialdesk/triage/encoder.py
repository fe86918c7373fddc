"""The accurate tier's encoder: a small transformer (MiniLM, 6 layers) run with ONNX Runtime on the CPU.

The ONNX file is shipped in socialdesk/triage/artifacts/ (exported and quantised to 8-bit by
`socialdesk triage train --tier accurate`); it gives, per text, a mean-pooled sentence embedding and the
logits of the sentiment head it was fine-tuned with. Nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from socialdesk.triage.features import normalise

MAX_TOKENS = 64  # tweets and comments fit; longer mail is judged by its beginning


@dataclass(frozen=True)
class Encoded:
    embeddings: NDArray[np.float32]  # (n, dim), L2-normalised
    sentiment_logits: NDArray[np.float32]  # (n, 3): negative, neutral, positive


class Encoder:
    def __init__(self, model: Path, tokenizer: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: Sequence[str], batch: int = 32) -> Encoded:
        embeddings: list[NDArray[np.float32]] = []
        logits: list[NDArray[np.float32]] = []
        # Sorting by length keeps padding (wasted work) small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            chunk = [normalise(texts[i]) for i in order[start : start + batch]]
            encoded = self._tokenizer.encode_batch(chunk)
            feeds = {
                "input_ids": np.asarray([e.ids for e in encoded], np.int64),
                "attention_mask": np.asarray([e.attention_mask for e in encoded], np.int64),
            }
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
            embedding, logit = self._session.run(["embedding", "sentiment_logits"], feeds)
            embeddings.append(np.asarray(embedding, np.float32))
            logits.append(np.asarray(logit, np.float32))
        if not order:
            return Encoded(np.zeros((0, 0), np.float32), np.zeros((0, 3), np.float32))
        inverse = np.argsort(np.asarray(order))
        return Encoded(np.vstack(embeddings)[inverse], np.vstack(logits)[inverse])


_lock = threading.Lock()
_shared: dict[Path, Encoder] = {}


def shared_encoder(model: Path, tokenizer: Path) -> Encoder:
    with _lock:
        if model not in _shared:
            _shared[model] = Encoder(model, tokenizer)
        return _shared[model]
