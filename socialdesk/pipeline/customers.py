"""One customer per person: found through the identity a post's author has on its network."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.types import InboundPost
from socialdesk.store.models import Customer, Identity

IdentityKey = tuple[str, str]  # (network, the network's user id)


def find_identities(
    session: Session, workspace_id: int, keys: Iterable[IdentityKey]
) -> dict[IdentityKey, Identity]:
    """The stored identities among `keys`, in one query per network."""
    by_network: dict[str, set[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, set()).add(external_id)
    found: dict[IdentityKey, Identity] = {}
    for network, external_ids in by_network.items():
        for identity in session.scalars(
            select(Identity).where(
                Identity.workspace_id == workspace_id,
                Identity.network == network,
                Identity.external_id.in_(external_ids),
            )
        ):
            found[(network, identity.external_id)] = identity
    return found


def resolve_customer(
    session: Session, workspace_id: int, post: InboundPost, known: dict[IdentityKey, Identity]
) -> Customer:
    """The customer behind `post`'s author, created on first sight.

    `known` holds the identities already looked up for this transaction (`find_identities`); a new
    identity is added to it. Profile fields (handle, name, location) follow the newest post seen from
    the identity, so the result does not depend on the order in which posts arrive.
    """
    identity = known.get((post.network, post.author_id))
    if identity is None:
        customer = Customer(
            workspace_id=workspace_id,
            display_name=post.author_name or post.author_handle,
            location=post.user_location,
        )
        session.add(customer)
        session.flush()
        identity = Identity(
            workspace_id=workspace_id,
            customer_id=customer.id,
            network=post.network,
            external_id=post.author_id,
            handle=post.author_handle,
            name=post.author_name,
            location=post.user_location,
            last_seen_at=post.created_at,
        )
        session.add(identity)
        known[(post.network, post.author_id)] = identity
        return customer
    if post.created_at > identity.last_seen_at:
        customer = identity.customer
        # The profile follows the identity only where it still shows what the identity showed: a name
        # or location an agent typed (or one from another identity after a merge) stays.
        if customer.display_name == (identity.name or identity.handle):
            customer.display_name = post.author_name or post.author_handle
        if customer.location == identity.location:
            customer.location = post.user_location
        identity.handle = post.author_handle
        identity.name = post.author_name
        identity.location = post.user_location
        identity.last_seen_at = post.created_at
    return identity.customer
