"""Triage in the product: stored on posts and cases, filterable and sortable in the inbox, correctable
by agents, and taught back through workspace topic models."""

from __future__ import annotations

import re

from sqlalchemy import select

from socialdesk.core.types import Intent, Sentiment
from socialdesk.pipeline import jobs
from socialdesk.pipeline.enrichment import HANDLERS
from socialdesk.pipeline.topic_models import corrections, install_topic_model, taught_examples
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post, TriageFeedback
from socialdesk.training.topics import read_examples, train_topics
from tests import factories as f
from tests.conftest import FIXTURES
from tests.integration.test_api import api
from tests.web_client import Browser

ANGRY = "@AcmeHelp stranded at Schiphol with my kids, flight cancelled, nobody helps. Worst service ever!!"
HAPPY = "@AcmeHelp thank you so much, the crew was wonderful and my bag arrived early"
QUESTION = "@AcmeHelp can I bring my dog in the cabin on the flight to Madrid?"
SPANISH = "@AcmeHelp hola, ¿cuántas maletas puedo facturar con la tarifa básica?"


def seeded(db: Database) -> dict[str, int]:
    ws = f.workspace(db, "Acme", teams=(("Soporte", "es"),))
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(
        db,
        ws,
        f.post("1", text=ANGRY, author="c1", minutes=0),
        f.post("2", text=HAPPY, author="c2", minutes=5),
        f.post("3", text=QUESTION, author="c3", minutes=10),
        f.post("4", text=SPANISH, author="c4", minutes=15),
    )
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        return {
            p.external_id or "": s.scalars(
                select(Case.id).where(Case.conversation_id == p.conversation_id)
            ).one()
            for p in s.scalars(select(Post))
        }


def test_posts_and_cases_carry_their_triage(db: Database) -> None:
    cases = seeded(db)
    with db.read() as s:
        angry = s.scalars(select(Post).where(Post.external_id == "1")).one()
        assert angry.sentiment is Sentiment.NEGATIVE
        assert angry.is_complaint
        assert angry.urgency is not None
        assert angry.urgency > 0.7
        assert angry.triage is not None
        assert angry.triage["places"][0]["country"] == "NL"
        case = s.get_one(Case, cases["1"])
        assert (case.sentiment, case.urgency, case.place_country) == (Sentiment.NEGATIVE, angry.urgency, "NL")
        question = s.get_one(Case, cases["3"])
        assert question.intent is Intent.QUESTION
        assert question.place_country == "ES"
        assert s.get_one(Case, cases["4"]).language == "es"


def test_the_inbox_filters_and_sorts_by_triage(db: Database) -> None:
    cases = seeded(db)
    browser = Browser(db)
    browser.login("ana@acme.example")

    def listed(query: str) -> list[int]:
        page = browser.get(f"/inbox?{query}")
        assert page.status_code == 200
        return [int(i) for i in re.findall(r'data-href="/cases/(\d+)"', page.text)]

    assert listed("") == [cases["4"], cases["3"], cases["2"], cases["1"]]  # newest first
    assert listed("sort=urgency")[0] == cases["1"]
    assert listed("sentiment=positive") == [cases["2"]]
    assert listed("intent=question") == [cases["4"], cases["3"]]
    assert listed("language=es") == [cases["4"]]
    assert listed("place=NL") == [cases["1"]]
    assert listed("place=schiphol") == [cases["1"]]
    assert listed("min_urgency=0.7") == [cases["1"]]
    assert listed("sort=sentiment")[0] == cases["1"]
    assert browser.get("/inbox?sort=loudest").status_code == 422
    client = api(db)
    items = client.get("/api/v1/cases", params={"sort": "urgency", "intent": "complaint"}).json()["items"]
    assert [i["case_id"] for i in items] == [cases["1"]]
    assert items[0]["sentiment"] == "negative"


def test_an_agent_corrects_triage_and_later_triage_keeps_the_correction(db: Database) -> None:
    cases = seeded(db)
    browser = Browser(db)
    browser.login("ana@acme.example")
    with db.read() as s:
        happy = s.scalars(select(Post).where(Post.external_id == "2")).one()
    page = browser.get(f"/cases/{cases['2']}")
    assert "Set sentiment" in page.text
    response = browser.submit(
        f"/cases/{cases['2']}",
        f"/cases/{cases['2']}/posts/{happy.id}/triage",
        {"field": "sentiment", "value": "neutral"},
    )
    assert response.status_code == 303
    response = browser.submit(
        f"/cases/{cases['2']}",
        f"/cases/{cases['2']}/posts/{happy.id}/triage",
        {"field": "topic", "value": "crew"},
    )
    assert response.status_code == 303
    bad = browser.submit(
        f"/cases/{cases['2']}",
        f"/cases/{cases['2']}/posts/{happy.id}/triage",
        {"field": "sentiment", "value": "meh"},
    )
    assert bad.status_code == 422
    assert "sentiment must be one of" in bad.text
    with db.write() as s:  # triage runs again for this post, as after a redelivery or a model update
        jobs.enqueue(s, happy.workspace_id, jobs.TRIAGE_POST, {"post_id": happy.id})
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        post = s.get_one(Post, happy.id)
        assert post.sentiment is Sentiment.NEUTRAL
        assert post.triage is not None
        assert post.triage["topics"][0] == {"label": "crew", "score": 1.0}
        assert s.get_one(Case, cases["2"]).sentiment is Sentiment.NEUTRAL
        feedback = s.scalars(select(TriageFeedback).order_by(TriageFeedback.id)).all()
        assert [(x.field, x.model_value, x.value) for x in feedback] == [
            ("sentiment", "positive", "neutral"),
            ("topic", None, "crew"),
        ]
        assert taught_examples(s, post.workspace_id) == ([HAPPY], ["crew"])
        assert corrections(s, "sentiment") == ([HAPPY], ["neutral"])  # what `train --with-feedback` adds


def test_corrections_over_the_api_stay_inside_the_workspace(db: Database) -> None:
    seeded(db)
    other = f.workspace(db, "Globex")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(db, other, f.post("99", text="@Globex my account is locked", channel="Globex"))
    with db.read() as s:
        theirs = s.scalars(select(Post.id).where(Post.external_id == "99")).one()
        mine = s.scalars(select(Post.id).where(Post.external_id == "1")).one()
    client = api(db)
    assert (
        client.post(f"/api/v1/posts/{theirs}/triage", json={"field": "intent", "value": "praise"}).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/posts/{mine}/triage", json={"field": "intent", "value": "request"}).status_code
        == 204
    )
    assert (
        client.post(f"/api/v1/posts/{mine}/triage", json={"field": "mood", "value": "x"}).status_code == 422
    )
    with db.read() as s:
        assert s.get_one(Post, mine).intent is Intent.REQUEST
        assert (
            s.scalars(select(Post.intent).where(Post.id == theirs)).one() is None
        )  # not triaged, not touched


def test_a_workspace_topic_model_gives_new_posts_topics(db: Database) -> None:
    ws = f.workspace(db)
    texts, labels = read_examples(FIXTURES / "topics" / "airline_topics.csv", "message", "topic")
    model, _ = train_topics(texts, labels, validation=0, say=lambda _: None)
    install_topic_model(db, ws, model)
    f.ingest(db, ws, f.post("5", text="@AcmeHelp my suitcase never arrived in Lisbon"))
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        post = s.scalars(select(Post)).one()
        assert post.triage is not None
        assert post.triage["topics"][0]["label"] == "baggage"
