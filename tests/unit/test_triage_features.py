"""Featurizer and linear bundles: what the fast tier is built from."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from socialdesk.triage.features import (
    CHAR_NGRAMS,
    Featurizer,
    _buckets,
    _counted,
    analyse,
    char_hashes,
    fit_featurizer,
    normalise,
    word_terms,
    word_tokens,
)
from socialdesk.triage.linear import Head, LinearBundle


def test_normalise_replaces_handles_and_links_and_decodes_escapes() -> None:
    text = "@AmazonHelp my parcel &amp; receipt\\u002c see https://t.co/x1 cc @bob@mastodon.social"
    assert normalise(text) == " @user  my parcel & receipt, see  http  cc  @user "


def test_tokens_keep_emphasis_markers() -> None:
    tokens = word_tokens(normalise("WORST flight everrrr!!! :( #fail"))
    assert tokens[:2] == ["worst", "flight"]
    assert {"!!!", ":(", "#fail", "<shout>", "<elongated>"} <= set(tokens)
    assert word_terms(["a", "b", "c"]) == ["a", "b", "c", "a b", "b c"]


def test_char_hashes_never_cross_from_one_text_into_the_next() -> None:
    rows, buckets = char_hashes(["abc", "", "xyz"], buckets=1 << 10)
    assert set(rows.tolist()) == {0, 2}  # the empty text has no 3-grams of its own
    _, alone = char_hashes(["xyz"], buckets=1 << 10)
    assert sorted(buckets[rows == 2].tolist()) == sorted(alone.tolist())


def test_char_hashes_are_the_hash_the_shipped_models_were_trained_with() -> None:
    # Written out the slow way: each n-gram hashed on its own (mod 2**64), then xor n, mod buckets.
    texts = ["Ünïcode ok", "a", "", "late again!!", "\U0001f600 x"]
    expected = []
    for row, text in enumerate(texts):
        padded = f" {text.lower()} "
        for n in CHAR_NGRAMS:
            for start in range(len(padded) - n + 1):
                value = 0
                for char in padded[start : start + n]:
                    value = (value * 1_000_003 + ord(char)) % 2**64
                expected.append((row, (value ^ n) % 4096))
    rows, buckets = char_hashes(texts, buckets=4096)
    assert sorted(zip(rows.tolist(), buckets.tolist(), strict=True)) == sorted(expected)


def test_a_nul_or_a_lone_surrogate_in_a_post_does_not_disturb_the_batch() -> None:
    featurizer = fit_featurizer(["late flight", "great crew"], min_df=1, char_buckets=1 << 10)
    texts = ["late\x00flight", "broken \\ud83d escape", "\ud800 lone", "great crew"]
    batch = featurizer.transform(texts).toarray()
    for row, text in enumerate(texts):
        assert np.array_equal(batch[row], featurizer.transform([text]).toarray()[0])


def test_an_emoji_escaped_as_two_halves_is_one_character() -> None:
    assert normalise("love it \\ud83d\\ude00") == "love it \U0001f600"
    assert "\U0001f600" in word_tokens(normalise("love it \\ud83d\\ude00"))


def test_addresses_and_doubled_at_signs_are_not_handles() -> None:
    assert normalise("mail jane@example.com or @@x") == "mail jane@example.com or @@x"
    assert normalise("@a@b.c:@x") == " @user : @user "


def test_shouting_is_three_capitals_as_a_whole_word() -> None:
    assert "<shout>" in word_tokens("this is BAD")
    assert "<shout>" in word_tokens("WHY?")
    assert "<shout>" not in word_tokens("myBAD day")
    assert "<shout>" not in word_tokens("BADx and AB and ABC1")


def test_one_analysis_of_a_batch_serves_featurizers_of_any_vocabulary_and_bucket_count() -> None:
    texts = ["the flight was late again", "", "GREAT crew!!! @bob", "late late late"]
    small = fit_featurizer(["late flight", "great crew"], min_df=1, char_buckets=1 << 10)
    large = fit_featurizer(["the flight", "crew was late"], min_df=1, char_buckets=3000)
    words_only = fit_featurizer(["late flight"], min_df=1, char_buckets=0)
    analysed = analyse(texts)
    for featurizer in (small, large, words_only):
        shared = featurizer.transform_analysed(analysed)
        alone = featurizer.transform(texts)
        assert np.array_equal(shared.indptr, alone.indptr)
        assert np.array_equal(shared.indices, alone.indices)
        assert np.array_equal(shared.data, alone.data)
    with pytest.raises(ValueError, match="character n-grams"):
        small.transform_analysed(analyse(texts, chars=False))


def test_rows_are_l2_normalised_and_independent_of_the_batch() -> None:
    featurizer = fit_featurizer(
        ["the flight was late", "great crew", "late again"], min_df=1, char_buckets=1 << 12
    )
    batch = featurizer.transform(["the flight was late again", "", "great"])
    norms = np.sqrt(np.asarray(batch.multiply(batch).sum(axis=1)).ravel())
    assert norms[0] == pytest.approx(1.0, abs=1e-5)
    assert norms[1] == 0.0
    alone = featurizer.transform(["great"])
    assert np.allclose(alone.toarray(), batch[2].toarray())


def _toy_bundle() -> LinearBundle:
    featurizer = fit_featurizer(["good", "bad"], min_df=1, char_buckets=0)
    weights = np.zeros((featurizer.n_features, 3), np.float32)
    weights[featurizer.vocabulary["good"], 1] = 5
    weights[featurizer.vocabulary["bad"], 0] = 5
    weights[featurizer.vocabulary["bad"], 2] = 2
    heads = [Head("mood", "softmax", ("bad", "good")), Head("alarm", "sigmoid", ("alarm",))]
    return LinearBundle(featurizer, heads, weights, np.zeros(3, np.float32), {"note": "toy"})


def test_heads_score_a_batch_and_survive_a_save_and_load(tmp_path: Path) -> None:
    bundle = _toy_bundle()
    path = tmp_path / "m.npz"
    bundle.save(path)
    loaded = LinearBundle.load(path)
    for model in (bundle, loaded):
        scores = model.score(["good", "bad", "neither"])
        assert scores["mood"].argmax(axis=1).tolist() == [1, 0, 0]
        assert np.allclose(scores["mood"].sum(axis=1), 1.0)
        assert scores["alarm"][1, 0] > 0.8
        assert scores["alarm"][2, 0] == pytest.approx(0.5)
    assert loaded.meta == {"note": "toy"}
    assert LinearBundle.from_bytes(bundle.to_bytes()).head("alarm").kind == "sigmoid"


def test_a_file_that_is_not_a_bundle_is_refused_without_running_anything(tmp_path: Path) -> None:
    bad = tmp_path / "evil.npz"
    payload = io.BytesIO()
    np.savez(payload, description=np.array('{"format": "something else"}'))
    bad.write_bytes(payload.getvalue())
    with pytest.raises(ValueError, match="not a SocialDesk linear model"):
        LinearBundle.load(bad)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, description=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        LinearBundle.load(pickled)


# keys that fit in 32 bits, keys at the edge of int32 on either side, and keys far beyond it
@pytest.mark.parametrize("bound", [1 << 27, 1 << 31, (1 << 31) + 1, 1 << 40])
def test_counting_keys_gives_what_numpy_unique_gives(bound: int) -> None:
    keys = np.random.default_rng(1).integers(0, bound, 50_000, dtype=np.int64)
    keys = np.concatenate([keys, keys[:5_000], [0, bound - 1, bound - 1, bound - 2]])  # repeats and both ends
    expected_keys, expected_counts = np.unique(keys, return_counts=True)
    found_keys, found_counts = _counted(keys, bound)
    assert found_keys.dtype == np.int64
    assert np.array_equal(found_keys, expected_keys)
    assert np.array_equal(found_counts, expected_counts)
    empty_keys, empty_counts = _counted(np.zeros(0, np.int64), bound)
    assert empty_keys.size == empty_counts.size == 0


@pytest.mark.parametrize("buckets", [1 << 18, 1 << 12, 1, 1000, 77_777])
def test_buckets_are_the_hash_modulo_their_number(buckets: int) -> None:
    hashes = np.random.default_rng(2).integers(0, 2**64 - 1, 10_000, dtype=np.uint64, endpoint=True)
    assert np.array_equal(_buckets(hashes, buckets), (hashes % np.uint64(buckets)).astype(np.int64))
    with pytest.raises(ValueError, match="at least one bucket"):
        _buckets(hashes, 0)


def _reference_transform(featurizer: Featurizer, texts: list[str]) -> csr_matrix:
    """tf-idf as the featurizer defines it, computed the plain way: a dict of counts per post."""
    analysed = analyse(texts)
    rows, cols, data = [], [], []
    char_cols = analysed.char_hashes % np.uint64(featurizer.char_buckets) + len(featurizer.vocabulary)
    for i, terms in enumerate(analysed.terms):
        counts: dict[int, int] = {}
        for term in terms:
            if term in featurizer.vocabulary:
                counts[featurizer.vocabulary[term]] = counts.get(featurizer.vocabulary[term], 0) + 1
        for col in char_cols[analysed.char_rows == i].tolist():
            counts[col] = counts.get(col, 0) + 1
        weights = {
            c: (1.0 + np.log(n)).astype(np.float32) * featurizer.idf[c] for c, n in sorted(counts.items())
        }
        norm = np.float32(np.sqrt(sum(float(w) * float(w) for w in weights.values()))) or np.float32(1.0)
        for c, w in weights.items():
            rows.append(i)
            cols.append(c)
            data.append(np.float32(w / norm))
    return csr_matrix((np.array(data, np.float32), (rows, cols)), shape=(len(texts), featurizer.n_features))


def test_the_batch_features_equal_a_plain_count_per_post() -> None:
    # Column 0 of the vocabulary next to words it does not have: the lookup's "not found" must not be
    # mistaken for a column.
    corpus = ["aardvark parcel", "late parcel", "late aardvark", "my parcel is late"]
    featurizer = fit_featurizer(corpus, min_df=2, char_buckets=1000)
    assert featurizer.vocabulary["aardvark"] == 0  # the first word in order
    texts = ["aardvark zzzunknown aardvark", "late parcel qqqq", "", "!!! :(", "zzz aardvark"]
    found = featurizer.transform(texts)
    expected = _reference_transform(featurizer, texts)
    assert found.shape == expected.shape
    assert np.array_equal(found.indptr, expected.indptr)
    assert np.array_equal(found.indices, expected.indices)
    assert np.allclose(found.data, expected.data, rtol=1e-6)
