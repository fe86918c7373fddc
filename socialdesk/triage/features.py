"""Turning post texts into sparse feature vectors, fast enough for every post of a firehose.

Two kinds of features, weighted by sublinear tf-idf and L2-normalised together:
- word unigrams and bigrams from a fixed vocabulary (learned at training time), with a few markers for
  what lowercasing hides (SHOUTING, "!!!", elongated "sooo", emoticons);
- character 3- to 5-grams, hashed into a fixed number of buckets, computed for a whole batch at once
  with numpy so that misspellings and morphology count without a Python loop per n-gram.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

CHAR_BUCKETS = 1 << 18  # the default; a featurizer can use fewer (topic models keep their files small)
CHAR_NGRAMS = (3, 4, 5)
_MENTION = re.compile(r"(?<![\w@])@\w+(?:@[\w.-]+)?")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TOKEN = re.compile(
    r"[#$]?\w+(?:'\w+)?|[!?]{1,3}|[:;=]-?[()dDpP/\\|]|<3|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
_SHOUT = re.compile(r"\b[A-Z]{3,}\b")
_ELONGATED = re.compile(r"(\w)\1\1")
_PRIME = np.uint64(1_000_003)
_NONE = np.zeros(0, np.int64)


def normalise(text: str) -> str:
    """The text models see: entities decoded, handles and links reduced to placeholders.

    Which account is mentioned or which link is shared says little about sentiment or intent and
    would make the models learn brand names; the placeholders keep the fact that there was one.
    """
    if "\\u" in text:  # archives that kept JSON escapes ("\\u002c") literally
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "&" in text:
        text = html.unescape(text)
    return _URL.sub(" http ", _MENTION.sub(" @user ", text))


def word_tokens(normalised: str) -> list[str]:
    """Lowercased tokens plus markers for the emphasis that lowercasing removes."""
    tokens = _TOKEN.findall(normalised.lower())
    if _SHOUT.search(normalised):
        tokens.append("<shout>")
    if _ELONGATED.search(normalised):
        tokens.append("<elongated>")
    return tokens


def word_terms(tokens: Sequence[str]) -> list[str]:
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


def char_hashes(
    texts: Sequence[str], buckets: int = CHAR_BUCKETS
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, bucket) of every character 3-5-gram of every text, computed for the batch in one go."""
    joined = "\x00".join(f" {t.lower()} " for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    boundary = codes == 0
    row_of = np.cumsum(boundary) - boundary  # which text each character belongs to
    rows: list[NDArray[np.int64]] = []
    hashed: list[NDArray[np.int64]] = []
    for n in CHAR_NGRAMS:
        if codes.size < n:
            continue
        h = np.zeros(codes.size - n + 1, dtype=np.uint64)
        crosses = np.zeros(codes.size - n + 1, dtype=bool)
        for i in range(n):
            window = codes[i : codes.size - n + 1 + i]
            h = h * _PRIME + window  # wraps modulo 2**64, which is all a hash needs
            crosses |= boundary[i : codes.size - n + 1 + i]
        keep = ~crosses
        rows.append(row_of[: codes.size - n + 1][keep].astype(np.int64))
        hashed.append(((h[keep] ^ np.uint64(n)) % np.uint64(buckets)).astype(np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(hashed)


@dataclass
class Featurizer:
    """Word vocabulary + hashed character n-grams, with idf weights learned at training time."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float32]  # one weight per feature: the words first, then the character buckets

    @property
    def char_buckets(self) -> int:
        return len(self.idf) - len(self.vocabulary)

    @property
    def n_features(self) -> int:
        return len(self.idf)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Sublinear tf-idf, L2-normalised rows; `texts` are raw post texts."""
        normalised = [normalise(t) for t in texts]
        vocab = self.vocabulary
        word_rows: list[int] = []
        word_cols: list[int] = []
        for row, text in enumerate(normalised):
            found = [c for c in map(vocab.get, word_terms(word_tokens(text))) if c is not None]
            word_cols += found
            word_rows += [row] * len(found)
        char_rows, char_cols = (
            char_hashes(normalised, self.char_buckets) if self.char_buckets else (_NONE, _NONE)
        )
        rows = np.concatenate([np.asarray(word_rows, np.int64), char_rows])
        columns = np.concatenate([np.asarray(word_cols, np.int64), char_cols + len(vocab)])
        return self._weigh(rows, columns, len(texts))

    def _weigh(self, rows: NDArray[np.int64], cols: NDArray[np.int64], n_rows: int) -> csr_matrix:
        width = self.n_features
        keys, counts = np.unique(rows * width + cols, return_counts=True)  # sorted by row, then column
        key_rows, key_cols = keys // width, keys % width
        data = (1.0 + np.log(counts)).astype(np.float32) * self.idf[key_cols]
        norms = np.sqrt(np.bincount(key_rows, weights=data * data, minlength=n_rows)).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= norms[key_rows]
        indptr = np.searchsorted(key_rows, np.arange(n_rows + 1))
        return csr_matrix((data, key_cols, indptr), shape=(n_rows, width))


def fit_featurizer(
    texts: Sequence[str], min_df: int = 2, max_words: int = 200_000, char_buckets: int = CHAR_BUCKETS
) -> Featurizer:
    """Learn the word vocabulary (terms in at least `min_df` texts) and every feature's idf."""
    document_frequency: dict[str, int] = {}
    for text in texts:
        for term in set(word_terms(word_tokens(normalise(text)))):
            document_frequency[term] = document_frequency.get(term, 0) + 1
    kept = sorted(
        (t for t, df in document_frequency.items() if df >= min_df), key=lambda t: -document_frequency[t]
    )
    vocabulary = {term: i for i, term in enumerate(sorted(kept[:max_words]))}
    n = len(texts)
    idf = np.empty(len(vocabulary) + char_buckets, np.float32)
    for term, col in vocabulary.items():
        idf[col] = np.log((1 + n) / (1 + document_frequency[term])) + 1
    if char_buckets:
        rows, buckets = char_hashes([normalise(t) for t in texts], char_buckets)
        pairs = np.unique(rows * char_buckets + buckets)
        char_df = np.bincount(pairs % char_buckets, minlength=char_buckets)
        idf[len(vocabulary) :] = np.log((1 + n) / (1 + char_df)) + 1
    return Featurizer(vocabulary, idf)
