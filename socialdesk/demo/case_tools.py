"""The demo's macros and its trainee, so that the case page's tools have something to show."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.pipeline.macros import MacroIn, create_macro
from socialdesk.pipeline.workspaces import find_workspace
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Macro

TRAINEE_EMAIL = "tom@skylark-air.example"
TRAINEE_NAME = "Tom Reyes"

MACROS = (
    MacroIn(
        "Sorry about the delay",
        "delay",
        "Hi {{customer.first_name}}, we're so sorry about the delay. Please DM us your booking reference "
        "and we'll look into your options right away. ^{{agent.first_name}}",
    ),
    MacroIn(
        "Bag did not arrive",
        "bag",
        "So sorry your bag didn't make it, {{customer.first_name}}! Please file a report at "
        "skylark-air.example/bags and DM us the reference: we'll chase it for you. ^{{agent.first_name}}",
        tag="lost-bag",
    ),
    MacroIn(
        "Move to DM",
        "dm",
        "Hi @{{customer.handle}}, could you send us a DM with your booking reference? We'll take it "
        "from there. ^{{agent.first_name}}",
    ),
    MacroIn(
        "Thanks, all sorted",
        "thanks",
        "Glad we could help, {{customer.first_name}}! Thanks for flying {{brand}}. ^{{agent.first_name}}",
        resolves_case=True,
    ),
    # Written for e-mail: longer than X allows, which the picker flags on an X case.
    MacroIn(
        "Refund policy in full",
        "refund-policy",
        "Dear {{customer.name}},\n\nThank you for writing to {{brand}} about case {{case.id}}. When we "
        "cancel a flight or it is delayed by more than three hours, you can choose a full refund to the "
        "original payment method, a free change to another {{brand}} flight within 30 days, or a travel "
        "voucher worth 120% of the fare. Refunds reach most cards within 7 working days.\n\n"
        "Kind regards,\n{{agent.name}}\n{{brand}} Customer Care",
    ),
)


def seed_case_tools(db: Database, workspace_name: str, password: str, author_email: str) -> None:
    """Add the demo macros and the trainee Tom Reyes to the workspace (idempotent)."""
    with db.write() as session:
        workspace = find_workspace(session, workspace_name)
        if workspace is None:
            raise LookupError(f"no workspace {workspace_name!r}: load the demo first")
        if session.scalar(select(Agent.id).where(Agent.email == TRAINEE_EMAIL)) is None:
            create_agent(session, workspace, TRAINEE_EMAIL, TRAINEE_NAME, password, is_trainee=True)
        author = session.scalar(select(Agent.id).where(Agent.email == author_email))
        workspace_id = workspace.id
        taken = set(session.scalars(select(Macro.shortcut).where(Macro.workspace_id == workspace_id)))
    for macro in MACROS:
        if macro.shortcut not in taken:
            create_macro(db, workspace_id, author, macro)
