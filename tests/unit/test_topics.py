"""A workspace's own topics: trained from labelled examples, used by triage and by `classify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialdesk.cli import cli
from socialdesk.core.types import TriageInput
from socialdesk.training.topics import TopicDataError, read_examples, train_topics
from socialdesk.triage.engine import Triager
from socialdesk.triage.linear import LinearBundle
from tests.conftest import FIXTURES

CSV = FIXTURES / "topics" / "airline_topics.csv"


def test_a_topic_model_learns_the_workspace_categories() -> None:
    texts, labels = read_examples(CSV, "message", "topic")
    model, report = train_topics(texts, labels, encoder=None, validation=0.25, say=lambda _: None)
    assert report.topics == 4
    assert report.examples == 48
    assert report.fast_accuracy is not None
    assert report.accurate_accuracy is None  # no encoder was given
    triager = Triager("fast", topics=model)
    results = triager.run(
        [
            TriageInput("my bag is missing since yesterday"),
            TriageInput("still waiting for the refund of my cancelled ticket"),
            TriageInput("can I change my flight date to next week?"),
        ]
    )
    assert [r.topics[0].label for r in results] == ["baggage", "refund", "booking_change"]
    assert all(len(r.topics) == 3 and r.topics[0].score >= r.topics[1].score for r in results)


def test_bad_examples_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(TopicDataError, match="no column"):
        read_examples(CSV, "text", "topic")
    with pytest.raises(TopicDataError, match="at least two topics"):
        train_topics(["a", "b", "c"], ["x", "x", "x"], say=lambda _: None)
    with pytest.raises(TopicDataError, match="too few for: rare"):
        train_topics(["a", "b", "c", "d"], ["x", "x", "x", "rare"], say=lambda _: None)


def test_train_topics_and_classify_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "topics.npz"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "triage",
            "train-topics",
            "--csv",
            str(CSV),
            "--text-col",
            "message",
            "--label-col",
            "topic",
            "--out",
            str(out),
            "--fast-only",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4 topics, 48 examples" in result.output
    assert "held-out accuracy" in result.output
    assert LinearBundle.load(out).head("topic").labels == ("baggage", "booking_change", "delay", "refund")
    line = json.dumps({"id": 1, "text": "flight delayed two hours and no information at the gate"})
    classified = runner.invoke(cli, ["classify", "--topics-model", str(out)], input=line + "\n")
    assert classified.exit_code == 0, classified.output
    topics = json.loads(classified.output)["topics"]
    assert topics[0]["label"] == "delay"
    assert abs(sum(t["score"] for t in topics) - 1) < 0.5  # the best three of four topics
