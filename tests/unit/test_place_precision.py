"""The learned last check on the place finder's finds (triage/places/precision.py).

Texts are invented for these tests; the model's figures on the hand-labelled and judged real tweets
come from `python -m socialdesk.training.place_filter` (PLACES_LABELS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialdesk.triage.places import PlaceFinder
from socialdesk.triage.places.precision import ARTIFACT, Candidate, PrecisionFilter, features


@pytest.fixture(scope="module")
def bare() -> PlaceFinder:
    return PlaceFinder(precision=False)


def only(finder: PlaceFinder, text: str) -> Candidate:
    (candidate,) = finder.candidates(text)
    return candidate


def test_a_candidate_knows_where_the_post_names_it(bare: PlaceFinder) -> None:
    c = only(bare, "Our flight to Denver was cancelled again")
    assert c.clean[c.start : c.end] == "Denver"
    assert c.entry.name == "Denver"
    assert c.travel
    assert not c.sporty


def test_features_read_the_name_its_shape_and_the_words_around_it(bare: PlaceFinder) -> None:
    feats = set(features(only(bare, "Our flight to Denver was cancelled again")))
    assert {"name=denver", "kind=city", "shape=title", "p1=to", "n1=was", "travel"} <= feats
    assert "ctx=flight" in feats
    assert "ctx=cancelled" in feats
    shouted = set(features(only(bare, "STUCK IN DENVER ALL NIGHT")))
    assert "shape=caps" in shouted
    assert "p1=in" in shouted


def test_a_hashtag_place_is_marked_as_one(bare: PlaceFinder) -> None:
    c = only(bare, "Landed at last #Denver")
    assert "hashtag" in features(c)


def test_the_cut_drops_only_what_the_weights_call_wrong(bare: PlaceFinder) -> None:
    text = "Our flight to Denver was cancelled again"
    against = PrecisionFilter({"name=denver": -5.0}, bias=1.0, threshold=0.5)
    neutral = PrecisionFilter({"name=paris": -5.0}, bias=1.0, threshold=0.5)
    assert PlaceFinder(bare.gazetteer, precision=against).find(text) == []
    assert [p.name for p in PlaceFinder(bare.gazetteer, precision=neutral).find(text)] == ["Denver"]
    assert against.probability(["name=denver"]) == pytest.approx(1 / (1 + 2.718281828459045**4))


def test_a_missing_model_file_means_no_cut(tmp_path: Path) -> None:
    assert PrecisionFilter.load(tmp_path / "absent.json") is None


def test_the_shipped_model_is_a_small_readable_file() -> None:
    data = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    assert 0.0 < data["threshold"] < 1.0
    assert data["weights"]
    assert all(isinstance(w, float) for w in data["weights"].values())
    model = PrecisionFilter.load()
    assert model is not None
    assert model.threshold == data["threshold"]


def test_the_shipped_finder_only_removes_finds(bare: PlaceFinder) -> None:
    shipped = PlaceFinder(bare.gazetteer)
    assert shipped.precision is not None
    texts = [
        "Our flight to Denver was cancelled again",
        "Stranded at Heathrow, BA117 to New York cancelled",
        "Clemson and Miami both lost at home, the ACC is a mess this season",
        "Watching Made in Chelsea with a glass of wine",
        "moving from London to Manchester next month",
    ]
    for text in texts:
        kept = shipped.find(text)
        assert set(kept) <= set(bare.find(text))
    # plain travel posts, where the rules are surest, keep their places
    assert [p.name for p in shipped.find(texts[0])] == ["Denver"]
    assert {p.name for p in shipped.find(texts[4])} == {"London", "Manchester"}


SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason=f"the shared data folder {SHARED} is absent")
def test_the_training_script_rebuilds_the_shipped_model() -> None:
    """Cross-validation picks the shipped cut, and the model it fits is the one in the repo."""
    from socialdesk.training.place_filter import C, choose, cross_validate, fit, gather

    judged, records = gather(PlaceFinder(precision=False), SHARED)
    assert sum(not j.right for j in judged) > 400  # the judged candidates are read, not only the sets
    table = cross_validate(judged, records, C)
    shipped = PrecisionFilter.load()
    assert shipped is not None
    assert choose(table) == shipped.threshold
    base, cut = table[0.0]["labelled, pooled"], table[shipped.threshold]["labelled, pooled"]
    assert cut[0] > base[0]  # the check buys precision on sets its model never saw...
    assert cut[1] >= base[1] - 0.01  # ...for at most the recall the rule allows
    model = fit(judged)
    assert model.bias == pytest.approx(shipped.bias, abs=1e-6)
    assert set(model.weights) == set(shipped.weights)
