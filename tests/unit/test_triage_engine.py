"""The shipped fast tier on realistic posts: every field of the Triage result."""

from __future__ import annotations

import math

import numpy as np
import pytest

from socialdesk.core.types import Geo, Intent, PiiType, PlaceKind, PlaceSource, Sentiment, TriageInput
from socialdesk.triage.engine import ENCODER, Triager, _round_float32
from socialdesk.triage.urgency import _SIGNALS, signals

STRANDED = TriageInput(
    "@SkylarkAir stranded at Schiphol with two kids, flight cancelled and no hotel. "
    "Call me on +44 7700 900123",
    followers=1500,
)


@pytest.fixture(scope="module")
def fast() -> Triager:
    return Triager("fast")


def one(triager: Triager, text: str, **extra: object) -> object:
    return triager.run([TriageInput(text, **extra)])[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        (
            "Worst airline ever. Lost my bag AGAIN and nobody answers the phone #neveragain",
            Sentiment.NEGATIVE,
        ),
        (
            "Huge thanks to the crew on SK 224 tonight, you made my daughter's first flight magical!",
            Sentiment.POSITIVE,
        ),
        ("What is the baggage allowance on a Light fare to Lisbon?", Sentiment.NEUTRAL),
    ],
)
def test_sentiment_with_scores_summing_to_one(fast: Triager, text: str, sentiment: Sentiment) -> None:
    result = fast.run([TriageInput(text)])[0]
    assert result.sentiment is sentiment
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert max(result.sentiment_scores, key=result.sentiment_scores.__getitem__) == sentiment.value


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "@AmazonHelp my order was supposed to arrive yesterday and it still hasn't shown up. Ridiculous.",
            Intent.COMPLAINT,
        ),
        ("@AppleSupport how do I turn off automatic updates on iOS 11?", Intent.QUESTION),
        (
            "@Uber_Support thank you so much for sorting this out so quickly, really appreciate it!",
            Intent.PRAISE,
        ),
    ],
)
def test_intent(fast: Triager, text: str, intent: Intent) -> None:
    assert fast.run([TriageInput(text)])[0].intent is intent


def test_a_complaint_is_flagged_and_praise_is_not(fast: Triager) -> None:
    complaint, praise = fast.run(
        [
            TriageInput(
                "@comcastcares internet has been down for 3 days and you keep charging me. unacceptable"
            ),
            TriageInput("@ChipotleTweets best burrito I've had all year, thank you!"),
        ]
    )
    assert complaint.is_complaint
    assert complaint.complaint_score > 0.5
    assert not praise.is_complaint


def test_urgency_ranks_a_stranded_family_above_a_question_and_praise(fast: Triager) -> None:
    stranded, question, praise = fast.run(
        [STRANDED, TriageInput("Do you fly to Porto in winter?"), TriageInput("Lovely crew today, thanks!")]
    )
    assert stranded.urgency > 0.7
    assert question.urgency < 0.3
    assert praise.urgency < 0.3
    assert 0.0 <= praise.urgency <= stranded.urgency <= 1.0


def test_places_from_text_geo_and_profile(fast: Triager) -> None:
    [result] = fast.run(
        [TriageInput("Stuck in Frankfurt again", geo=Geo(52.31, 4.76), user_location="Leeds, UK")]
    )
    by_source = {p.source: p for p in result.places}
    assert by_source[PlaceSource.GEO].country == "NL"
    assert by_source[PlaceSource.TEXT].name.startswith("Frankfurt")
    assert by_source[PlaceSource.TEXT].country == "DE"
    assert by_source[PlaceSource.PROFILE].country == "GB"
    [stranded] = fast.run([STRANDED])
    assert [(p.kind, p.country) for p in stranded.places] == [(PlaceKind.AIRPORT, "NL")]


def test_personal_data_spans_point_into_the_text(fast: Triager) -> None:
    [result] = fast.run([STRANDED])
    [span] = result.pii
    assert span.type is PiiType.PHONE
    assert STRANDED.text[span.start : span.end] == "+44 7700 900123"


