"""What a signed-in customer writes on the private page becomes an inbound post.

It goes through the same ingest as any network's post (threading by the key `handoff-<id>`, the case,
triage), so agents see it on the linked private case and answer as usual.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from socialdesk.channels.private_page import MAX_TEXT, NETWORK
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import Direction, InboundPost
from socialdesk.pipeline.handoffs import private_author_id, private_channel_handle
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.store.db import Database
from socialdesk.store.models import Identity, PrivateHandoff
from socialdesk.store.repos.handoffs import conversation_key

_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def write_message(db: Database, workspace_id: int, handoff_id: int, text: str, form_key: str) -> int:
    """Store the customer's message; the same form sent twice (`form_key`) is stored once. Returns
    the post's id."""
    text = text.strip()
    if not text:
        raise InvalidAction("Please write a message first.")
    if len(text) > MAX_TEXT:
        raise InvalidAction(f"A message has at most {MAX_TEXT} characters; this one has {len(text)}.")
    if not _FORM_KEY.fullmatch(form_key):
        raise InvalidAction("This form has expired. Reload the page and try again.")
    with db.read() as session:
        handoff = session.get_one(PrivateHandoff, handoff_id)
        if handoff.workspace_id != workspace_id:
            raise InvalidAction("This form has expired. Reload the page and try again.")
        channel = private_channel_handle(session, workspace_id)
        # The customer's identity on the page, wherever it is now (a profile merge moves it).
        identity = session.scalars(
            select(Identity)
            .where(
                Identity.workspace_id == workspace_id,
                Identity.network == NETWORK,
                Identity.customer_id == handoff.customer_id,
            )
            .order_by(Identity.id)
            .limit(1)
        ).first()
        author_id = identity.external_id if identity else private_author_id(handoff.customer_id)
        name = identity.name if identity else None
    post = InboundPost(
        network=NETWORK,
        external_id=f"{conversation_key(handoff_id)}-{form_key}",
        direction=Direction.INBOUND,
        author_id=author_id,
        author_handle=name or author_id,
        author_name=name,
        text=text,
        created_at=utcnow(),
        channel=channel,
        private=True,
        conversation_key=conversation_key(handoff_id),
    )
    [result] = ingest_posts(db, workspace_id, [post])
    if result.post_id is None or result.outcome is Outcome.FAILED:
        raise InvalidAction("Your message could not be stored. Please try again.")
    return result.post_id
