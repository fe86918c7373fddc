"""What the case page's own tools need: the macros filled in for this case, its internal notes and
who can be @mentioned, and the trainees' drafts on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from socialdesk.accounts.agents import Principal
from socialdesk.channels import NETWORKS
from socialdesk.core.types import Direction
from socialdesk.pipeline import macro_text
from socialdesk.pipeline.approvals import is_supervisor
from socialdesk.pipeline.reply_length import measure
from socialdesk.store.repos.approvals import case_drafts, is_trainee
from socialdesk.store.repos.macros import macros_for_case
from socialdesk.store.repos.mentions import case_notes, mentionable_agents, unread_mention_count
from socialdesk.store.repos.views import CaseDetail


def case_facts(case: CaseDetail, agent_name: str, brand: str) -> macro_text.CaseFacts:
    handle = None
    if case.customer is not None:
        handle = next((i.handle for i in case.customer.identities if i.network == case.network), None)
    if handle is None:
        handle = next(
            (p.author_handle for p in reversed(case.posts) if p.direction is Direction.INBOUND), None
        )
    known = NETWORKS.get(case.network)
    return macro_text.CaseFacts(
        case_id=case.case_id,
        customer_name=case.customer.display_name if case.customer else None,
        customer_handle=handle,
        agent_name=agent_name,
        brand=brand,
        channel_handle=case.channel_handle,
        network_label=known.label if known else case.network,
    )


def macro_choices(session: Session, agent: Principal, case: CaseDetail, brand: str) -> list[dict[str, Any]]:
    """The case's macros as the picker offers them: filled in, and measured as the case's network counts."""
    values = macro_text.values_for(case_facts(case, agent.name, brand))
    choices = []
    for macro in macros_for_case(session, agent.workspace_id, case.case_id):
        text = macro_text.fill(macro.body, values)
        fit = measure(case.network, text, private=case.is_private)
        choices.append(
            {
                "id": macro.id,
                "name": macro.name,
                "shortcut": macro.shortcut,
                "team": macro.team_name,
                "text": text,
                "length": fit.length,
                "limit": fit.limit,
                "problem": fit.problem,
                "resolves": macro.resolves_case,
                "tag": macro.tag,
            }
        )
    return choices


def case_tools(session: Session, agent: Principal, case: CaseDetail, brand: str) -> dict[str, Any]:
    """The case template's variables for the macro picker, notes and approval partials."""
    return {
        "macro_choices": macro_choices(session, agent, case, brand),
        "notes": case_notes(session, agent.workspace_id, case.case_id),
        "unread_here": unread_mention_count(session, agent.workspace_id, agent.agent_id, case.case_id),
        "mentionable": [
            {"handle": a.handle, "name": a.name} for a in mentionable_agents(session, agent.workspace_id)
        ],
        "drafts": case_drafts(session, agent.workspace_id, case.case_id),
        "can_review": is_supervisor(agent.role),
        "is_trainee": is_trainee(session, agent.workspace_id, agent.agent_id),
    }
