"""Customer profiles on SQLite and PostgreSQL: editing, merging, splitting, satisfaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.profiles import (
    merge_customers,
    record_satisfaction,
    split_identity,
    update_profile,
)
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Conversation, Customer, CustomerLabel, Identity, Post
from socialdesk.store.repos.customers import CustomerQuery, get_profile, list_customers, survivor_id
from tests import factories as f


def customer_of(db: Database, network: str, external_id: str) -> int:
    with db.read() as s:
        return s.scalars(
            select(Identity.customer_id).where(
                Identity.network == network, Identity.external_id == external_id
            )
        ).one()


def case_of(db: Database, post_external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(
            select(Post.conversation_id).where(Post.external_id == post_external_id)
        ).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


@pytest.fixture
def two_accounts(db: Database) -> tuple[int, int, int]:
    """Maria on X (two cases) and on e-mail (one case), seen as two customers. Returns (ws, x, mail)."""
    ws = f.workspace(db)
    f.ingest(
        db,
        ws,
        f.post("x1", author="maria_x", text="@AcmeHelp my bag is lost", minutes=0),
        f.post("x2", author="maria_x", text="@AcmeHelp and my refund?", minutes=60),
        f.post(
            "m1",
            author="maria@example.com",
            network="email",
            channel="help@acme.example",
            text="Lost bag, reference ABC123",
            minutes=30,
            private=True,
            conversation_key="thread-1",
        ),
    )
    return ws, customer_of(db, "x", "maria_x"), customer_of(db, "email", "maria@example.com")


def test_editing_a_profile_validates_and_stores_every_field(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1", author="lucia"))
    customer = customer_of(db, "x", "lucia")
    update_profile(
        db,
        ws,
        customer,
        {
            "display_name": "Lucía Gómez",
            "email": "lucia@example.com",
            "language": "ES",
            "country": "es",
            "tags": "Frequent Flyer, vip , frequent flyer",
            "products": ["Skylark Miles"],
            "attributes": {"tier": "gold", "member_since": 2019, "newsletter": True},
        },
    )
    with db.read() as s:
        profile = get_profile(s, ws, customer)
    assert profile is not None
    assert (profile.display_name, profile.email, profile.language, profile.country) == (
        "Lucía Gómez",
        "lucia@example.com",
        "es",
        "ES",
    )
    assert profile.tags == ["frequent flyer", "vip"]
    assert profile.products == ["skylark miles"]
    assert profile.attributes == {"tier": "gold", "member_since": "2019", "newsletter": "true"}

    for bad, message in (
        ({"attributes": {"Bad Key": 1}}, "attribute name"),
        ({"attributes": {"tier": ["a"]}}, "attribute value"),
        ({"attributes": "tier=gold"}, "JSON object"),
        ({"language": "spanish!"}, "ISO 639-1"),
        ({"country": "Spain"}, "two-letter"),
        ({"email": "not-an-address"}, "e-mail"),
        ({"display_name": "  "}, "needs a name"),
        ({"colour": "red"}, "unknown profile field"),
        ({"tags": ["x" * 51]}, "at most 50"),
    ):
        with pytest.raises(InvalidAction, match=message):
            update_profile(db, ws, customer, bad)
    with db.read() as s:
        assert get_profile(s, ws, customer) == profile  # nothing half-written


def test_merge_moves_everything_and_leaves_a_tombstone(
    db: Database, two_accounts: tuple[int, int, int]
) -> None:
    ws, x_customer, mail_customer = two_accounts
    update_profile(db, ws, x_customer, {"tags": ["vip"], "attributes": {"tier": "gold"}})
    update_profile(
        db,
        ws,
        mail_customer,
        {
            "tags": ["vip", "refund"],
            "email": "maria@example.com",
            "attributes": {"tier": "silver", "seat": "aisle"},
        },
    )
    mail_case = case_of(db, "m1")
    record_satisfaction(db, ws, mail_case, 2)

    result = merge_customers(db, ws, x_customer, mail_customer)
    assert result.changed
    assert result.identities == 1
    assert result.cases == 1

    with db.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(Identity).where(Identity.customer_id == mail_customer))
            == 0
        )
        for model in (Conversation, Case, Post):
            assert (
                s.scalar(select(func.count()).select_from(model).where(model.customer_id == mail_customer))
                == 0
            )
        tombstone = s.get_one(Customer, mail_customer)
        assert tombstone.merged_into_id == x_customer
        assert tombstone.merged_at is not None
        assert survivor_id(s, ws, mail_customer) == x_customer
        profile = get_profile(s, ws, x_customer)
        assert get_profile(s, ws, mail_customer) is None
        labels = s.scalars(
            select(CustomerLabel.value).where(CustomerLabel.customer_id == mail_customer)
        ).all()
    assert labels == []
    assert profile is not None
    assert sorted((i.network, i.handle) for i in profile.identities) == [
        ("email", "maria@example.com"),
        ("x", "maria_x"),
    ]
    assert len(profile.cases) == 3
    assert [h.created_at for h in profile.history] == sorted(
        (h.created_at for h in profile.history), reverse=True
    )
    assert {h.network for h in profile.history} == {"x", "email"}
    assert profile.tags == ["refund", "vip"]
    assert profile.email == "maria@example.com"
    assert profile.attributes == {"tier": "gold", "seat": "aisle"}  # the survivor's values win
    assert (profile.satisfaction_mean, profile.satisfaction_count) == (2.0, 1)

    with db.read() as s:
        listed = [r.id for r in list_customers(s, ws, CustomerQuery())]
    assert listed == [x_customer]

    again = merge_customers(db, ws, x_customer, mail_customer)
    assert not again.changed
    with db.read() as s:
        assert get_profile(s, ws, x_customer) == profile


def test_a_later_post_of_a_merged_identity_lands_on_the_survivor(
    db: Database, two_accounts: tuple[int, int, int]
) -> None:
    ws, x_customer, mail_customer = two_accounts
    merge_customers(db, ws, x_customer, mail_customer)
    f.ingest(
        db,
        ws,
        f.post(
            "m2",
            author="maria@example.com",
            network="email",
            channel="help@acme.example",
            text="Any news?",
            minutes=90,
            private=True,
            conversation_key="thread-2",
        ),
    )
    with db.read() as s:
        case = s.get_one(Case, case_of(db, "m2"))
    assert case.customer_id == x_customer


def test_merges_that_make_no_sense_are_refused(db: Database, two_accounts: tuple[int, int, int]) -> None:
    ws, x_customer, mail_customer = two_accounts
    other_ws = f.workspace(db, "Globex")
    f.ingest(db, other_ws, f.post("g1", author="gus", channel="GlobexCare"))
    stranger = customer_of(db, "x", "gus")
    with pytest.raises(InvalidAction, match="itself"):
        merge_customers(db, ws, x_customer, x_customer)
    with pytest.raises(NotFound):
        merge_customers(db, ws, x_customer, stranger)
    with pytest.raises(NotFound):
        merge_customers(db, other_ws, stranger, x_customer)
    merge_customers(db, ws, x_customer, mail_customer)
    with pytest.raises(InvalidAction, match="merge into that one"):
        merge_customers(db, ws, mail_customer, x_customer)
    with db.read() as s:
        assert s.get_one(Customer, stranger).merged_into_id is None
        assert s.get_one(Customer, x_customer).merged_into_id is None


def test_a_chain_of_merges_redirects_in_one_hop(db: Database, two_accounts: tuple[int, int, int]) -> None:
    ws, x_customer, mail_customer = two_accounts
    f.ingest(db, ws, f.post("t1", author="maria_t", minutes=5))
    third = customer_of(db, "x", "maria_t")
    merge_customers(db, ws, mail_customer, third)
    merge_customers(db, ws, x_customer, mail_customer)
    with db.read() as s:
        assert s.get_one(Customer, third).merged_into_id == x_customer
        assert survivor_id(s, ws, third) == x_customer


def test_split_gives_an_identity_its_own_customer_with_its_conversations(
    db: Database, two_accounts: tuple[int, int, int]
) -> None:
    ws, x_customer, mail_customer = two_accounts
    merge_customers(db, ws, x_customer, mail_customer)
    with db.read() as s:
        mail_identity = s.scalars(select(Identity.id).where(Identity.network == "email")).one()
        x_identity = s.scalars(select(Identity.id).where(Identity.network == "x")).one()
    result = split_identity(db, ws, x_customer, mail_identity)
    assert result.conversations == 1
    mail_case = case_of(db, "m1")
    with db.read() as s:
        assert s.get_one(Case, mail_case).customer_id == result.customer_id
        assert s.get_one(Identity, mail_identity).customer_id == result.customer_id
        assert {p.customer_id for p in s.scalars(select(Post).where(Post.network == "email"))} == {
            result.customer_id
        }
        assert {c.customer_id for c in s.scalars(select(Case).where(Case.network == "x"))} == {x_customer}
        new_profile = get_profile(s, ws, result.customer_id)
    assert new_profile is not None
    assert [i.handle for i in new_profile.identities] == ["maria@example.com"]

    with pytest.raises(InvalidAction, match="only identity"):
        split_identity(db, ws, x_customer, x_identity)
    with pytest.raises(NotFound):
        split_identity(db, ws, x_customer, mail_identity)  # no longer this customer's


def test_satisfaction_the_customer_has_the_last_word(db: Database) -> None:
    ws = f.workspace(db)
    agent = f.agent(db, "Acme", "ana@acme.example")
    f.ingest(db, ws, f.post("1"), f.post("2", minutes=5, text="@AcmeHelp another thing"))
    first, second = case_of(db, "1"), case_of(db, "2")
    record_satisfaction(db, ws, first, 4, agent_id=agent)
    record_satisfaction(db, ws, first, 2, source="customer", comment="slow")
    with pytest.raises(InvalidAction, match="customer rated"):
        record_satisfaction(db, ws, first, 5, agent_id=agent)
    record_satisfaction(db, ws, second, 5, agent_id=agent)
    for bad in (0, 6, True):
        with pytest.raises(InvalidAction, match="1 to 5"):
            record_satisfaction(db, ws, second, bad)
    with pytest.raises(InvalidAction, match="source"):
        record_satisfaction(db, ws, second, 3, source="robot")
    with db.read() as s:
        profile = get_profile(s, ws, customer_of(db, "x", "cust1"))
    assert profile is not None
    assert (profile.satisfaction_mean, profile.satisfaction_count) == (3.5, 2)
    assert {c.case_id: (c.rating, c.rating_source) for c in profile.cases} == {
        first: (2, "customer"),
        second: (5, "agent"),
    }
    other = f.workspace(db, "Globex")
    with pytest.raises(NotFound):
        record_satisfaction(db, other, first, 1)


def test_customers_are_searched_by_name_handle_and_email(
    db: Database, two_accounts: tuple[int, int, int]
) -> None:
    ws, x_customer, mail_customer = two_accounts
    update_profile(db, ws, x_customer, {"display_name": "Maria Lopez Ñúñez", "tags": ["vip"]})
    other = f.workspace(db, "Globex")
    f.ingest(db, other, f.post("g1", author="maria_globex", channel="GlobexCare"))
    with db.read() as s:

        def found(**query: object) -> set[int]:
            return {r.id for r in list_customers(s, ws, CustomerQuery(**query))}  # type: ignore[arg-type]

        assert found(q="lopez") == {x_customer}
        assert found(q="ÑÚÑEZ") == {x_customer}  # letters outside ASCII are lower-cased too (on SQLite)
        assert found(q="@maria_x") == {x_customer}
        assert found(q="MARIA@EXAMPLE") == {mail_customer}
        assert found(q="maria") == {x_customer, mail_customer}  # never Globex's Maria
        assert found(network="email") == {mail_customer}
        assert found(tag="vip") == {x_customer}
        assert found(has_open_case=True) == {x_customer, mail_customer}
        assert found(has_open_case=False) == set()
        assert found(q="100%_") == set()


def test_a_name_an_agent_typed_survives_newer_posts(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1", author="rosa", author_name="Rosa", minutes=0))
    f.ingest(db, ws, f.post("2", author="kim", author_name="Kim", minutes=0))
    rosa, kim = customer_of(db, "x", "rosa"), customer_of(db, "x", "kim")
    update_profile(db, ws, rosa, {"display_name": "Rosa Quintana (VIP)", "location": "Lisboa"})
    f.ingest(
        db,
        ws,
        f.post("3", author="rosa", author_name="Rosa Q.", minutes=10, user_location="Porto"),
        f.post("4", author="kim", author_name="Kim Lee", minutes=10, user_location="Seoul"),
    )
    with db.read() as s:
        assert (s.get_one(Customer, rosa).display_name, s.get_one(Customer, rosa).location) == (
            "Rosa Quintana (VIP)",
            "Lisboa",
        )
        assert (s.get_one(Customer, kim).display_name, s.get_one(Customer, kim).location) == (
            "Kim Lee",
            "Seoul",
        )
