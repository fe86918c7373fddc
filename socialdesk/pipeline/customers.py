"""One customer per person: found through the identity a post's author has on its network."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.types import InboundPost
from socialdesk.store.models import Customer, Identity


def resolve_customer(session: Session, workspace_id: int, post: InboundPost) -> Customer:
    """The customer behind `post`'s author, created on first sight.

    Profile fields (handle, name, location) follow the newest post seen from the identity, so the
    result does not depend on the order in which an archive delivers a customer's posts.
    """
    identity = session.scalars(
        select(Identity).where(
            Identity.workspace_id == workspace_id,
            Identity.network == post.network,
            Identity.external_id == post.author_id,
        )
    ).first()
    if identity is None:
        customer = Customer(
            workspace_id=workspace_id,
            display_name=post.author_name or post.author_handle,
            location=post.user_location,
        )
        session.add(customer)
        session.flush()
        session.add(
            Identity(
                workspace_id=workspace_id,
                customer_id=customer.id,
                network=post.network,
                external_id=post.author_id,
                handle=post.author_handle,
                name=post.author_name,
                location=post.user_location,
                last_seen_at=post.created_at,
            )
        )
        return customer
    if post.created_at > identity.last_seen_at:
        identity.handle = post.author_handle
        identity.name = post.author_name
        identity.location = post.user_location
        identity.last_seen_at = post.created_at
        customer = identity.customer
        customer.display_name = post.author_name or post.author_handle
        customer.location = post.user_location
    return identity.customer
