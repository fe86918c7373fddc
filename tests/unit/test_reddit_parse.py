"""Reddit's recorded payloads through the real parser, one test per fixture, and `channels parse`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.cli import cli
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion
from tests.channels import FIXTURES, fixture, only_posts

REDDIT = connector("reddit")
BRAND = Account(handle="AcmeAirSupport", external_id="t2_8k2l9x1f")


def parse(name: str, account: Account | None = None) -> list[InboundEvent]:
    return REDDIT.parse(fixture("reddit", name), account)


def posts(name: str, account: Account | None = None) -> list[InboundPost]:
    return only_posts(parse(name, account))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_comment_reply_in_the_inbox() -> None:
    [post] = posts("inbox__comment_reply.json", BRAND)
    assert post.external_id == "t1_m8x2k4q"
    assert post.direction is Direction.INBOUND
    assert (post.author_id, post.author_handle) == ("t2_4mxq7a2p", "jetlagged_jo")
    assert post.text == (
        "Thanks for getting back to me — but the refund still hasn't shown up & it's been 12 days.\n\n"
        "> We've escalated this to our payments team\n\n"
        "Escalated *where* exactly? Booking ref is ZK4Q7P if that helps."
    )
    assert post.created_at == at("2026-11-28T14:03:11")
    assert post.in_reply_to == "t1_m8wz91d"
    assert post.conversation_key == "t3_1h4x9qz"  # from "context": inbox comments have no link_id
    assert not post.private
    assert post.channel == "AcmeAirSupport"
    assert post.edited_at is None
    assert post.raw is not None
    assert post.raw["type"] == "comment_reply"


def test_a_username_mention_answers_the_post_it_is_on() -> None:
    [post] = posts("inbox__username_mention.json", BRAND)
    assert post.external_id == "t1_m8y0c7e"
    assert post.in_reply_to == "t3_1h5c2ab"
    assert post.conversation_key == "t3_1h5c2ab"
    assert post.text.endswith('the app just says "contact us" <sigh>')
    assert "LHR→YYZ" in post.text


def test_a_private_message_thread_is_one_private_conversation() -> None:
    later, first = posts("inbox__private_message_thread.json", BRAND)
    assert first.external_id == "t4_2w8k1pq"
    assert first.private
    assert later.private
    assert first.conversation_key == later.conversation_key == "t4_2w8k1pq"
    assert first.in_reply_to is None
    assert later.in_reply_to == "t4_2w8k3zz"
    # The subject opens the conversation; a reply's "re: ..." is Reddit's, not the customer's.
    assert first.text.startswith("Lost bag — tag AC482913\n\nHi, my checked bag never arrived")
    assert later.text == 'Still nothing. The tracker says "forwarded" & that\'s it. Can someone call me?'
    assert first.author_handle == "norah-flies"


def test_a_mixed_inbox_page_keeps_its_order_and_kinds() -> None:
    found = posts("inbox__mixed_page.json", BRAND)
    assert [p.external_id for p in found] == [
        "t1_m8z4h1r",
        "t4_2w8q0xd",
        "t1_m8ytq0b",
        "t1_m8xv3ns",
        "t4_2w7z3bb",
    ]
    assert [p.private for p in found] == [False, True, False, False, True]
    assert found[2].in_reply_to == found[2].conversation_key == "t3_1h58ur4"  # a post reply
    assert (
        found[1].text
        == "Rebooking AC 846\n\nCan you rebook me on the morning flight instead? Confirmation 7QX2LM."
    )
    assert found[4].author_handle == "reddit"


def test_search_results_are_posts_title_first() -> None:
    self_post, link_post, title_only = posts("search__new_posts.json", BRAND)
    assert self_post.external_id == "t3_1h6a0kd"
    assert self_post.text == (
        "Acme Air lost my bag & won't answer emails\n\nFlew AC 482 last week. Bag tag AC482913.\n\n"
        'Anyone know an escalation address that actually works? Their "care" form times out.'
    )
    assert self_post.in_reply_to is None
    assert self_post.conversation_key == "t3_1h6a0kd"
    assert link_post.text == (
        "Acme Air <-> Globex codeshare announced for 2027\n\n"
        "https://news.example.com/2026/11/acme-globex-codeshare?utm_source=reddit&utm_medium=social"
    )
    assert title_only.text == "Refund for cancelled AC 1207 still missing after 2 weeks"
    assert title_only.created_at == at("2026-11-24T08:15:42")


def test_a_comments_page_is_the_post_then_its_tree_flattened() -> None:
    found = posts("comments__page.json", BRAND)
    assert [(p.external_id, p.in_reply_to) for p in found] == [
        ("t3_1h4x9qz", None),
        ("t1_m8wq2lf", "t3_1h4x9qz"),
        ("t1_m8wz91d", "t1_m8wq2lf"),
        ("t1_m8x2k4q", "t1_m8wz91d"),
    ]
    assert {p.conversation_key for p in found} == {"t3_1h4x9qz"}
    assert [p.direction for p in found] == [
        Direction.INBOUND,
        Direction.INBOUND,
        Direction.OUTBOUND,  # the brand's own answer
        Direction.INBOUND,
    ]
    assert found[2].raw is not None
    assert "replies" not in found[2].raw
    assert "booking ref & we'll check" in found[2].text


def test_the_brand_is_told_by_its_account_id_or_its_handle_in_any_case() -> None:
    by_id = posts("comments__page.json", Account(handle="someone-else", external_id="8k2l9x1f"))
    by_handle = posts("comments__page.json", Account(handle="u/acmeairsupport"))
    assert by_id[2].direction is by_handle[2].direction is Direction.OUTBOUND
    without = posts("comments__page.json")
    assert all(p.direction is Direction.INBOUND and p.channel is None for p in without)


def test_an_edited_comment_carries_when_it_was_edited() -> None:
    [post] = posts("thing__edited_comment.json", BRAND)
    assert post.external_id == "t1_m8y5r2w"
    assert post.edited_at == at("2026-11-30T21:18:30")
    assert post.created_at == at("2026-11-29T09:46:55")
    assert post.text.startswith("EDIT: they called me back")


def test_a_deleted_comment_is_a_deletion() -> None:
    assert parse("thing__deleted_comment.json") == [PostDeletion("reddit", "t1_m8y6k0p")]


def test_a_removed_comment_is_a_deletion() -> None:
    assert parse("thing__removed_comment.json") == [PostDeletion("reddit", "t1_m8y7m3c")]


def test_a_deleted_post_is_a_deletion() -> None:
    assert parse("thing__deleted_post.json") == [PostDeletion("reddit", "t3_1h5q3mw")]


def test_a_comment_whose_account_was_deleted_keeps_its_text_under_an_author_of_its_own() -> None:
    [post] = posts("thing__deleted_account_comment.json", BRAND)
    assert post.author_handle == "[deleted]"
    assert post.author_id == "[deleted]/t1_m8y8q1x"  # not one customer for every deleted account
    assert post.text == "Acme lost my stroller at gate B12 and nobody cared."


def test_the_answer_to_a_comment_names_the_comment_made() -> None:
    [post] = posts("api_comment__response.json", BRAND)
    assert post.external_id == "t1_m8z9w2t"
    assert post.direction is Direction.OUTBOUND
    assert post.in_reply_to == "t1_m8x2k4q"
    assert post.conversation_key == "t3_1h4x9qz"


def test_the_answer_to_a_message_reply_names_the_message_made() -> None:
    [post] = posts("api_comment__message_response.json", BRAND)
    assert post.external_id == "t4_2w8s4ve"
    assert post.private
    assert post.direction is Direction.OUTBOUND
    assert post.conversation_key == "t4_2w8k1pq"
    assert (
        post.text
        == "Hi Norah, we've located your bag in Montréal; it goes out on the 14:05 courier run today."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "api_comment__ratelimit_error.json",
            "RATELIMIT: you are doing that too much. try again in 5 minutes.",
        ),
        ("api_comment__too_long_error.json", r"TOO_LONG: this is too long \(max: 10000\)"),
        ("api_comment__deleted_comment_error.json", "DELETED_COMMENT: that comment has been deleted"),
    ],
)
def test_an_error_answer_says_what_reddit_refused(name: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(name)


def test_the_answer_to_compose_holds_no_post() -> None:
    assert parse("api_compose__response.json") == []


def test_the_brands_sent_messages_are_outbound_and_thread_by_their_first_message() -> None:
    reply, opening = posts("message_sent__page.json", BRAND)
    assert reply.direction is opening.direction is Direction.OUTBOUND
    assert reply.conversation_key == "t4_2w8k1pq"
    assert reply.in_reply_to == "t4_2w8k1pq"
    assert opening.conversation_key == "t4_2w8h0aa"


def test_a_thread_with_nested_replies_is_flattened_and_each_reply_answers_the_thread() -> None:
    first, brand, customer = posts("messages__thread_with_replies.json", BRAND)
    assert [first.external_id, brand.external_id, customer.external_id] == [
        "t4_2w8k1pq",
        "t4_2w8k3zz",
        "t4_2w8m7tn",
    ]
    # /message/messages nests replies without a parent_id: they answer the conversation's first message.
    assert brand.in_reply_to == customer.in_reply_to == "t4_2w8k1pq"
    assert {first.conversation_key, brand.conversation_key, customer.conversation_key} == {"t4_2w8k1pq"}
    assert brand.direction is Direction.OUTBOUND
    assert customer.direction is Direction.INBOUND


def test_a_subreddits_new_comments() -> None:
    customer, brand = posts("subreddit_comments__page.json", BRAND)
    assert customer.external_id == "t1_m8zb7k2"
    assert customer.conversation_key == "t3_1h58ur4"
    assert brand.direction is Direction.OUTBOUND


def test_odd_unicode_and_markdown_arrive_exactly_as_written() -> None:
    [post] = posts("listing__odd_unicode.json", BRAND)
    assert post.text == (
        '**Warning** to anyone flying Acme: the app\'s "save card" bug 🤬 charged me ~~once~~ *twice*.\n\n'
        "Tags: AT&T <script>alert(1)</script> &lt;not a tag&gt;\n\n"
        "&#x200B;\n\n"
        "العربية: الرحلة تأخرت ٣ ساعات — עברית: הטיסה בוטלה\n\n"
        "zero\u200bwidth\u200djoin \ufeffbom 👩\u200d👩\u200d👧\u200d👦 🇨🇦 e\u0301 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̯̦͗"
    )


def test_a_raw_json_payload_is_not_decoded_twice() -> None:
    [post] = posts("listing__raw_json.json", BRAND)
    assert post.text == "Q&A thread? <3 — &amp; is how you write an ampersand in HTML\n\n> quoted"


def test_kinds_without_a_post_are_passed_over() -> None:
    [post] = posts("listing__unknown_kind.json", BRAND)
    assert post.external_id == "t1_m8ze5y8"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("listing__truncated.json", "not JSON"),
        ("listing__missing_created.json", r"children\[0\]\.data\.created_utc is missing"),
        ("listing__not_reddit.json", "not a Reddit thing, listing or API answer"),
        ("oauth__token.json", "not a Reddit thing, listing or API answer"),
    ],
)
def test_payloads_not_in_reddits_format_are_refused_with_a_reason(name: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(name)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe",
        b"null",
        b"42",
        b'"Listing"',
        b'{"kind": "Listing"}',
        b'{"kind": "Listing", "data": {"children": {}}}',
        b'{"kind": "Listing", "data": {"children": [7]}}',
        b'{"kind": "t1", "data": {"name": "t1_a", "created_utc": 1795874591}}',
        b'{"kind": "t1", "data": {"name": "t3_a", "author": "x", "body": "y", "created_utc": 1}}',
        b'{"kind": "t1", "data": {"id": "a", "author": "x", "body": "y", "created_utc": "soon"}}',
        b'{"kind": "t1", "data": {"id": "a", "author": "x", "body": "y", "created_utc": 1e300}}',
        b'{"kind": "t1", "data": {"id": "a", "author": "x", "body": "y", "created_utc": 1, "replies": 3}}',
        b'{"kind": "t3", "data": {"id": "a", "author": "x", "created_utc": 1}}',
        b'{"json": []}',
        b'{"json": {"data": {"things": {}}}}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_malformed_payloads_raise_only_payload_error(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        REDDIT.parse(payload)


def test_optional_fields_may_be_absent_and_an_id_stands_in_for_the_name() -> None:
    [post] = REDDIT.parse(
        b'{"kind": "t1", "data": {"id": "k1", "author": "a", "body": "b", "created_utc": 5}}'
    )
    assert isinstance(post, InboundPost)
    assert (post.external_id, post.author_id, post.in_reply_to, post.conversation_key) == (
        "t1_k1",
        "a",
        None,
        None,
    )


def test_every_fixture_replays_through_channels_parse_without_a_traceback() -> None:
    files = sorted((FIXTURES / "reddit").glob("*.json"))
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "reddit", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    errors = {Path(line["file"]).name for line in lines if "error" in line}
    assert errors == {
        "api_comment__deleted_comment_error.json",
        "api_comment__ratelimit_error.json",
        "api_comment__too_long_error.json",
        "listing__missing_created.json",
        "listing__not_reddit.json",
        "listing__truncated.json",
        "oauth__token.json",
    }
    printed = [line for line in lines if "error" not in line]
    expected = sum(
        1
        for path in files
        if Path(path).name not in errors
        for event in REDDIT.parse(path.read_bytes())
        if isinstance(event, InboundPost)
    )
    assert len(printed) == expected == 30
    first = printed[0]
    assert set(first) >= {
        "network",
        "external_id",
        "author_id",
        "author_handle",
        "text",
        "created_at",
        "in_reply_to",
        "private",
        "conversation_key",
    }
    mention = next(line for line in printed if line["external_id"] == "t1_m8y0c7e")
    assert mention["created_at"] == "2026-11-29T09:41:55Z"
    assert mention["network"] == "reddit"


def test_channels_parse_prints_deletions_when_asked() -> None:
    path = str(FIXTURES / "reddit" / "thing__deleted_comment.json")
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "reddit", "--deletions", path])
    assert json.loads(result.output) == {"deleted": "t1_m8y6k0p", "network": "reddit"}
