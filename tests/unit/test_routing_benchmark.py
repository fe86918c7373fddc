"""benchmarks/routing_sim.py's inputs: the labels cover exactly the traffic it replays, and bad input
gets one clear sentence. (The benchmark's figures are printed by the script, not asserted here.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from socialdesk.core.types import Intent, Priority, Sentiment, Triage
from tests.conftest import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("routing_sim", REPO / "benchmarks" / "routing_sim.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("routing_sim", module)
    spec.loader.exec_module(module)
    return module


sim = _load()


def triage(urgency: float) -> Triage:
    return Triage(
        language="en",
        sentiment=Sentiment.NEUTRAL,
        sentiment_scores={"negative": 0.2, "neutral": 0.6, "positive": 0.2},
        intent=Intent.QUESTION,
        intent_scores={"question": 1.0},
        is_complaint=False,
        complaint_score=0.1,
        severity=0.0,
        urgency=urgency,
        topics=[],
        places=[],
        pii=[],
        tier="fast",
    )


@pytest.mark.parametrize(("name", "size"), [("22h", 379), ("23h", 197)])
def test_every_replayed_post_is_labelled_and_every_label_is_replayed(
    twcs_sample: Path, name: str, size: int
) -> None:
    window = sim.WINDOWS[name]
    labels = sim.read_labels(window.labels)
    posts = sim.read_window(twcs_sample, labels, window)
    assert sorted(str(p.case_id) for p in posts) == sorted(labels)
    assert len(posts) == size
    urgent = sum(p.urgent for p in posts)
    assert 0 < urgent < len(posts)
    assert all(0 <= p.offset < window.minutes * 60 for p in posts)


@pytest.mark.parametrize("name", ["22h", "23h"])
def test_labels_keep_only_ids_labels_and_short_reasons(name: str) -> None:
    lines = sim.WINDOWS[name].labels.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "tweet_id,urgent,reason"
    for line in lines[1:]:
        tweet_id, urgent, reason = line.split(",")
        assert tweet_id.isdigit()
        assert urgent in ("0", "1")
        assert 0 < len(reason.split()) <= 6, line  # a few words, never the post's text


def test_missing_shared_data_is_one_clear_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sim.main(["--shared", str(tmp_path), "--quiet"]) == 2
    assert "shared data is absent" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("tweet_id,urgent\n5,yes\n", "urgent must be 0 or 1"),
        ("tweet_id,urgent\n5,1\n5,0\n", "labelled twice"),
        ("id,label\n5,1\n", "header must name tweet_id and urgent"),
    ],
)
def test_a_bad_labels_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(sim.BenchmarkError, match=message):
        sim.read_labels(path)


def test_a_window_post_without_a_label_is_refused(twcs_sample: Path) -> None:
    labels = sim.read_labels(sim.LABELS)
    labels.pop(next(iter(labels)))
    with pytest.raises(sim.BenchmarkError, match="1 posts of the window have no label"):
        sim.read_window(twcs_sample, labels, sim.WINDOWS["22h"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read the rules file"),
        ('{"name": "x"}', "expected a JSON list"),
        ('[{"name": "x", "actions": []}]', "rule 1: actions: a rule needs at least one action"),
    ],
)
def test_a_bad_rules_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(sim.BenchmarkError, match=message):
        sim.read_rules(path)


def test_rules_set_the_priority_the_queue_reads(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        '[{"name": "outages", "conditions": [{"field": "text", "op": "contains_any", "value": ["outage"]}],'
        ' "actions": [{"type": "set_priority", "priority": "high"}]}]',
        encoding="utf-8",
    )
    posts = [sim.Post(1, 0.0, "Is there an outage in 02919?", False), sim.Post(2, 1.0, "Love the app", False)]
    triages = [triage(0.2), triage(0.01)]
    assert sim.priorities(posts, triages, sim.read_rules(path)) == [Priority.HIGH, Priority.NORMAL]
    assert sim.priorities(posts, triages, []) == [Priority.NORMAL, Priority.NORMAL]
