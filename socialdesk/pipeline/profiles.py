"""Changing customer profiles: the fields agents keep, merging two customers, splitting one, CSAT.

Each operation is one write transaction with the workspace locked (ingest threads posts to customers
under the same lock, so a merge never races a new post of the merged customer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.profiles import (
    clean_attributes,
    clean_country,
    clean_email,
    clean_labels,
    clean_language,
    clean_satisfaction,
)
from socialdesk.core.types import Direction
from socialdesk.store.db import Database
from socialdesk.store.models import (
    Base,
    Case,
    Conversation,
    Customer,
    CustomerLabel,
    Identity,
    Post,
    SatisfactionRating,
)

PROFILE_FIELDS = (
    "display_name",
    "email",
    "language",
    "country",
    "location",
    "attributes",
    "tags",
    "products",
)
RATING_SOURCES = ("agent", "customer")
# Tables this module moves itself; any other table pointing at a customer is moved generically.
_HANDLED = {"customers", "identities", "conversations", "cases", "posts", "customer_labels"}


@dataclass(frozen=True, slots=True)
class MergeResult:
    survivor_id: int
    merged_id: int
    changed: bool  # False when the merge had already been done
    identities: int  # moved to the survivor
    cases: int


@dataclass(frozen=True, slots=True)
class SplitResult:
    customer_id: int  # the new customer
    conversations: int  # moved with the identity


def _live_customer(session: Session, workspace_id: int, customer_id: int) -> Customer:
    customer = session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    ).first()
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def _text(value: object, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAction(f"{name} must be text")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidAction(f"{name} has at most {limit} characters")
    return text or None


def _labels(value: object, kind: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidAction(f"{kind}s must be a list of text values")
    return clean_labels(value, kind)


def _set_labels(session: Session, customer: Customer, kind: str, values: tuple[str, ...]) -> None:
    session.execute(
        delete(CustomerLabel).where(CustomerLabel.customer_id == customer.id, CustomerLabel.kind == kind)
    )
    session.add_all(
        CustomerLabel(workspace_id=customer.workspace_id, customer_id=customer.id, kind=kind, value=v)
        for v in values
    )


def update_profile(db: Database, workspace_id: int, customer_id: int, changes: Mapping[str, object]) -> None:
    """Set the profile fields named in `changes` (others stay); tags, products and attributes are
    replaced as a whole. Everything is validated before anything is written."""
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidAction(
            f"unknown profile field {', '.join(unknown)}; fields: {', '.join(PROFILE_FIELDS)}"
        )
    values: dict[str, object] = {}
    if "display_name" in changes:
        name = _text(changes["display_name"], "the name", 200)
        if name is None:
            raise InvalidAction("a customer needs a name")
        values["display_name"] = name
    for key, clean in (("email", clean_email), ("language", clean_language), ("country", clean_country)):
        if key in changes:
            raw = changes[key]
            if raw is not None and not isinstance(raw, str):
                raise InvalidAction(f"{key} must be text")
            values[key] = clean(raw)
    if "location" in changes:
        values["location"] = _text(changes["location"], "the location", 200)
    if "attributes" in changes:
        values["attributes"] = clean_attributes(
            changes["attributes"] if changes["attributes"] is not None else {}
        )
    labels = {
        kind: _labels(changes[f"{kind}s"], kind) for kind in ("tag", "product") if f"{kind}s" in changes
    }
    with db.write() as session:
        customer = _live_customer(session, workspace_id, customer_id)
        if customer.merged_into_id is not None:
            raise InvalidAction(
                f"customer {customer_id} was merged into {customer.merged_into_id}; edit that one"
            )
        for key, value in values.items():
            setattr(customer, key, value)
        for kind, chosen in labels.items():
            _set_labels(session, customer, kind, chosen)


def merge_customers(db: Database, workspace_id: int, survivor_id: int, merged_id: int) -> MergeResult:
    """Move everything of `merged_id` to `survivor_id` and leave `merged_id` as a tombstone pointing at it.

    Identities, conversations, cases (with their ratings) and posts move; tags and products are united;
    profile fields the survivor lacks are taken from the merged customer, and its attributes fill in
    the names the survivor does not have. Repeating a merge that was done changes nothing. Both must be
    live customers of the workspace: another workspace's id is simply not found.
    """
    if survivor_id == merged_id:
        raise InvalidAction("a customer cannot be merged into itself")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        survivor = _live_customer(session, workspace_id, survivor_id)
        merged = _live_customer(session, workspace_id, merged_id)
        if merged.merged_into_id == survivor.id:
            return MergeResult(survivor.id, merged.id, changed=False, identities=0, cases=0)
        if merged.merged_into_id is not None:
            raise InvalidAction(
                f"customer {merged.id} was already merged into customer {merged.merged_into_id}"
            )
        if survivor.merged_into_id is not None:
            raise InvalidAction(
                f"customer {survivor.id} was merged into customer {survivor.merged_into_id}; "
                "merge into that one"
            )
        moved_identities = _move(session, Identity, merged.id, survivor.id)
        _move(session, Conversation, merged.id, survivor.id)
        moved_cases = _move(session, Case, merged.id, survivor.id)
        _move(session, Post, merged.id, survivor.id)
        _unite_labels(session, merged, survivor)
        for name in ("email", "language", "country", "location"):
            if getattr(survivor, name) is None:
                setattr(survivor, name, getattr(merged, name))
        survivor.attributes = {**(merged.attributes or {}), **(survivor.attributes or {})}
        # Older tombstones pointing at the merged customer now point at the survivor: one hop to redirect.
        session.execute(
            update(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.merged_into_id == merged.id)
            .values(merged_into_id=survivor.id)
        )
        _move_other_references(session, merged.id, survivor.id)
        merged.merged_into_id = survivor.id
        merged.merged_at = utcnow()
        session.flush()
        session.expire(survivor, ["identities"])
        return MergeResult(survivor.id, merged.id, True, moved_identities, moved_cases)


def _move(session: Session, model: type[Identity | Conversation | Case | Post], old: int, new: int) -> int:
    result = session.execute(
        update(model).where(model.customer_id == old).values(customer_id=new),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _unite_labels(session: Session, merged: Customer, survivor: Customer) -> None:
    have = {
        (kind, value)
        for kind, value in session.execute(
            select(CustomerLabel.kind, CustomerLabel.value).where(CustomerLabel.customer_id == survivor.id)
        )
    }
    for label in session.scalars(select(CustomerLabel).where(CustomerLabel.customer_id == merged.id)):
        if (label.kind, label.value) in have:
            session.delete(label)
        else:
            label.customer_id = survivor.id


def _move_other_references(session: Session, old: int, new: int) -> None:
    """Rows of other features that name a customer (verified identities, say) follow the merge.

    A row that would collide with one the survivor already has stays with the tombstone, where it is
    still found through the merge.
    """
    for table in Base.metadata.sorted_tables:
        if table.name in _HANDLED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "customers":
                continue
            column = fk.parent
            try:
                with session.begin_nested():
                    session.execute(update(table).where(column == old).values({column.name: new}))
            except IntegrityError:
                continue


def split_identity(db: Database, workspace_id: int, customer_id: int, identity_id: int) -> SplitResult:
    """Give one identity of a customer a customer of its own; the conversations it started go with it.

    The customer keeps its other identities, its tags, products and attributes.
    """
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        customer = _live_customer(session, workspace_id, customer_id)
        if customer.merged_into_id is not None:
            raise InvalidAction(f"customer {customer_id} was merged into {customer.merged_into_id}")
        identity = session.scalars(
            select(Identity).where(
                Identity.workspace_id == workspace_id,
                Identity.id == identity_id,
                Identity.customer_id == customer.id,
            )
        ).first()
        if identity is None:
            raise NotFound(f"identity {identity_id} of customer {customer_id} not found")
        count = len(session.scalars(select(Identity.id).where(Identity.customer_id == customer.id)).all())
        if count < 2:
            raise InvalidAction("this is the customer's only identity: there is nothing to split off")
        new = Customer(
            workspace_id=workspace_id,
            display_name=identity.name or identity.handle,
            location=identity.location,
        )
        session.add(new)
        session.flush()
        identity.customer_id = new.id
        session.execute(
            update(Post)
            .where(
                Post.workspace_id == workspace_id,
                Post.customer_id == customer.id,
                Post.direction == Direction.INBOUND,
                Post.network == identity.network,
                Post.author_external_id == identity.external_id,
            )
            .values(customer_id=new.id),
            execution_options={"synchronize_session": False},
        )
        moved = _reassign_conversations(session, workspace_id, customer.id)
        session.flush()
        session.expire(customer, ["identities"])
        return SplitResult(new.id, moved)


def _reassign_conversations(session: Session, workspace_id: int, customer_id: int) -> int:
    """A conversation belongs to the author of its first customer post (as `pipeline.cases` derives it)."""
    moved = 0
    conversations = session.scalars(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.customer_id == customer_id
        )
    ).all()
    for conversation in conversations:
        first = session.execute(
            select(Post.customer_id)
            .where(Post.conversation_id == conversation.id, Post.direction == Direction.INBOUND)
            .order_by(Post.created_at, Post.external_id, Post.id)
            .limit(1)
        ).scalar()
        if first is not None and first != customer_id:
            conversation.customer_id = first
            session.execute(
                update(Case).where(Case.conversation_id == conversation.id).values(customer_id=first),
                execution_options={"synchronize_session": False},
            )
            moved += 1
    return moved


def record_satisfaction(
    db: Database,
    workspace_id: int,
    case_id: int,
    rating: int,
    *,
    source: str = "agent",
    agent_id: int | None = None,
    comment: str | None = None,
) -> None:
    """Record a case's CSAT rating (1-5). The customer's own answer replaces an agent's estimate;
    an agent cannot overwrite what the customer said."""
    rating = clean_satisfaction(rating)
    if source not in RATING_SOURCES:
        raise InvalidAction(f"source must be one of {', '.join(RATING_SOURCES)}")
    note = _text(comment, "the comment", 1000)
    with db.write() as session:
        case = session.scalars(
            select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)
        ).first()
        if case is None:
            raise NotFound(f"case {case_id} not found")
        existing = session.scalars(
            select(SatisfactionRating).where(SatisfactionRating.case_id == case.id)
        ).first()
        if existing is None:
            session.add(
                SatisfactionRating(
                    workspace_id=workspace_id,
                    case_id=case.id,
                    rating=rating,
                    source=source,
                    agent_id=agent_id if source == "agent" else None,
                    comment=note,
                )
            )
            return
        if existing.source == "customer" and source == "agent":
            raise InvalidAction("the customer rated this case themselves; their rating stays")
        existing.rating = rating
        existing.source = source
        existing.agent_id = agent_id if source == "agent" else None
        existing.comment = note
        existing.created_at = utcnow()
