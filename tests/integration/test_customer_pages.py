"""Customer and segment pages and API: they work, refuse bad input readably, and stay in the workspace."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from socialdesk.pipeline.segments import create_segment
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Customer, Identity, Post
from tests import factories as f
from tests.integration.test_api import api
from tests.web_client import Browser


def _customer(db: Database, handle: str) -> int:
    with db.read() as s:
        return s.scalars(select(Identity.customer_id).where(Identity.external_id == handle)).one()


def _case(db: Database, external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


@pytest.fixture
def brands(db: Database) -> dict[str, int]:
    """Acme (agent ana) with customers maria and marta; Globex (agent gus) with customer gina."""
    acme, globex = f.workspace(db, "Acme"), f.workspace(db, "Globex")
    f.agent(db, "Acme", "ana@acme.example")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(
        db,
        acme,
        f.post("1", author="maria", text="@AcmeHelp lost my bag"),
        f.post("2", author="marta", minutes=5, text="@AcmeHelp also my bag"),
    )
    f.ingest(db, globex, f.post("3", author="gina", channel="GlobexCare", text="@GlobexCare private stuff"))
    segment = create_segment(db, globex, "Globex VIPs", {})
    return {
        "acme": acme,
        "globex": globex,
        "maria": _customer(db, "maria"),
        "marta": _customer(db, "marta"),
        "gina": _customer(db, "gina"),
        "gina_case": _case(db, "3"),
        "globex_segment": segment,
    }


def signed_in(db: Database, email: str = "ana@acme.example") -> Browser:
    browser = Browser(db)
    assert browser.login(email).status_code == 303
    return browser


def test_list_profile_edit_and_merge_through_the_pages(db: Database, brands: dict[str, int]) -> None:
    browser = signed_in(db)
    listing = browser.get("/customers?q=mar")
    assert listing.status_code == 200
    assert "maria" in listing.text
    assert "marta" in listing.text
    assert "gina" not in listing.text
    maria = brands["maria"]

    saved = browser.submit(
        f"/customers/{maria}",
        f"/customers/{maria}",
        {"display_name": "Maria Lopez", "language": "es", "tags": "vip", "attributes": '{"tier": "gold"}'},
    )
    assert saved.status_code == 303
    page = browser.get(f"/customers/{maria}").text
    assert "Maria Lopez" in page
    assert "&#34;tier&#34;: &#34;gold&#34;" in page

    bad = browser.submit(
        f"/customers/{maria}", f"/customers/{maria}", {"display_name": "M", "attributes": "{tier"}
    )
    assert bad.status_code == 422
    assert "not valid JSON" in bad.text

    found = browser.get(f"/customers/{maria}?merge_q=marta").text
    assert f'name="other_id" value="{brands["marta"]}"' in found
    merged = browser.submit(
        f"/customers/{maria}", f"/customers/{maria}/merge", {"other_id": str(brands["marta"])}
    )
    assert merged.status_code == 303
    old_link = browser.get(f"/customers/{brands['marta']}")
    assert old_link.status_code == 301
    assert old_link.headers["location"] == f"/customers/{maria}"
    profile = browser.get(f"/customers/{maria}").text
    assert "@marta" in profile
    assert "also my bag" in profile

    again = browser.submit(
        f"/customers/{maria}", f"/customers/{maria}/merge", {"other_id": str(brands["marta"])}
    )
    assert again.status_code == 303  # idempotent
    with db.read() as s:
        identity = s.scalars(select(Identity.id).where(Identity.external_id == "marta")).one()
    split = browser.submit(f"/customers/{maria}", f"/customers/{maria}/identities/{identity}/split", {})
    assert split.status_code == 303
    assert re.fullmatch(r"/customers/\d+\?split_from=\d+", split.headers["location"])


def test_the_case_page_links_to_the_profile(db: Database, brands: dict[str, int]) -> None:
    browser = signed_in(db)
    page = browser.get(f"/cases/{_case(db, '1')}").text
    assert f'href="/customers/{brands["maria"]}"' in page


def test_segments_pages_count_members_and_refuse_bad_filters(db: Database, brands: dict[str, int]) -> None:
    browser = signed_in(db)
    created = browser.submit(
        "/segments",
        "/segments",
        {"name": "Bag trouble", "tags": "", "networks": "x", "has_open_case": "true"},
    )
    assert created.status_code == 303
    page = browser.get(created.headers["location"]).text
    assert re.search(r'id="member-count">2<', page)
    listing = browser.get("/segments").text
    assert "Bag trouble" in listing
    assert "Globex VIPs" not in listing
    bad = browser.submit("/segments", "/segments", {"name": "Bad", "countries": "Germany"})
    assert bad.status_code == 422
    assert "two-letter" in bad.text
    bad_days = browser.submit("/segments", "/segments", {"name": "Bad", "active_within_days": "-3"})
    assert bad_days.status_code == 422
    assert "1 to 3650" in bad_days.text
    assert browser.get("/customers?segment=abc").status_code == 422
    assert browser.get("/customers?network=myspace").status_code == 422


def test_pages_of_another_workspace_are_not_found_and_not_changed(
    db: Database, brands: dict[str, int]
) -> None:
    browser = signed_in(db)
    gina, segment = brands["gina"], brands["globex_segment"]
    assert browser.get(f"/customers/{gina}").status_code == 404
    assert browser.get(f"/segments/{segment}").status_code == 404
    mine = brands["maria"]
    assert (
        browser.submit(f"/customers/{mine}", f"/customers/{gina}", {"display_name": "x"}).status_code == 404
    )
    refused = browser.submit(f"/customers/{mine}", f"/customers/{mine}/merge", {"other_id": str(gina)})
    assert refused.status_code == 404
    assert browser.submit("/segments", f"/segments/{segment}", {"name": "mine"}).status_code == 404
    assert browser.submit("/segments", f"/segments/{segment}/delete", {}).status_code == 404
    rated = browser.submit(
        f"/customers/{mine}", f"/customers/{mine}/cases/{brands['gina_case']}/satisfaction", {"rating": "1"}
    )
    assert rated.status_code == 404
    assert "gina" not in browser.get("/customers?q=gi").text
    with db.read() as s:
        customer = s.get_one(Customer, gina)
        assert (customer.display_name, customer.merged_into_id) == ("gina", None)


def test_forms_need_the_csrf_token(db: Database, brands: dict[str, int]) -> None:
    browser = signed_in(db)
    response = browser.client.post(
        f"/customers/{brands['maria']}/merge",
        data={"other_id": str(brands["marta"])},
        headers={"origin": "https://testserver"},
    )
    assert response.status_code == 403


def test_the_api_for_profiles_and_segments(db: Database, brands: dict[str, int]) -> None:
    client = api(db)
    maria, marta = brands["maria"], brands["marta"]
    assert client.get("/api/v1/customers", params={"q": "mar"}).json()["items"][0]["id"] in {maria, marta}
    patched = client.patch(
        f"/api/v1/customers/{maria}", json={"tags": ["VIP"], "attributes": {"tier": "gold", "since": 2019}}
    )
    assert patched.status_code == 200
    assert patched.json()["attributes"] == {"tier": "gold", "since": "2019"}
    assert client.patch(f"/api/v1/customers/{maria}", json={"attributes": {"x": [1]}}).status_code == 422
    assert client.patch(f"/api/v1/customers/{maria}", json={"country": "Spain"}).status_code == 422

    merged = client.post(f"/api/v1/customers/{maria}/merge", json={"other_id": marta})
    assert merged.json() == {
        "survivor_id": maria,
        "merged_id": marta,
        "changed": True,
        "identities": 1,
        "cases": 1,
    }
    assert (
        client.post(f"/api/v1/customers/{maria}/merge", json={"other_id": marta}).json()["changed"] is False
    )
    moved = client.get(f"/api/v1/customers/{marta}", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/api/v1/customers/{maria}"
    profile = client.get(f"/api/v1/customers/{marta}").json()  # followed
    assert profile["id"] == maria
    assert len(profile["identities"]) == 2

    rated = client.post(f"/api/v1/cases/{_case(db, '1')}/satisfaction", json={"rating": 4})
    assert rated.status_code == 204
    assert client.post(f"/api/v1/cases/{_case(db, '1')}/satisfaction", json={"rating": 9}).status_code == 422

    created = client.post("/api/v1/segments", json={"name": "VIPs", "filter": {"tags": ["vip"]}})
    assert created.status_code == 201
    segment = created.json()
    assert segment["member_count"] == 1
    assert client.post("/api/v1/segments", json={"name": "Odd", "filter": {"shoe": 1}}).status_code == 422
    assert client.post("/api/v1/segments", json={"name": "Odd", "filter": []}).status_code == 422
    members = client.get(f"/api/v1/segments/{segment['id']}/members").json()["items"]
    assert [m["id"] for m in members] == [maria]
    assert client.get(f"/api/v1/customers/{maria}/segments").json() == {"segment_ids": [segment["id"]]}
    stats = client.get(f"/api/v1/segments/{segment['id']}/stats").json()
    assert stats["members"] == 1
    assert stats["open_cases"] == 2
    assert stats["satisfaction_mean"] == 4.0
    assert client.get(f"/api/segments/{segment['id']}/stats").json()["members"] == 1
    patched_segment = client.patch(f"/api/v1/segments/{segment['id']}", json={"filter": {"tags": ["nobody"]}})
    assert patched_segment.json()["member_count"] == 0
    assert client.delete(f"/api/v1/segments/{segment['id']}").status_code == 204
    assert client.get(f"/api/v1/segments/{segment['id']}").status_code == 404


def test_the_api_hides_another_workspaces_profiles_and_segments(db: Database, brands: dict[str, int]) -> None:
    client = api(db)
    gina, segment = brands["gina"], brands["globex_segment"]
    assert client.get(f"/api/v1/customers/{gina}").status_code == 404
    assert client.patch(f"/api/v1/customers/{gina}", json={"display_name": "x"}).status_code == 404
    assert (
        client.post(f"/api/v1/customers/{brands['maria']}/merge", json={"other_id": gina}).status_code == 404
    )
    assert (
        client.post(f"/api/v1/customers/{gina}/merge", json={"other_id": brands["maria"]}).status_code == 404
    )
    assert client.get(f"/api/v1/customers/{gina}/segments").status_code == 404
    assert (
        client.post(f"/api/v1/cases/{brands['gina_case']}/satisfaction", json={"rating": 1}).status_code
        == 404
    )
    assert client.get(f"/api/v1/segments/{segment}").status_code == 404
    assert client.get(f"/api/v1/segments/{segment}/stats").status_code == 404
    assert client.get(f"/api/v1/segments/{segment}/members").status_code == 404
    assert client.patch(f"/api/v1/segments/{segment}", json={"name": "x"}).status_code == 404
    assert client.delete(f"/api/v1/segments/{segment}").status_code == 404
    assert [s["id"] for s in client.get("/api/v1/segments").json()] == []
    assert gina not in {c["id"] for c in client.get("/api/v1/customers").json()["items"]}
    anonymous = api(db)
    anonymous.headers.pop("authorization")
    assert anonymous.get("/api/v1/customers").status_code == 401
    assert anonymous.get(f"/api/segments/{segment}/stats").status_code == 401
    with db.read() as s:
        assert s.get_one(Customer, gina).merged_into_id is None
