"""The Bluesky parser on recorded payloads: one test per fixture, the listening filter, and
`socialdesk channels parse` over every fixture."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.cli import cli
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundPost, PostDeletion
from tests.channels import FIXTURES, fixture, only_posts, replayed

BLUESKY = connector("bluesky")
BRAND = "did:plc:4ysni2g3iitn5xvktftdhwzx"
ALICE = "did:plc:uyxxapwo37d2xcu656yrzxa5"
BOB = "did:plc:ctgnkejvsv3ibc7qbrelafdr"
CARMEN = "did:plc:yptdwdihcxanka6yt2uu5cgg"
NOOR = "did:plc:exz4pvkdv72swr5d33t2lptc"
STRANGER = "did:plc:v34f6vetcmdz7uub244qnjgx"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/3n2pvu7ci222b"
CONVO = "3n2aiysu5222p"
ACCOUNT = Account(
    handle="acmehelp.bsky.social",
    external_id=BRAND,
    settings={"queries": ["acme air", "#AcmeFail"]},
)


def events(name: str, account: Account | None = None) -> list[InboundPost | PostDeletion]:
    return replayed("bluesky", fixture("bluesky", name), account)


def posts(name: str, account: Account | None = None) -> list[InboundPost]:
    return only_posts(events(name, account))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Notifications ----------------------------------------------------------------------------------


def test_mentions_and_replies_page_gives_the_posts_and_skips_likes_and_follows() -> None:
    mention, reply, deeper = posts("notifications__mentions_and_replies.json", ACCOUNT)
    assert mention.external_id == f"at://{ALICE}/app.bsky.feed.post/3n2q7qpd5s22b"
    assert mention.author_id == ALICE
    assert mention.author_handle == "alice-travels.bsky.social"
    assert mention.author_name == "Alice Moreau"
    assert mention.text == (
        "@acmehelp.bsky.social my suitcase never made it to Lisbon 😩 booking ACM-48213, can you help? "
        "acme.example/claims"
    )  # the link facet's full URL is an annotation; the text stays as written
    assert mention.created_at == at("2026-11-20T08:57:00.412")
    assert mention.in_reply_to is None
    assert mention.conversation_key == mention.external_id  # it starts its thread
    assert mention.lang == "en"
    assert mention.channel == "acmehelp.bsky.social"
    assert mention.direction is Direction.INBOUND
    assert not mention.private
    assert mention.raw is not None
    assert mention.raw["reason"] == "mention"

    assert reply.author_name == "Bob K 🚲"
    assert reply.in_reply_to == BRAND_POST
    assert reply.conversation_key == BRAND_POST
    assert reply.text == "Still waiting on my refund… it's been 3 weeks & nobody answers 😤"

    assert deeper.in_reply_to == f"at://{BRAND}/app.bsky.feed.post/3n2q6ageok22b"
    assert deeper.conversation_key == f"at://{CARMEN}/app.bsky.feed.post/3n2q5fm2uc22b"  # root ≠ parent
    assert deeper.text == "Thanks!\nIt arrived this morning 🎉\n\n(the strap is torn though)"


def test_likes_reposts_follows_and_starter_packs_are_no_posts() -> None:
    assert events("notifications__likes_follows_only.json") == []


def test_reasons_added_later_are_no_posts() -> None:
    # verified, like-via-repost, subscribed-post, contact-match and a reason nobody has heard of yet
    assert events("notifications__unknown_reason.json", ACCOUNT) == []


def test_a_quote_is_a_post_of_its_own_not_a_reply() -> None:
    (quote,) = posts("notification__quote.json")
    assert quote.author_id == BOB
    assert quote.text == 'Look at this "apology" 🙄 Four hours at the gate and a €10 voucher. #AcmeFail'
    assert quote.in_reply_to is None
    assert quote.conversation_key == quote.external_id
    assert quote.raw is not None
    assert quote.raw["record"]["embed"]["record"]["uri"] == BRAND_POST
    assert quote.created_at == at("2026-11-20T08:10:00.301")


def test_a_reply_deep_in_a_thread_keeps_parent_and_root_apart() -> None:
    (reply,) = posts("notification__reply_thread.json")
    assert reply.in_reply_to == f"at://{BRAND}/app.bsky.feed.post/3n2q6ageok22b"
    assert reply.conversation_key == f"at://{CARMEN}/app.bsky.feed.post/3n2q5fm2uc22b"
    assert reply.lang == "es"
    assert reply.text == "Sigo sin respuesta. Os mando la foto de la maleta rota otra vez 👇 #equipaje"


def test_a_truncated_notification_is_one_payload_error() -> None:
    payloads = BLUESKY.payloads(fixture("bluesky", "notification__truncated.json"))
    assert len(payloads) == 1
    with pytest.raises(PayloadError, match="not JSON"):
        BLUESKY.parse(payloads[0])


def test_odd_unicode_text_is_kept_code_point_for_code_point() -> None:
    (post,) = posts("notification__odd_unicode.json", ACCOUNT)
    record = json.loads(fixture("bluesky", "notification__odd_unicode.json"))["record"]
    assert post.text == record["text"]
    assert "e\u0301te\u0301" in post.text  # combining accents not composed
    assert "\u200f\u05e9\u05dc\u05d5\u05dd\u200f" in post.text  # right-to-left marks kept
    assert "👩🏽\u200d✈️" in post.text
    assert "🏳️\u200d🌈" in post.text
    assert post.author_name == "نور 🌙"
    assert post.lang == "ar"
    # nanoseconds and +00:00 are still a time
    assert post.created_at == datetime(2026, 11, 20, 10, 3, 7, 123456, tzinfo=UTC)
    # the facets' byte offsets point at what they annotate in the UTF-8 text
    data = post.text.encode("utf-8")
    spans = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in record["facets"]]
    assert spans == ["@acmehelp.bsky.social", "#رحلات"]


def test_a_malformed_notification_in_a_page_is_skipped_and_the_rest_kept() -> None:
    (post,) = posts("notifications__malformed_item.json")
    assert post.author_id == BOB
    assert post.created_at == at("2026-11-20T07:51:00.250")  # createdAt null: when it was indexed


def test_a_lone_malformed_notification_is_a_payload_error() -> None:
    page = json.loads(fixture("bluesky", "notifications__malformed_item.json"))
    bad = json.dumps(page["notifications"][1]).encode()
    with pytest.raises(PayloadError, match="text"):
        BLUESKY.parse(bad)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uri": "https://bsky.app/profile/x/post/1"}, "at://"),
        ({"author": None}, "author"),
        ({"record": {"$type": "app.bsky.feed.like", "subject": {}}}, "not a post"),
        ({"record": {"$type": "app.bsky.feed.post", "text": "hi", "reply": "no"}}, "reply"),
        ({"record": {"$type": "app.bsky.feed.post", "text": "hi", "reply": {"root": {}}}}, "parent"),
        ({"record": {"$type": "app.bsky.feed.post", "text": "hi"}, "indexedAt": "soon"}, "createdAt"),
    ],
)
def test_broken_notifications_are_payload_errors(change: dict[str, object], message: str) -> None:
    one = json.loads(fixture("bluesky", "notification__quote.json"))
    one.update(change)
    with pytest.raises(PayloadError, match=message):
        BLUESKY.parse(json.dumps(one).encode())


def test_a_client_clock_far_ahead_is_not_believed() -> None:
    one = json.loads(fixture("bluesky", "notification__quote.json"))
    one["record"]["createdAt"] = "2031-01-01T00:00:00Z"
    (post,) = BLUESKY.parse(json.dumps(one).encode())
    assert isinstance(post, InboundPost)
    assert post.created_at == at("2026-11-20T08:10:00.500")  # indexedAt


def test_the_brand_s_own_post_is_outbound() -> None:
    one = json.loads(fixture("bluesky", "notification__quote.json"))
    one["author"]["did"] = BRAND
    (post,) = BLUESKY.parse(json.dumps(one).encode(), ACCOUNT)
    assert isinstance(post, InboundPost)
    assert post.direction is Direction.OUTBOUND


# Jetstream --------------------------------------------------------------------------------------


def test_jetstream_commits_without_an_account_give_every_post_edit_and_deletion() -> None:
    found = events("jetstream__commits.jsonl")
    kinds = [(type(e).__name__, e.external_id.rsplit("/", 1)[-1]) for e in found]
    assert kinds == [
        ("InboundPost", "3n2q7xu7es22b"),  # mention
        ("InboundPost", "3n2q7znggk22b"),  # matches a query
        ("InboundPost", "3n2q7znggk22c"),  # nothing to do with the brand
        ("InboundPost", "3n2q7xu7es22b"),  # the mention, edited
        ("InboundPost", "3n2qa6z3ls22b"),  # the brand's answer
        ("PostDeletion", "3n2q7znggk22c"),
    ]  # the like, identity, account and repost events carry no post


def test_jetstream_with_the_account_keeps_what_concerns_the_brand() -> None:
    found = events("jetstream__commits.jsonl", ACCOUNT)
    mention, query_match, edit, answer, deletion = found
    assert isinstance(mention, InboundPost)
    assert mention.author_id == mention.author_handle == STRANGER  # Jetstream carries no handle
    assert mention.created_at == at("2026-11-20T09:00:59.580")
    assert mention.edited_at is None
    assert isinstance(query_match, InboundPost)
    assert query_match.text == "Never flying Acme   Air again. Two hours on the tarmac #AcmeFail"
    assert isinstance(edit, InboundPost)
    assert edit.external_id == mention.external_id
    assert edit.text.endswith("(edit: it is the 7:45)")
    assert edit.edited_at == datetime(2026, 11, 20, 9, 4, 0, 4, tzinfo=UTC)  # time_us of the update
    assert isinstance(answer, InboundPost)
    assert answer.direction is Direction.OUTBOUND
    assert answer.in_reply_to == mention.external_id
    assert deletion == PostDeletion(
        "bluesky",
        f"at://{NOOR}/app.bsky.feed.post/3n2q7znggk22c",
        datetime(2026, 11, 20, 9, 6, 0, 8, tzinfo=UTC),
    )


def test_jetstream_malformed_lines_are_errors_and_the_good_ones_posts() -> None:
    results: list[str] = []
    for payload in BLUESKY.payloads(fixture("bluesky", "jetstream__malformed.jsonl")):
        try:
            results.append(f"{len(BLUESKY.parse(payload))} events")
        except PayloadError as exc:
            results.append(f"error: {exc}")
    assert results[0].startswith("error: the Bluesky payload is not JSON")
    assert results[1] == "error: the Jetstream commit.rkey is missing or not a string"
    assert results[2:] == ["0 events", "1 events"]  # a #sync event; the good post after them


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Flying Acme Air tomorrow", True),
        ("flying ACME AIR tomorrow", True),
        ("acme airlines is a different thing", False),  # whole words only
        ("that was an #acmefail", True),
        ("#AcmeFailure is another tag", False),
        ("hey @acmehelp.bsky.social", True),  # the handle, even without a facet
        ("hey @acmehelp.bsky.social.evil.example", False),
        ("nothing to see here", False),
    ],
)
def test_the_listening_filter(text: str, wanted: bool) -> None:
    line = {
        "did": STRANGER,
        "time_us": 1795165260000000,
        "kind": "commit",
        "commit": {
            "rev": "3n2q7xu7es22b",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": "3n2q7xu7es22b",
            "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-20T09:01:00Z", "text": text},
            "cid": "bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua",
        },
    }
    assert bool(BLUESKY.parse(json.dumps(line).encode(), ACCOUNT)) is wanted


def test_replies_to_and_quotes_of_the_brand_are_kept_whatever_they_say() -> None:
    record = {"$type": "app.bsky.feed.post", "createdAt": "2026-11-20T09:01:00Z", "text": "ok"}
    reply = {
        **record,
        "reply": {"root": {"uri": BRAND_POST, "cid": "x"}, "parent": {"uri": BRAND_POST, "cid": "x"}},
    }
    quote = {
        **record,
        "embed": {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": BRAND_POST}}},
    }
    tagged = {**record, "tags": ["acmefail"]}
    for kept in (reply, quote, tagged):
        line = {
            "did": STRANGER,
            "time_us": 1795165260000000,
            "kind": "commit",
            "commit": {
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": "3n2q7xu7es22b",
                "record": kept,
            },
        }
        assert len(BLUESKY.parse(json.dumps(line).encode(), ACCOUNT)) == 1


# Chat -------------------------------------------------------------------------------------------


def test_chat_log_gives_the_messages_and_nothing_for_reads_reactions_and_deletions() -> None:
    first, answer, thanks = posts("chat__getLog.json", ACCOUNT)
    assert first.external_id == f"chat:{CONVO}:3n2q7sik7k22f"
    assert first.private
    assert first.conversation_key == CONVO
    assert first.author_id == ALICE
    assert first.author_handle == "alice-travels.bsky.social"
    assert first.author_name == "Alice Moreau"
    assert first.text == "Hi! Here are my booking details: ACM-48213, seat 14C. Bag tag LIS 884 211 🧳"
    assert first.created_at == at("2026-11-20T08:58:00.120")
    assert first.direction is Direction.INBOUND
    assert answer.direction is Direction.OUTBOUND  # the brand's own message
    assert thanks.text == "👍 merci !"
    assert thanks.in_reply_to == answer.external_id  # a reply to a message
    assert thanks.author_handle == "alice-travels.bsky.social"  # named by an earlier entry's profile


def test_a_get_messages_page_does_not_say_its_conversation() -> None:
    with pytest.raises(PayloadError, match="convoId"):
        BLUESKY.parse(fixture("bluesky", "chat__getMessages.json"))
    page = json.loads(fixture("bluesky", "chat__getMessages.json"))
    page["convoId"] = CONVO
    found = BLUESKY.parse(json.dumps(page).encode(), ACCOUNT)
    assert [p.external_id for p in found] == [
        f"chat:{CONVO}:3n2q7w2yd222f",
        f"chat:{CONVO}:3n2q7ubrbc22f",
        f"chat:{CONVO}:3n2q7sik7k22f",
    ]


@pytest.mark.parametrize("name", ["createRecord__response.json", "error__expired_token.json"])
def test_api_answers_that_are_not_inbound_payloads_are_payload_errors(name: str) -> None:
    with pytest.raises(PayloadError, match="not a Bluesky payload"):
        BLUESKY.parse(fixture("bluesky", name))


@pytest.mark.parametrize(
    "payload",
    [b"", b"[]", b"null", b'"text"', b"\xff\xfe", b"[" * 100_000, b'{"notifications": 3}', b'{"logs": {}}'],
)
def test_garbage_is_a_payload_error(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        BLUESKY.parse(payload)


# `socialdesk channels parse` --------------------------------------------------------------------

EXPECTED_LINES = {
    "chat__getLog.json": 3,
    "chat__getMessages.json": 0,
    "createRecord__response.json": 0,
    "error__expired_token.json": 0,
    "jetstream__commits.jsonl": 5,
    "jetstream__malformed.jsonl": 1,
    "notification__odd_unicode.json": 1,
    "notification__quote.json": 1,
    "notification__reply_thread.json": 1,
    "notification__truncated.json": 0,
    "notifications__likes_follows_only.json": 0,
    "notifications__malformed_item.json": 1,
    "notifications__mentions_and_replies.json": 3,
    "notifications__unknown_reason.json": 0,
}
EXPECTED_ERRORS = {
    "chat__getMessages.json": 1,
    "createRecord__response.json": 1,
    "error__expired_token.json": 1,
    "jetstream__malformed.jsonl": 2,
    "notification__truncated.json": 1,
}


def test_every_fixture_is_listed_here() -> None:
    assert sorted(p.name for p in (FIXTURES / "bluesky").iterdir()) == sorted(EXPECTED_LINES)


@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_channels_parse_prints_one_line_per_post_and_never_a_traceback(name: str) -> None:
    path = Path(FIXTURES / "bluesky" / name)
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "bluesky", str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    found = [line for line in lines if "network" in line]
    errors = [line for line in lines if "error" in line]
    assert len(found) == EXPECTED_LINES[name]
    assert len(errors) == EXPECTED_ERRORS.get(name, 0)
    for line in found:
        assert line["network"] == "bluesky"
        assert line["created_at"].endswith("Z")
        assert line["external_id"].startswith(("at://", "chat:"))
        assert line["private"] is line["external_id"].startswith("chat:")
        assert line["conversation_key"]
    for line in errors:
        assert line["file"] == str(path)
        assert line["error"]


def test_channels_parse_with_the_bsky_alias_and_deletions() -> None:
    path = FIXTURES / "bluesky" / "jetstream__commits.jsonl"
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "bsky", "--deletions", str(path)])
    assert result.exit_code == 0
    last = json.loads(result.output.splitlines()[-1])
    assert last == {"deleted": f"at://{NOOR}/app.bsky.feed.post/3n2q7znggk22c", "network": "bluesky"}


def _paths(doc: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(doc: object, path: tuple[object, ...], value: object) -> object:
    copy: Any = json.loads(json.dumps(doc))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@pytest.mark.parametrize(
    "name",
    [
        "notifications__mentions_and_replies.json",
        "notification__odd_unicode.json",
        "chat__getLog.json",
        "jetstream__commits.jsonl",
    ],
)
def test_any_field_null_or_of_another_type_is_at_worst_a_payload_error(name: str) -> None:
    """Every field of every payload, in turn, null, a number, a string, a list, an object: parsing
    gives posts or a PayloadError, never another exception."""
    for payload in BLUESKY.payloads(fixture("bluesky", name)):
        doc = json.loads(payload)
        for path in _paths(doc):
            value: object
            for value in (None, 7, "x", [], {}, True):
                mutated = json.dumps(_replaced(doc, path, value)).encode()
                for account in (None, ACCOUNT):
                    with contextlib.suppress(PayloadError):
                        BLUESKY.parse(mutated, account)