def test_language_falls_back_to_the_networks_label_when_the_text_is_too_short(fast: Triager) -> None:
    spanish, short = fast.run(
        [TriageInput("¿Cuándo abre el check-in online para mi vuelo a Madrid?"), TriageInput("👍", lang="pt")]
    )
    assert spanish.language == "es"
    assert short.language == "pt"


def test_topics_are_empty_without_a_topic_model_and_the_batch_keeps_its_order(fast: Triager) -> None:
    texts = [
        f"post number {i} about a late delivery" if i % 2 else f"thanks for post {i}!" for i in range(40)
    ]
    results = fast.run([TriageInput(t) for t in texts])
    assert len(results) == 40
    assert all(r.topics == [] and r.tier == "fast" for r in results)
    assert [r.sentiment for r in results] == [fast.run([TriageInput(t)])[0].sentiment for t in texts]


@pytest.mark.skipif(not ENCODER.exists(), reason="the accurate tier's encoder.onnx has not been built")
def test_the_accurate_tier_rescores_sentiment_and_keeps_the_other_fields() -> None:
    accurate = Triager("accurate")
    [result] = accurate.run([STRANDED])
    assert result.tier == "accurate"
    assert result.sentiment is Sentiment.NEGATIVE
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert result.urgency > 0.7
    assert result.pii[0].type is PiiType.PHONE


@pytest.mark.parametrize(
    "text",
    [
        "STRANDED at the airport, flight Cancelled, URGENT",
        "Stuck In traffic, missed My Flight, no hotel tonight",
        "Vol annulé, bloqué à Paris",  # not ASCII: read case-insensitively as it is
        "my KIDS are alone, Medical emergency ASAP",
        "nothing to see here",
    ],
)
def test_urgency_signals_do_not_depend_on_case(text: str) -> None:
    assert signals(text) == signals(text.lower()) == signals(text.upper())
    assert signals(text) == len({m.group(0).lower() for m in _SIGNALS.finditer(text)})


def test_the_urgency_phrases_are_written_in_lowercase() -> None:
    # ASCII posts are lowercased and matched case-sensitively, which needs lowercase phrases.
    assert _SIGNALS.pattern == _SIGNALS.pattern.lower()


def test_scores_are_rounded_and_sum_to_exactly_one(fast: Triager) -> None:
    results = fast.run([TriageInput(t) for t in ("meh", "great service, thanks!!", "where is my parcel")])
    for result in results:
        for scores in (result.sentiment_scores, result.intent_scores):
            assert all(round(v, 4) == v for v in scores.values())
            assert round(sum(scores.values()), 9) == 1.0


@pytest.mark.parametrize("digits", [3, 4])
def test_numpy_rounds_float32_scores_exactly_as_python_does(digits: int) -> None:
    # Uniform probabilities and severities, plus the float32 values nearest every halfway point of the
    # first 40,000 steps (0.00005, 0.00015, ...), where a rounding that is not exact would show first.
    rng = np.random.default_rng(digits)
    step = 10.0**-digits
    halfway = (np.arange(40_000) + 0.5) * step
    values = np.concatenate(
        [
            rng.random(500_000, dtype=np.float32),
            rng.uniform(0, 4, 500_000).astype(np.float32),
            halfway.astype(np.float32),
            np.nextafter(halfway.astype(np.float32), np.float32(0)),
            np.nextafter(halfway.astype(np.float32), np.float32(5)),
            np.array([0.0, -0.0, 1.0, 4.0, 1e-30, 1e-45, 0.99995, np.inf, -np.inf], np.float32),
        ]
    )
    values = np.concatenate([values, -values])  # and their negatives
    ours = _round_float32(values, digits).tolist()
    theirs = [round(v, digits) for v in values.tolist()]
    assert ours == theirs
    # == calls 0.0 and -0.0 equal: the signs must agree too
    assert [math.copysign(1, v) for v in ours] == [math.copysign(1, v) for v in theirs]
    with pytest.raises(ValueError, match="4 digits"):
        _round_float32(values[:1], 5)
    with pytest.raises(TypeError, match="float32"):  # a float64 product is not exact
        _round_float32(values.astype(np.float64), digits)
