"""Threading: which conversation a post belongs to.

Public posts thread by reply chains: a conversation is one connected reply tree. Archives and webhooks
deliver posts in any order, so a reply may arrive before the post it answers; when the parent arrives,
the conversations that its replies started are merged into one. Private posts thread by the network's
conversation id instead (`conversation_key`); a public post's conversation_key is only kept for reference.

Every function here expects the caller's write transaction with the workspace locked
(`Database.lock_workspace`).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.core.types import InboundPost
from socialdesk.pipeline import events
from socialdesk.store.models import Case, CaseMerge, Conversation, Note, Post, ReplyDraft


def thread_post(session: Session, workspace_id: int, post: InboundPost) -> Conversation:
    """The conversation `post` joins, created or merged as the reply chains require."""
    if post.private and post.conversation_key:
        return _keyed_conversation(session, workspace_id, post)
    conversation_ids: list[int] = []
    parent_id = post.in_reply_to or post.edit_of  # an edit of a thread's first post stays in its thread
    if parent_id:
        parent = session.scalar(
            select(Post.conversation_id).where(
                Post.workspace_id == workspace_id,
                Post.network == post.network,
                Post.external_id == parent_id,
            )
        )
        if parent is not None:
            conversation_ids.append(parent)
    replies = set(
        session.scalars(
            select(Post.conversation_id).where(
                Post.in_reply_to == post.external_id,
                Post.network == post.network,
                Post.workspace_id == workspace_id,
            )
        )
    ) - set(conversation_ids)
    if replies:  # rare: replies that arrived before this post; private conversations keep their own
        public = session.scalars(
            select(Conversation.id).where(Conversation.id.in_(replies), Conversation.external_key.is_(None))
        )
        conversation_ids += sorted(public)
    if not conversation_ids:
        return _new_conversation(session, workspace_id, post, key=None)
    target = session.get_one(Conversation, conversation_ids[0])
    for other in conversation_ids[1:]:
        merge_conversations(session, source_id=other, target=target)
    return target


def _keyed_conversation(session: Session, workspace_id: int, post: InboundPost) -> Conversation:
    conversation = session.scalars(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id,
            Conversation.network == post.network,
            Conversation.external_key == post.conversation_key,
        )
    ).first()
    if conversation is None and post.in_reply_to:
        # Some mail clients (Outlook, Exchange) answer with In-Reply-To but no References, so the key
        # is our reply's id: the conversation of the message answered is the one to join.
        parent = session.scalar(
            select(Post.conversation_id).where(
                Post.workspace_id == workspace_id,
                Post.network == post.network,
                Post.external_id == post.in_reply_to,
            )
        )
        conversation = session.get(Conversation, parent) if parent is not None else None
        if conversation is not None and not conversation.is_private:
            conversation = None  # a private message never joins a public thread
    return conversation or _new_conversation(session, workspace_id, post, key=post.conversation_key)


def _new_conversation(
    session: Session, workspace_id: int, post: InboundPost, key: str | None
) -> Conversation:
    conversation = Conversation(
        workspace_id=workspace_id,
        network=post.network,
        external_key=key,
        is_private=post.private,
        started_at=post.created_at,
        last_activity_at=post.created_at,
    )
    session.add(conversation)
    session.flush()
    return conversation


def merge_conversations(session: Session, source_id: int, target: Conversation) -> None:
    """Move every post of conversation `source_id` into `target`, merge their cases, drop the source."""
    session.execute(update(Post).where(Post.conversation_id == source_id).values(conversation_id=target.id))
    source_case = session.scalars(select(Case).where(Case.conversation_id == source_id)).first()
    if source_case is not None:
        target_case = session.scalars(select(Case).where(Case.conversation_id == target.id)).first()
        if target_case is None:
            source_case.conversation_id = target.id
        else:
            session.execute(update(Note).where(Note.case_id == source_case.id).values(case_id=target_case.id))
            moved = session.execute(  # trainees' drafts waiting for approval follow their case
                update(ReplyDraft)
                .where(ReplyDraft.case_id == source_case.id)
                .values(case_id=target_case.id)
                .returning(ReplyDraft.id, ReplyDraft.author_id, ReplyDraft.status)
            ).all()
            events.drafts_moved(session, target_case.workspace_id, target_case.id, moved)
            for tag in source_case.tags:
                if tag not in target_case.tags:
                    target_case.tags.append(tag)
            if target_case.assignee_id is None:
                target_case.assignee_id = source_case.assignee_id
            session.execute(  # duplicates merged into it by an agent (pipeline.merges) follow it too
                update(CaseMerge)
                .where(CaseMerge.target_case_id == source_case.id)
                .values(target_case_id=target_case.id)
            )
            session.delete(source_case)
        session.flush()
    session.delete(session.get_one(Conversation, source_id))
    session.flush()
