"""The support-urgency head: how it joins the severity urgency, the shipped file, the Triager using it,
and the labels it learned from (which must never touch the routing benchmark's two hours)."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from socialdesk.core.types import TriageInput
from socialdesk.training import datasets as ds
from socialdesk.training.support_urgency import LABELS, main, read_labels
from socialdesk.triage.engine import Triager, shared_bundle
from socialdesk.triage.features import Featurizer
from socialdesk.triage.support_urgency import (
    INPUTS,
    RULES,
    SupportHead,
    combined,
    featurizer_id,
    head_inputs,
    shared_head,
)
from socialdesk.triage.urgency import signals

CALM_OUTAGE = "@NorthNet hi, our internet has been down since this morning and the router lights are all red"
PRAISE = "@NorthNet thanks for the quick install yesterday, the engineer was lovely"


@pytest.fixture(scope="module")
def head() -> SupportHead:
    loaded = shared_head()
    assert loaded is not None, "socialdesk/triage/artifacts/support_urgency.npz is not shipped"
    return loaded


@pytest.fixture(scope="module")
def fast() -> Triager:
    return Triager("fast")


@pytest.mark.parametrize("rule", RULES)
def test_combination_keeps_either_reason_to_hurry(rule: str) -> None:
    assert combined(rule, 0.0, 0.0) == 0.0
    assert combined(rule, 1.0, 0.0) == 1.0
    assert combined(rule, 0.0, 0.9) == pytest.approx(0.9)
    # never below either part, never above 1, and growing with each
    for u, s in [(0.2, 0.3), (0.7, 0.1), (0.05, 0.95)]:
        value = combined(rule, u, s)
        assert max(u, s) <= value <= 1.0
        assert combined(rule, u, min(s + 0.05, 1.0)) >= value


def test_noisy_or_treats_the_heads_as_independent_reasons() -> None:
    assert combined("noisy-or", 0.5, 0.5) == pytest.approx(0.75)
    assert combined("max", 0.5, 0.5) == 0.5


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown urgency combination 'mean'"):
        combined("mean", 0.1, 0.2)


def test_the_shipped_head_loads_for_the_shipped_featurizer(head: SupportHead, fast: Triager) -> None:
    assert head.rule in RULES
    assert head.adopted
    assert head.matches(shared_bundle().featurizer)
    assert fast.support is not None
    assert len(head.input_weights) == len(INPUTS)
    assert head.meta["labels"] >= 700
    # the record of how it was chosen travels with it
    assert head.meta["cv_auc_combined"][head.rule] > head.meta["cv_auc_shipped"]


def test_the_file_round_trips_and_refuses_other_formats(head: SupportHead) -> None:
    again = SupportHead.load(io.BytesIO(head.to_bytes()))
    assert again.rule == head.rule
    assert again.featurizer == head.featurizer
    assert np.array_equal(again.columns, head.columns)
    assert np.allclose(again.weights, head.weights)
    buffer = io.BytesIO()
    np.savez(buffer, description=np.array('{"format": "something-else/1"}'))
    buffer.seek(0)
    with pytest.raises(ValueError, match="not a SocialDesk support-urgency model"):
        SupportHead.load(buffer)


def test_a_calm_outage_report_is_ranked_urgent(fast: Triager, head: SupportHead) -> None:
    without = Triager("fast", support=dataclasses.replace(head, adopted=False))
    assert without.support is None
    outage, praise = fast.run([TriageInput(CALM_OUTAGE), TriageInput(PRAISE)])
    outage_before, praise_before = without.run([TriageInput(CALM_OUTAGE), TriageInput(PRAISE)])
    assert outage.urgency > praise.urgency
    # the head only adds reasons to hurry: the combined urgency never falls below severity's
    assert outage.urgency >= outage_before.urgency
    assert praise.urgency >= praise_before.urgency
    assert outage.urgency - outage_before.urgency > 0.2
    assert praise.urgency < 0.3


def test_a_head_for_another_featurizer_is_not_used(head: SupportHead) -> None:
    bundle = shared_bundle()
    other = Featurizer(dict(bundle.featurizer.vocabulary), bundle.featurizer.idf * np.float32(1.5))
    assert featurizer_id(other) != head.featurizer
    assert not head.matches(other)
    stranger = dataclasses.replace(head, featurizer="0" * 16)
    triager = Triager("fast", support=stranger)
    assert triager.support is None


def test_wrong_shapes_are_refused(head: SupportHead) -> None:
    features = csr_matrix((1, head.n_features - 1), dtype=np.float32)
    with pytest.raises(ValueError, match="support urgency expects"):
        head.probabilities(features, np.zeros((1, len(INPUTS)), np.float32))


def test_head_inputs_are_in_range() -> None:
    bundle = shared_bundle()
    texts = [CALM_OUTAGE, "stranded at the airport, flight cancelled, fraud on my card"]
    inputs = head_inputs(bundle.score(texts), [signals(text) for text in texts])
    assert inputs.shape == (2, len(INPUTS))
    assert (inputs >= 0).all()
    assert (inputs <= 1).all()
    assert inputs[1, -1] == 1.0  # two or more phrases


def _shared() -> Path:
    try:
        return ds.shared_root()
    except ds.MissingData:
        pytest.skip("../shared is absent")


def test_the_labels_never_touch_the_benchmark_hours_and_keep_no_text() -> None:
    shared = _shared()
    with LABELS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["tweet_id", "urgent", "reason"]
    assert len({r["tweet_id"] for r in rows}) == len(rows) >= 700
    assert all(len(r["reason"].split()) <= 8 for r in rows)
    sample = shared / "data" / "twcs-sample" / "twcs_first5000.csv"
    with sample.open(encoding="utf-8", newline="") as handle:
        tweets = {row["tweet_id"]: row for row in csv.DictReader(handle)}
    start, end = datetime(2017, 10, 31, 22, tzinfo=UTC), datetime(2017, 11, 1, tzinfo=UTC)
    for row in rows:
        tweet = tweets[row["tweet_id"]]
        created = datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert not start <= created < end, f"tweet {row['tweet_id']} is in the benchmark's hours"
        assert tweet["inbound"] == "True"
        assert not tweet["in_response_to_tweet_id"]
    labels = read_labels(shared)
    assert 0.1 < labels.urgent.mean() < 0.5


def test_bad_labels_get_one_clear_sentence(tmp_path: Path) -> None:
    shared = _shared()
    bad = tmp_path / "labels.csv"
    bad.write_text("tweet_id,urgent,reason\n8,yes,oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has label 'yes'"):
        read_labels(shared, bad)
    bad.write_text("tweet_id,urgent,reason\n999999999,1,not there\n", encoding="utf-8")
    with pytest.raises(ds.MissingData, match="not in the TWCS sample"):
        read_labels(shared, bad)


def test_the_training_command_explains_missing_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOCIALDESK_SHARED", raising=False)
    (tmp_path / "data").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["--shared", str(tmp_path), "--out", str(tmp_path / "head.npz")])
    assert exit_info.value.code == 2
    assert "is missing" in capsys.readouterr().err
    assert not (tmp_path / "head.npz").exists()
