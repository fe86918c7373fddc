"""A canonical picture of one workspace's store, with surrogate keys replaced by natural ones.

Two stores that hold the same posts, threads, cases and customers give equal snapshots whatever ids
their rows got. Wall-clock bookkeeping (when a row was written: `created_at` of non-post rows,
`received_at`, `enriched_at`) is left out; everything a person or a report would read is in.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from socialdesk.store.db import Database
from socialdesk.store.models import (
    Agent,
    Case,
    ChannelAccount,
    Conversation,
    Customer,
    Identity,
    Job,
    Note,
    Post,
    Team,
    Workspace,
)


def snapshot(db: Database, workspace: str) -> dict[str, Any]:
    with db.read() as s:
        ws = s.scalars(select(Workspace).where(Workspace.slug == workspace)).one()

        def rows(model: Any) -> list[Any]:
            return list(s.scalars(select(model).where(model.workspace_id == ws.id)))

        channels = {c.id: (c.network, c.handle) for c in rows(ChannelAccount)}
        teams = {t.id: t.name for t in rows(Team)}
        agents = {a.id: a.email for a in rows(Agent)}
        identities_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
        identity_rows = []
        for i in rows(Identity):
            identities_of[i.customer_id].append((i.network, i.external_id))
            identity_rows.append((i.network, i.external_id, i.handle, i.name, i.location, i.last_seen_at))
        customer_list = rows(Customer)
        customers = {c.id: tuple(sorted(identities_of[c.id])) for c in customer_list}
        posts = rows(Post)
        posts_of: dict[int, list[str]] = defaultdict(list)
        for p in posts:
            posts_of[p.conversation_id].append(f"{p.network}:{p.external_id or p.idempotency_key}")
        conversation_list = rows(Conversation)
        conversations = {c.id: tuple(sorted(posts_of[c.id])) for c in conversation_list}
        case_list = rows(Case)
        case_keys = {c.id: conversations[c.conversation_id] for c in case_list}
        return {
            "workspace": (ws.name, ws.sla_first_response_minutes, ws.sla_resolution_minutes),
            "channel_accounts": sorted(channels.values()),
            "teams": sorted((t.name, t.languages, t.is_default) for t in rows(Team)),
            "agents": sorted(agents.values()),
            "customers": sorted((customers[c.id], c.display_name, c.location) for c in customer_list),
            "identities": sorted(identity_rows),
            "posts": sorted(
                (
                    p.network,
                    p.external_id,
                    conversations[p.conversation_id],
                    channels.get(p.channel_account_id or -1),
                    p.direction.value,
                    customers.get(p.customer_id or -1),
                    agents.get(p.agent_id or -1),
                    p.author_external_id,
                    p.author_handle,
                    p.author_name,
                    p.text,
                    p.created_at,
                    p.in_reply_to,
                    p.is_private,
                    p.declared_language,
                    p.language,
                    p.geo_lat,
                    p.geo_lon,
                    p.user_location,
                    repr(p.raw),
                    p.delivery_status.value,
                    p.idempotency_key,
                    p.enriched_at is not None,
                )
                for p in posts
            ),
            "conversations": sorted(
                (
                    conversations[c.id],
                    c.network,
                    c.external_key,
                    channels.get(c.channel_account_id or -1),
                    customers.get(c.customer_id or -1),
                    c.is_private,
                    c.started_at,
                    c.last_activity_at,
                )
                for c in conversation_list
            ),
            "cases": sorted(
                (
                    case_keys[c.id],
                    customers.get(c.customer_id or -1),
                    channels.get(c.channel_account_id or -1),
                    c.network,
                    c.status.value,
                    c.priority.value,
                    teams.get(c.team_id or -1),
                    agents.get(c.assignee_id or -1),
                    c.routed_by,
                    c.opened_at,
                    c.last_inbound_at,
                    c.last_activity_at,
                    c.first_response_due_at,
                    c.resolution_due_at,
                    c.first_responded_at,
                    c.resolved_at,
                    tuple(t.name for t in c.tags),
                )
                for c in case_list
            ),
            "notes": sorted((case_keys[n.case_id], n.body) for n in rows(Note)),
            "jobs": sorted((j.kind, j.status, j.attempts, repr(j.payload)) for j in rows(Job)),
        }


def integrity_problems(db: Database) -> list[str]:
    """Half-written state that must never exist: posts without threads, threads without cases, ..."""
    problems = []
    with db.read() as s:
        for p in s.scalars(select(Post)):
            if s.get(Conversation, p.conversation_id) is None:
                problems.append(f"post {p.external_id} has no conversation")
            if p.direction.value == "inbound" and p.customer_id is None:
                problems.append(f"inbound post {p.external_id} has no customer")
        for c in s.scalars(select(Conversation)):
            has_inbound = s.scalar(
                select(Post.id).where(Post.conversation_id == c.id, Post.direction == "inbound").limit(1)
            )
            has_case = s.scalar(select(Case.id).where(Case.conversation_id == c.id))
            if has_inbound and not has_case:
                problems.append(f"conversation {c.id} has customer posts but no case")
            if s.scalar(select(Post.id).where(Post.conversation_id == c.id).limit(1)) is None:
                problems.append(f"conversation {c.id} is empty")
        for i in s.scalars(select(Identity)):
            if s.get(Customer, i.customer_id) is None:
                problems.append(f"identity {i.external_id} has no customer")
    return problems
