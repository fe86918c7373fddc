"""Settings → Macros: the workspace's canned replies. Everyone reads them; admins and supervisors edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline import macro_text
from socialdesk.pipeline.approvals import is_supervisor
from socialdesk.pipeline.macros import MacroIn, create_macro, delete_macro, update_macro
from socialdesk.pipeline.reply_length import measure_everywhere
from socialdesk.store.repos.macros import MacroView, get_macro, list_macros
from socialdesk.store.repos.workspace import team_options, workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

_DONE = {"created": "Macro saved.", "updated": "Macro updated.", "deleted": "Macro deleted."}


def editor(agent: PageAgent) -> Principal:
    if not is_supervisor(agent.role):
        raise HTTPException(403, "Only admins and supervisors edit macros.")
    return agent


Editor = Annotated[Principal, Depends(editor)]


def _page(
    request: Request,
    context: Context,
    agent: Principal,
    *,
    editing: MacroView | None = None,
    form: MacroIn | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        macros = list_macros(session, agent.workspace_id)
        teams = team_options(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "settings/macros.html",
        {
            "agent": agent,
            "workspace": workspace,
            "macros": [(m, measure_everywhere(macro_text.sample(m.body))) for m in macros],
            "teams": teams,
            "variables": macro_text.VARIABLES,
            "editing": editing,
            "form": form,
            "can_edit": is_supervisor(agent.role),
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/settings/macros")
def macros_page(request: Request, context: Context, agent: PageAgent, done: str | None = None) -> Response:
    return _page(request, context, agent, notice=_DONE.get(done or ""))


@router.get("/settings/macros/{macro_id}")
def edit_page(request: Request, context: Context, agent: Editor, macro_id: int) -> Response:
    with context.db.read() as session:
        macro = get_macro(session, agent.workspace_id, macro_id)
    if macro is None:
        raise HTTPException(404, "There is no such macro in your workspace.")
    return _page(request, context, agent, editing=macro)


@dataclass(frozen=True, slots=True)
class MacroForm:
    """The macro form as it was typed: `raw` shows it again after an error, `parsed()` is saved."""

    name: str
    shortcut: str
    body: str
    team_id: str
    resolves_case: str
    tag: str

    @property
    def raw(self) -> MacroIn:
        return MacroIn(self.name, self.shortcut, self.body)

    def parsed(self) -> MacroIn:
        if self.team_id and not self.team_id.isdigit():
            raise InvalidAction("choose a team from the list")
        team = int(self.team_id) if self.team_id else None
        resolves = self.resolves_case == "on"
        return MacroIn(self.name, self.shortcut, self.body, team, resolves, self.tag or None)


def macro_form(
    name: Annotated[str, Form(max_length=200)] = "",
    shortcut: Annotated[str, Form(max_length=64)] = "",
    body: Annotated[str, Form(max_length=20000)] = "",
    team_id: Annotated[str, Form(max_length=20)] = "",
    resolves_case: Annotated[str, Form(max_length=8)] = "",
    tag: Annotated[str, Form(max_length=200)] = "",
) -> MacroForm:
    """The fields of the create and the edit form (one form in the template)."""
    return MacroForm(name, shortcut, body, team_id, resolves_case, tag)


Typed = Annotated[MacroForm, Depends(macro_form)]


@router.post("/settings/macros", dependencies=[Depends(verify_csrf)])
def create(request: Request, context: Context, agent: Editor, typed: Typed) -> Response:
    given = typed.raw
    try:
        given = typed.parsed()
        create_macro(context.db, agent.workspace_id, agent.agent_id, given)
    except InvalidAction as exc:
        return _page(request, context, agent, form=given, error=str(exc), status_code=422)
    return RedirectResponse("/settings/macros?done=created", status_code=303)


@router.post("/settings/macros/{macro_id}", dependencies=[Depends(verify_csrf)])
def update(request: Request, context: Context, agent: Editor, macro_id: int, typed: Typed) -> Response:
    given = typed.raw
    try:
        given = typed.parsed()
        update_macro(context.db, agent.workspace_id, macro_id, given)
    except NotFound:
        raise HTTPException(404, "There is no such macro in your workspace.") from None
    except InvalidAction as exc:
        with context.db.read() as session:
            editing = get_macro(session, agent.workspace_id, macro_id)
        return _page(request, context, agent, editing=editing, form=given, error=str(exc), status_code=422)
    return RedirectResponse("/settings/macros?done=updated", status_code=303)


@router.post("/settings/macros/{macro_id}/delete", dependencies=[Depends(verify_csrf)])
def delete(context: Context, agent: Editor, macro_id: int) -> Response:
    try:
        delete_macro(context.db, agent.workspace_id, macro_id)
    except NotFound:
        raise HTTPException(404, "There is no such macro in your workspace.") from None
    return RedirectResponse("/settings/macros?done=deleted", status_code=303)
