"""A workspace's own topics: trained from labelled examples, used by triage and by `classify`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tokenizers import Tokenizer

from socialdesk.cli import cli
from socialdesk.core.types import TriageInput
from socialdesk.training.topics import TopicDataError, read_examples, train_topics
from socialdesk.triage.encoder import shared_encoder
from socialdesk.triage.engine import Triager
from socialdesk.triage.features import analyse
from socialdesk.triage.linear import LinearBundle, softmax
from socialdesk.triage.static_embedding import ENCODER, TOKENIZER, read_table, shared_static_embedder
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


def test_two_topics_get_a_column_each() -> None:
    texts = ["my bag is lost", "lost luggage again", "where is my suitcase"]
    texts += ["refund please", "I want my money back", "refund my ticket"]
    labels = ["baggage"] * 3 + ["refund"] * 3
    model, _ = train_topics(texts * 2, labels * 2, validation=0, say=lambda _: None)
    assert model.weights.shape[1] == 2
    scores = model.score(["please refund my money", "my luggage is lost"])["topic"]
    assert scores.argmax(axis=1).tolist() == [1, 0]
    assert np.allclose(scores.sum(axis=1), 1.0)


def test_the_fast_head_has_a_fitted_temperature() -> None:
    texts, labels = read_examples(CSV, "message", "topic")
    model, _ = train_topics(texts, labels, validation=0, say=lambda _: None)
    temperature = model.head("topic").temperature
    assert 0.05 < temperature < 100
    reloaded = LinearBundle.from_bytes(model.to_bytes())
    assert reloaded.head("topic").temperature == pytest.approx(temperature)


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


needs_encoder = pytest.mark.skipif(not ENCODER.exists(), reason="the shipped encoder.onnx is not there")


@needs_encoder
def test_the_static_embedding_table_is_read_from_the_shipped_encoder() -> None:
    table = read_table(ENCODER)
    assert table.shape == (30522, 384)  # MiniLM's word pieces, 384 dimensions
    assert table.dtype == np.float32
    # 8-bit values: at most 256 distinct ones, evenly spaced by the scale
    assert len(np.unique(table[:2000])) <= 256
    with pytest.raises(ValueError, match="no initializer"):
        read_table(ENCODER, "no.such.tensor")


@needs_encoder
def test_the_static_embedding_averages_the_tokenizers_word_pieces() -> None:
    embedder = shared_static_embedder()
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.no_padding()  # the file pads to 128 pieces for the transformer
    text = "I can't find my #card at the ATM"  # no punctuation that the word tokens leave out
    ids = tokenizer.encode(text.lower(), add_special_tokens=False).ids
    expected = embedder.table[ids].sum(axis=0)
    [vector] = embedder.embed([text])
    assert np.allclose(vector, expected / np.linalg.norm(expected), atol=1e-5)
    # the markers of how a post is written are not words; a post without pieces gets zeros
    assert np.allclose(embedder.embed(["SOOO"]), embedder.embed(["sooo"]))
    assert not embedder.embed(["..."]).any()
    # a paraphrase is closer than a post about something else
    arrived, waiting, top_up = embedder.embed(
        ["my card has not arrived", "still waiting for my new card", "how do I top up"]
    )
    assert arrived @ waiting > arrived @ top_up + 0.1


@needs_encoder
def test_the_fast_head_reads_the_static_embedding_and_keeps_it_when_saved() -> None:
    texts, labels = read_examples(CSV, "message", "topic")
    model, _ = train_topics(texts, labels, validation=0, say=lambda _: None)
    assert model.static is not None
    assert model.static.shape == (384, 4)
    reloaded = LinearBundle.from_bytes(model.to_bytes())
    assert reloaded.static is not None
    posts = ["my bag is missing since yesterday", "can I change my flight date to next week?"]
    before, after = model.score(posts)["topic"], reloaded.score(posts)["topic"]
    assert np.allclose(before, after, atol=1e-3)  # the weights are kept in half precision
    analysed = analyse(posts)
    embedded = shared_static_embedder().embed_analysed(analysed)
    static_logits = model.static_logits(analysed)
    assert static_logits is not None
    assert np.allclose(static_logits, embedded @ model.static, atol=1e-4)
    with pytest.raises(ValueError, match="static embeddings"):
        model.score_features(model.featurizer.transform_analysed(analysed))
    with np.load(io.BytesIO(model.to_bytes())) as data:  # a reader of format /1 refuses it
        assert json.loads(str(data["description"]))["format"] == "socialdesk-linear/2"


def test_a_model_without_the_static_embedding_scores_as_before(tmp_path: Path) -> None:
    texts, labels = read_examples(CSV, "message", "topic")
    model, _ = train_topics(texts, labels, validation=0, say=lambda _: None, static=False)
    assert model.static is None
    # a file as saved before static embeddings existed: no "static" array, format /1
    with np.load(io.BytesIO(model.to_bytes())) as data:
        arrays = {name: data[name] for name in data.files if name != "static"}
    assert json.loads(str(arrays["description"]))["format"] == "socialdesk-linear/1"
    old = tmp_path / "old.npz"
    np.savez_compressed(old, **arrays)
    loaded = LinearBundle.load(old)
    assert loaded.static is None
    posts = ["my bag is missing since yesterday", "still waiting for the refund of my cancelled ticket"]
    # the scores of the fast head as they were computed before: sparse features only
    logits = loaded.featurizer.transform(posts) @ loaded.weights + loaded.bias
    expected = softmax((logits / loaded.head("topic").temperature).astype(np.float32))
    results = Triager("fast", topics=loaded).run([TriageInput(p) for p in posts])
    for result, row in zip(results, expected, strict=True):
        best = np.argsort(-row)[:3]
        assert [t.label for t in result.topics] == [loaded.head("topic").labels[j] for j in best]
        assert [t.score for t in result.topics] == pytest.approx(row[best].tolist(), abs=1e-4)


@needs_encoder
def test_the_accurate_head_works_next_to_the_static_embedding() -> None:
    texts, labels = read_examples(CSV, "message", "topic")
    encoder = shared_encoder(ENCODER, TOKENIZER)
    model, report = train_topics(texts, labels, encoder, validation=0.25, say=lambda _: None)
    assert report.accurate_accuracy is not None
    assert model.static is not None
    assert not model.static[:, 4:].any()  # the accurate head does without it
    [result] = Triager("accurate", topics=model, encoder=encoder).run([TriageInput("my bag is lost")])
    assert result.topics[0].label == "baggage"
