"""A workspace's topic model: installing one, and gathering what agents taught to train the next."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.core.types import Direction
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post, Tag, TopicModel, TriageFeedback, case_tags
from socialdesk.triage.linear import LinearBundle


def install_topic_model(db: Database, workspace_id: int, model: LinearBundle) -> int:
    """Make `model` the workspace's active topic model; new posts are triaged with it."""
    if "topic" not in {h.name for h in model.heads}:
        raise ValueError("this file is not a topic model (it has no 'topic' head)")
    with db.write() as session:
        session.execute(
            update(TopicModel).where(TopicModel.workspace_id == workspace_id).values(active=False)
        )
        row = TopicModel(
            workspace_id=workspace_id, labels="\n".join(model.head("topic").labels), model=model.to_bytes()
        )
        session.add(row)
        session.flush()
        return row.id


def taught_examples(session: Session, workspace_id: int) -> tuple[list[str], list[str]]:
    """(text, topic) pairs agents provided: topic corrections of posts, and tags on cases (each tag
    labels the customer's first post of the case). A correction wins over a tag for the same post."""
    examples: dict[int, tuple[str, str]] = {}
    tagged = session.execute(
        select(Case.conversation_id, Tag.name)
        .join(case_tags, case_tags.c.case_id == Case.id)
        .join(Tag, Tag.id == case_tags.c.tag_id)
        .where(Case.workspace_id == workspace_id)
    ).all()
    for conversation_id, tag in tagged:
        first = session.execute(
            select(Post.id, Post.text)
            .where(Post.conversation_id == conversation_id, Post.direction == Direction.INBOUND)
            .order_by(Post.created_at, Post.id)
            .limit(1)
        ).first()
        if first is not None:
            examples[first.id] = (first.text, tag)
    corrections = session.execute(
        select(TriageFeedback.post_id, Post.text, TriageFeedback.value)
        .join(Post, Post.id == TriageFeedback.post_id)
        .where(TriageFeedback.workspace_id == workspace_id, TriageFeedback.field == "topic")
        .order_by(TriageFeedback.id)
    ).all()
    for post_id, text, value in corrections:
        examples[post_id] = (text, value)
    ordered = [examples[k] for k in sorted(examples)]
    return [t for t, _ in ordered], [label for _, label in ordered]


def corrections(session: Session, field: str) -> tuple[list[str], list[str]]:
    """(text, value) of every agent correction of `field` (sentiment or intent), newest last, one per
    post (the latest wins), across workspaces: what `socialdesk triage train --with-feedback` adds."""
    latest: dict[int, tuple[str, str]] = {}
    rows = session.execute(
        select(TriageFeedback.post_id, Post.text, TriageFeedback.value)
        .join(Post, Post.id == TriageFeedback.post_id)
        .where(TriageFeedback.field == field)
        .order_by(TriageFeedback.id)
    )
    for post_id, text, value in rows:
        latest[post_id] = (text, value)
    return [t for t, _ in latest.values()], [v for _, v in latest.values()]
