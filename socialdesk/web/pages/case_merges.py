"""Merging a duplicate into a case from the case page, and what the page shows about merges and the
customer's history (`templates/case/_merge.html`, `templates/case/_history.html`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.merges import DifferentCustomers, merge_cases
from socialdesk.store.repos.history import customer_history
from socialdesk.store.repos.merges import merge_state
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent

router = APIRouter(include_in_schema=False)


def merge_context(session: Session, workspace_id: int, case_id: int) -> dict[str, Any]:
    """The case page's merge banner and form, and the customer's history."""
    return {
        "merge": merge_state(session, workspace_id, case_id),
        "history": customer_history(session, workspace_id, case_id),
    }


@router.post("/cases/{case_id}/merge", dependencies=[Depends(verify_csrf)])
def merge(
    context: Context,
    agent: PageAgent,
    case_id: int,
    source: Annotated[str, Form(max_length=20)],
    confirm: Annotated[str, Form(max_length=3)] = "",
) -> RedirectResponse:
    """Merge case `source` (a duplicate) into this case."""
    number = source.strip().lstrip("#")
    if not number.isdigit():
        raise HTTPException(422, "Give the number of the case to merge into this one, e.g. 42.")
    try:
        merge_cases(
            context.db,
            agent.workspace_id,
            agent.agent_id,
            case_id,
            int(number),
            confirm_different_customers=confirm == "yes",
        )
    except NotFound:
        raise HTTPException(404, f"There is no case #{number} (or #{case_id}) in your workspace.") from None
    except DifferentCustomers:
        # Ask once more on the case page, which offers "Merge anyway".
        return RedirectResponse(f"/cases/{case_id}?merge={int(number)}#merge", status_code=303)
    except InvalidAction as exc:
        raise HTTPException(422, f"The cases were not merged: {exc}.") from None
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
