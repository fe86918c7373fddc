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
# "@" first, then a look behind at what precedes it: a pattern that starts with a literal lets the regex
# engine jump from one "@" to the next instead of trying the look-behind at every character.
_MENTION = re.compile(r"@(?<![\w@]@)\w+(?:@[\w.-]+)?")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TOKEN = re.compile(
    r"[#$]?\w+(?:'\w+)?|[!?]{1,3}|[:;=]-?[()dDpP/\\|]|<3|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
_SHOUT = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{2,}(?!\w)")  # \b[A-Z]{3,}\b, starting with a character class
_ELONGATED = re.compile(r"(\w)\1\1")
_PRIME = np.uint64(1_000_003)
_NONE = np.zeros(0, np.int64)
_NO_HASHES = np.zeros(0, np.uint64)


def normalise(text: str) -> str:
    """The text models see: entities decoded, handles and links reduced to placeholders.

    Which account is mentioned or which link is shared says little about sentiment or intent and
    would make the models learn brand names; the placeholders keep the fact that there was one.
    """
    if "\\u" in text:  # archives that kept JSON escapes ("\\u002c") literally
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        # An emoji beyond the first 65,536 code points is escaped as two halves ("\\ud83d\\ude00"):
        # join them into the one character (a lone half stays as it is).
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
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
    rows, hashes = _char_hashes(texts)
    return rows, _buckets(hashes, buckets)


def _buckets(hashes: NDArray[np.uint64], buckets: int) -> NDArray[np.int64]:
    """Each hash modulo `buckets`; a mask where that is a power of two (the default), which is the
    same number for unsigned integers and costs a fraction of a 64-bit division."""
    if buckets < 1:
        raise ValueError(f"there must be at least one bucket, not {buckets}")
    if buckets & (buckets - 1) == 0:
        return (hashes & np.uint64(buckets - 1)).astype(np.int64)
    return (hashes % np.uint64(buckets)).astype(np.int64)


def _char_hashes(texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
    """(row, hash) of every character 3-5-gram; a featurizer takes the hash modulo its buckets."""
    padded = [f" {t.lower()} " for t in texts]
    # Lone surrogates (a "\\ud83d" escape decoded without its pair) are code points like any other here.
    codes = np.frombuffer("\x00".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    if codes.size == 0:
        return _NONE, _NO_HASHES
    # The texts are told apart by their lengths, not by the separator, so that a NUL inside a post is
    # an ordinary character and cannot shift the n-grams of the posts after it onto the wrong rows.
    lengths = np.fromiter(map(len, padded), np.int64, len(padded)) + 1  # with the separator after it
    boundary = np.zeros(codes.size, dtype=bool)
    boundary[np.cumsum(lengths)[:-1] - 1] = True
    row_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)[: codes.size]
    rows: list[NDArray[np.int64]] = []
    hashed: list[NDArray[np.uint64]] = []
    # The hash of an n-gram is the (n-1)-gram's times the prime plus its last character, so each length
    # extends the previous one (wrapping modulo 2**64, which is all a hash needs).
    h, crosses = codes, boundary  # the 1-grams
    for n in range(1, max(CHAR_NGRAMS) + 1):
        if n > 1:
            if codes.size < n:
                break
            h = h[:-1] * _PRIME + codes[n - 1 :]
            crosses = crosses[:-1] | boundary[n - 1 :]
        if n not in CHAR_NGRAMS:
            continue
        keep = ~crosses
        rows.append(row_of[: h.size][keep])
        hashed.append(h[keep] ^ np.uint64(n))
    if not rows:
        return _NONE, _NO_HASHES
    return np.concatenate(rows), np.concatenate(hashed)


@dataclass(frozen=True)
class Analysed:
    """What every featurizer reads from a batch of posts, whatever its vocabulary and bucket count: the
    word terms of each post and the hashes of its character n-grams. The fast tier analyses a batch
    once for the shipped heads and a workspace's topic model, which halves the cost of having topics."""

    terms: list[list[str]]
    char_rows: NDArray[np.int64]
    char_hashes: NDArray[np.uint64]  # before the modulo that makes them a featurizer's buckets
    has_chars: bool = True

    def __len__(self) -> int:
        return len(self.terms)


def analyse(texts: Sequence[str], chars: bool = True) -> Analysed:
    """`texts` are raw post texts; `chars=False` leaves out the character n-grams."""
    normalised = [normalise(t) for t in texts]
    terms = [word_terms(word_tokens(text)) for text in normalised]
    char_rows, hashes = _char_hashes(normalised) if chars else (_NONE, _NO_HASHES)
    return Analysed(terms, char_rows, hashes, chars)


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
        return self.transform_analysed(analyse(texts, chars=self.char_buckets > 0))

    def transform_analysed(self, analysed: Analysed) -> csr_matrix:
        """As `transform`, from a batch already analysed (with its character n-grams if this
        featurizer has buckets for them)."""
        # The whole batch's terms in one pass, -1 for a term outside the vocabulary: a Python loop per
        # post cost a third more.
        lengths = list(map(len, analysed.terms))
        word_cols = np.fromiter(
            map(self.vocabulary.get, itertools.chain.from_iterable(analysed.terms), itertools.repeat(-1)),
            np.int64,
            sum(lengths),
        )
        known = word_cols >= 0
        word_rows = np.repeat(np.arange(len(analysed), dtype=np.int64), lengths)[known]
        char_rows, char_cols = _NONE, _NONE
        if self.char_buckets:
            if not analysed.has_chars:
                raise ValueError("this featurizer needs the character n-grams: analyse(texts, chars=True)")
            char_rows = analysed.char_rows
            char_cols = _buckets(analysed.char_hashes, self.char_buckets)
        rows = np.concatenate([word_rows, char_rows])
        columns = np.concatenate([word_cols[known], char_cols + len(self.vocabulary)])
        return self._weigh(rows, columns, len(analysed))

    def _weigh(self, rows: NDArray[np.int64], cols: NDArray[np.int64], n_rows: int) -> csr_matrix:
        width = self.n_features
        keys, counts = _counted(rows * width + cols, n_rows * width)  # sorted by row, then column
        key_rows, key_cols = np.divmod(keys, width)
        data = (1.0 + np.log(counts)).astype(np.float32) * self.idf[key_cols]
        norms = np.sqrt(np.bincount(key_rows, weights=data * data, minlength=n_rows)).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= norms[key_rows]
        indptr = np.searchsorted(key_rows, np.arange(n_rows + 1))
        # int32 indices, as scipy would convert them to anyway (no model has 2**31 features)
        return csr_matrix((data, key_cols.astype(np.int32), indptr.astype(np.int32)), shape=(n_rows, width))


def _counted(keys: NDArray[np.int64], bound: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """`np.unique(keys, return_counts=True)` for keys in [0, bound), in a sixth of the time of a stable
    sort: numpy sorts 32-bit integers with SIMD twice as fast as 64-bit ones, and a batch's keys fit."""
    small = bound <= np.iinfo(np.int32).max + 1
    ordered = np.sort(keys.astype(np.int32) if small else keys)
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts].astype(np.int64), np.diff(np.append(starts, ordered.size))


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
