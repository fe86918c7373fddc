"""Static embeddings: a post's word pieces looked up in the encoder's input embedding table and averaged.

The accurate tier runs the whole transformer; this reads only its first layer, the word-piece embedding
matrix, so it costs a look-up of each word's pieces and a sum per post (about 9 µs) and can run on
every post of the fast tier. It brings what character and word n-grams lack: word pieces with related
meanings ("arrive", "received") have nearby vectors. Topic models append it to their sparse features
(training/topics.py).

The table is read from the shipped encoder.onnx when first needed, not shipped a second time: the file
is a protocol-buffer message, and the few fields needed to find one tensor in it are read here, because
the `onnx` package is only a training extra. The tensor is 8-bit (dynamic quantisation of the export):
value = (stored byte - zero point) * scale, with one scale and zero point for the whole table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from socialdesk.triage.features import Analysed, analyse

ARTIFACTS = Path(__file__).parent / "artifacts"
ENCODER = ARTIFACTS / "encoder.onnx"
TOKENIZER = ARTIFACTS / "tokenizer.json"
TABLE = "net.encoder.embeddings.word_embeddings.weight"  # the name torch's export gave the matrix
# ONNX's TensorProto data types that the quantised table and its scale come in
_FLOAT, _UINT8, _INT8 = 1, 2, 3
_DTYPES = {_FLOAT: np.float32, _UINT8: np.uint8, _INT8: np.int8}
MAX_WORDS = 128  # a long e-mail is read by its beginning, as the encoder does
MAX_CACHED = 100_000  # distinct words whose pieces are kept (about 25 MB)
_MARKERS = frozenset({"<shout>", "<elongated>"})  # the tokens that word_tokens adds to a post's words


class StaticEmbedder:
    """L2-normalised means of word-piece embeddings; safe to call from several threads."""

    def __init__(self, table: NDArray[np.float32], tokenizer: Path) -> None:
        from tokenizers import Tokenizer

        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()  # the file pads to 128 pieces for the transformer
        self._tokenizer.no_truncation()  # MAX_WORDS bounds the cost instead
        self._pieces: dict[str, list[int]] = {}

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """(texts, dim); a text without word pieces gets zeros."""
        return self.embed_analysed(analyse(texts, chars=False))

    def embed_analysed(self, analysed: Analysed) -> NDArray[np.float32]:
        """As `embed`, from the word tokens that the fast tier has already read from the batch."""
        return _normalised(self._sums(analysed)[1])[0]

    def project(self, weights: NDArray[np.float32]) -> NDArray[np.float32]:
        """(vocabulary, outputs): the table times `weights` (dim, outputs), for `linear`."""
        projected: NDArray[np.float32] = self.table @ weights.astype(np.float32)
        return projected

    def linear(self, analysed: Analysed, projected: NDArray[np.float32]) -> NDArray[np.float32]:
        """embed_analysed(analysed) @ weights, from projected = project(weights).

        The batch's mean vectors times dense weights would be the fast tier's only product of dense
        matrices, and BLAS runs those on threads that spin after each call: one process cost twice its
        CPU time. Summing the projected rows of each post's pieces is a sparse product instead, and
        exact: normalising is dividing a row by its norm, which the sums still give.
        """
        counts, sums = self._sums(analysed)
        norms = _normalised(sums)[1]
        result: NDArray[np.float32] = np.asarray(counts @ projected, dtype=np.float32) / norms
        return result

    def _sums(self, analysed: Analysed) -> tuple[csr_matrix, NDArray[np.float32]]:
        """(texts, vocabulary) counts of each text's pieces and (texts, dim) sums of their vectors.

        Tokenising whole posts with the tokenizer cost 30 µs a post, more than all topic scoring; the
        word tokens of `analyse` split where the tokenizer's pre-tokenizer splits too (spaces and
        punctuation), so each word's pieces are the tokenizer's, computed once per distinct word.
        What those tokens leave out is most punctuation (".", ",", quotes, the "@" of "@user").
        """
        pieces = self._pieces
        ids: list[int] = []
        lengths: list[int] = []
        for terms in analysed.terms:
            # word_terms puts a post's n tokens first, then its n - 1 bigrams
            before = len(ids)
            for word in terms[: min((len(terms) + 1) // 2, MAX_WORDS)]:
                found = pieces.get(word)
                ids += found if found is not None else self._learn(word)
            lengths.append(len(ids) - before)
        indptr = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        counts = csr_matrix(
            (np.ones(len(ids), np.float32), np.asarray(ids, np.int32), indptr),
            shape=(len(lengths), self.table.shape[0]),
        )
        # The division by the number of pieces that makes it a mean is left out: the normalisation
        # removes any factor of the whole row.
        return counts, np.asarray(counts @ self.table, dtype=np.float32)

    def _learn(self, word: str) -> list[int]:
        if word in _MARKERS:  # stand for how a post is written, not for words in it
            return []
        found = self._tokenizer.encode(word, add_special_tokens=False).ids
        if len(self._pieces) >= MAX_CACHED:  # a firehose brings new words for ever: start over
            self._pieces = {}
        self._pieces[word] = found
        return found


def _normalised(sums: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """(sums divided by their L2 norms, the (texts, 1) norms); a row of zeros stays zeros."""
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return sums / norms, norms


def read_table(model: Path, name: str = TABLE) -> NDArray[np.float32]:
    """The float values of the 8-bit tensor `name` (its initializers name_quantized, name_scale and
    name_zero_point) in the ONNX file `model`."""
    data = memoryview(model.read_bytes())
    wanted = {f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"}
    tensors: dict[str, NDArray[np.generic]] = {}
    graph = next((value for number, value in _fields(data, 0, len(data)) if number == 7), None)
    if not isinstance(graph, tuple):
        raise ValueError(f"{model} has no graph")
    for number, value in _fields(data, *graph):
        if number == 5 and isinstance(value, tuple):  # GraphProto.initializer, a TensorProto
            tensor_name, array = _tensor(data, *value, wanted)
            if array is not None:
                tensors[tensor_name] = array
    missing = wanted - tensors.keys()
    if missing:
        raise ValueError(f"{model} has no initializer(s) {', '.join(sorted(missing))}")
    quantized = tensors[f"{name}_quantized"]
    scale = np.float32(tensors[f"{name}_scale"].reshape(-1)[0])
    zero_point = np.float32(tensors[f"{name}_zero_point"].reshape(-1)[0])
    table: NDArray[np.float32] = (quantized.astype(np.float32) - zero_point) * scale
    return table


def _varint(data: memoryview, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int | tuple[int, int]]]:
    """(field number, value) of a message's fields: an integer, or the (start, end) of the bytes of a
    length-delimited field (a string, a nested message, a packed array); fixed-width fields are skipped."""
    at = start
    while at < end:
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
            yield number, value
        elif wire == 2:
            length, at = _varint(data, at)
            yield number, (at, at + length)
            at += length
        elif wire == 1:
            at += 8
        elif wire == 5:
            at += 4
        else:
            raise ValueError(f"unexpected protocol buffer wire type {wire}")


def _tensor(
    data: memoryview, start: int, end: int, wanted: set[str]
) -> tuple[str, NDArray[np.generic] | None]:
    """A TensorProto's name, and its values if the name is wanted. The values are in raw_data (9), or
    for scalars in float_data (4, packed floats) or int32_data (5, packed varints, also used for 8-bit
    types)."""
    dims: list[int] = []
    dtype = 0
    name = ""
    spans: dict[int, tuple[int, int]] = {}
    for number, value in _fields(data, start, end):
        if number == 1:  # dims: an int64 each, or packed
            if isinstance(value, int):
                dims.append(value)
            else:
                at, stop = value
                while at < stop:
                    dim, at = _varint(data, at)
                    dims.append(dim)
        elif number == 2 and isinstance(value, int):
            dtype = value
        elif number == 8 and isinstance(value, tuple):
            name = bytes(data[value[0] : value[1]]).decode("utf-8")
        elif number in (4, 5, 9) and isinstance(value, tuple):
            spans[number] = value
    if name not in wanted:
        return name, None
    if dtype not in _DTYPES:
        raise ValueError(f"initializer {name} has data type {dtype}, not one read here")
    shape = tuple(dims)
    if 9 in spans:
        raw = data[spans[9][0] : spans[9][1]]
        return name, np.frombuffer(raw, _DTYPES[dtype]).reshape(shape)
    if 4 in spans and dtype == _FLOAT:
        return name, np.frombuffer(data[spans[4][0] : spans[4][1]], np.float32).reshape(shape)
    if 5 in spans:
        values = []
        at, stop = spans[5]
        while at < stop:
            value, at = _varint(data, at)
            values.append(
                value - (1 << 64) if value >= 1 << 63 else value
            )  # negatives: 64-bit two's complement
        return name, np.asarray(values, np.int64).astype(_DTYPES[dtype]).reshape(shape)
    raise ValueError(f"initializer {name} has no values in the file")


_lock = threading.Lock()
_shared: dict[tuple[Path, Path], StaticEmbedder] = {}


def shared_static_embedder(model: Path = ENCODER, tokenizer: Path = TOKENIZER) -> StaticEmbedder:
    """One embedder per process: the table takes 47 MB as float32 and 0.15 s to read."""
    key = (model, tokenizer)
    with _lock:
        if key not in _shared:
            _shared[key] = StaticEmbedder(read_table(model), tokenizer)
        return _shared[key]
