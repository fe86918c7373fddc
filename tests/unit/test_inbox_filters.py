"""What a saved view may hold, how the inbox reads its parameters and bulk fields, and its sorts."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from socialdesk.core.types import CaseStatus, Priority
from socialdesk.store.repos.cases import SORTS, UNRESOLVED, _order
from socialdesk.store.repos.saved_views import SavedViewRow
from socialdesk.web.filters import inbox_filter, view_filters
from socialdesk.web.pages.inbox import _back, bulk_change


def test_a_view_keeps_the_known_non_empty_filters_and_the_sort() -> None:
    filters, sort = view_filters(
        {
            "status": "unresolved",  # the default: not stored, so the view follows the inbox's default
            "q": "  refund ",
            "priority": "urgent",
            "assignee": "me",
            "tag": "",
            "page": "3",
            "colour": "red",
            "sort": "due",
        }
    )
    assert filters == {"q": "refund", "priority": "urgent", "assignee": "me"}
    assert sort == "due"
    assert view_filters({})[1] == "newest"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "sideways"}, "status must be one of"),
        ({"priority": "asap"}, "priority must be one of"),
        ({"complaint": "maybe"}, "complaint must be one of"),
        ({"sort": "random"}, "sort must be one of"),
        ({"min_urgency": "2"}, "min_urgency must be a number between 0 and 1"),
        ({"network": "myspace"}, "unknown network"),
        ({"team": "sales"}, "team must be a number"),
        ({"assignee": "bob"}, "assignee must be a number"),
        ({"q": "x" * 201}, "q has at most 200 characters"),
        ({"language": "english!"}, "language must be an ISO 639-1 code"),
    ],
)
def test_a_view_with_a_bad_filter_is_refused_with_the_reason(params: dict[str, str], message: str) -> None:
    with pytest.raises(HTTPException) as refused:
        view_filters(params)
    assert refused.value.status_code == 422
    assert message in str(refused.value.detail)


def test_the_inbox_reads_assignee_complaint_and_search() -> None:
    mine = inbox_filter(None, assignee="me", complaint="yes", q=" late bag ", me=7)
    assert (mine.assignee_id, mine.unassigned, mine.complaint, mine.text) == (7, False, True, "late bag")
    nobody = inbox_filter("all", assignee="none", complaint="no", priority="high")
    assert (nobody.assignee_id, nobody.unassigned, nobody.complaint) == (None, True, False)
    assert nobody.priority is Priority.HIGH
    assert nobody.statuses == tuple(CaseStatus)
    assert inbox_filter(None).statuses == UNRESOLVED
    with pytest.raises(HTTPException, match="needs a signed-in agent"):
        inbox_filter(None, assignee="me")


def test_a_view_applies_as_an_inbox_link() -> None:
    view = SavedViewRow(7, "Urgent", True, "Ana", True, {"priority": "urgent", "q": "a&b"}, "oldest")
    assert view.query == "priority=urgent&q=a%26b&sort=oldest&view=7"
    plain = SavedViewRow(8, "All", False, "Ana", True, {}, "newest")
    assert plain.query == "view=8"


def test_every_sort_has_an_order_that_ends_in_a_unique_column() -> None:
    for sort in SORTS:
        order = _order(sort)
        assert order, sort
        assert "cases.id" in str(order[-1]), sort  # a total order: pages never overlap or skip a case


def test_bulk_bar_fields_become_a_change() -> None:
    change = bulk_change("resolved", "none", "12", " vip ", "high")
    assert change.status is CaseStatus.RESOLVED
    assert change.clear_team
    assert change.team_id is None
    assert change.assignee_id == 12
    assert change.tag == "vip"
    assert change.priority is Priority.HIGH
    assert bulk_change("", "", "", "", "").empty
    with pytest.raises(HTTPException, match="resolved or open"):
        bulk_change("pending", "", "", "", "")
    with pytest.raises(HTTPException, match="team must be a number"):
        bulk_change("", "support", "", "", "")


def test_forms_return_only_to_this_sites_inbox() -> None:
    assert _back("/inbox?q=a&sort=due") == "/inbox?q=a&sort=due"
    assert _back("https://evil.example/inbox") == "/inbox"
    assert _back("//evil.example/inbox") == "/inbox"
    assert _back("/cases/1") == "/inbox"
