"""The Mastodon parser on every recorded payload, and `channels parse` over all of them."""

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
from tests.channels import FIXTURES, fixture, only_posts, replayed

MASTODON = connector("mastodon")
BRAND_ID = "109318492034857231"
ACCOUNT = Account(handle="skylarkair", external_id=BRAND_ID, credentials={"access_token": "t"})
# The same brand known only by its full handle (no account id stored).
BY_HANDLE = Account(handle="skylarkair@mastodon.social", credentials={"access_token": "t"})
AMIRA_DM = f"dm:{BRAND_ID}+112093847561029384"


def events(name: str, account: Account | None = ACCOUNT) -> list[InboundEvent]:
    return replayed("mastodon", fixture("mastodon", name), account)


def posts(name: str, account: Account | None = ACCOUNT) -> list[InboundPost]:
    return only_posts(events(name, account))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_mentions_page_gives_one_post_per_mention_oldest_first() -> None:
    maria, jonas, tom = posts("notifications__mentions_page.json")
    assert [p.external_id for p in (maria, jonas, tom)] == [
        "117647719624289054",
        "117647859771161848",
        "117647994275513341",
    ]
    assert maria.author_id == "110204857391028374"
    assert maria.author_handle == "maria_l@fosstodon.org"
    assert maria.author_name == "María López"
    assert maria.text == (
        "@skylarkair my flight SK 2291 from Lisbon was cancelled at the gate and nobody can tell us where "
        "to rebook. 140 people waiting at B12 😡"
    )
    assert maria.created_at == at("2026-11-20T08:02:17.431Z")
    assert (maria.in_reply_to, maria.private, maria.conversation_key) == (None, False, None)
    assert (maria.lang, maria.followers, maria.channel) == ("en", 311, "skylarkair")
    assert maria.direction is Direction.INBOUND
    assert maria.raw is not None
    assert maria.raw["uri"].endswith("/statuses/115583914420118233")
    assert jonas.lang == "de"
    assert "gebrochenem Griff & aufgerissener" in jonas.text
    assert tom.author_handle == "tomfromleeds"  # a local account's acct has no domain
    assert tom.in_reply_to == "117647357517425075"
    assert tom.text == (
        "@skylarkair booked the 18:40 to Leeds Bradford for my mum (she's 81), asked for assistance at the "
        "airport.\nThe confirmation email doesn't mention it anywhere.\n\nIs it actually on the booking? "
        "Ref KT4L9D"
    )


def test_mixed_types_only_the_mention_is_a_post() -> None:
    (helga,) = posts("notifications__mixed_types.json")
    assert helga.external_id == "117648105872999512"
    assert helga.text == "@skylarkair gibt es auf der Strecke HAM–LIS inzwischen vegane Snacks an Bord?"  # noqa: RUF001


def test_direct_message_is_private_and_keyed_by_its_participants() -> None:
    (dm,) = posts("notification__direct_message.json")
    assert dm.private is True
    assert dm.conversation_key == AMIRA_DM
    assert dm.author_handle == "amira@mastodon.online"
    assert dm.text.startswith("@skylarkair hi, my booking ref is QX7P2M")
    assert "(typo: Amria → Amira)" in dm.text


def test_links_keep_their_whole_url_and_entities_are_decoded() -> None:
    (post,) = posts("notification__reply_with_links.json")
    assert post.text == (
        "@skylarkair I filled in the form at https://www.skylarkair.example/help/refunds/form?booking=QX7P2M"
        '&lang=pt twice & it says "session expired" 🙄 Isn\'t 3 < 2 tries?\n\n'
        "Screenshot: https://fosstodon.org/@maria_l/115583921094857102\n"
        "cc @jonas #SkylarkAir #refunds 💸"
    )
    assert post.in_reply_to == "117647795814675776"


def test_update_notification_is_the_post_again_with_its_edit_time() -> None:
    (post,) = posts("notification__update_edit.json")
    assert post.external_id == "117648427552264395"
    assert post.edited_at == at("2026-11-20T11:09:47.102Z")
    assert post.created_at == at("2026-11-20T11:02:19.554Z")
    assert post.text.endswith("So geht Kundenservice! 👏\n\n(Edit: 10, nicht 20 Minuten)")


def test_content_warning_comes_first() -> None:
    (post,) = posts("status__with_spoiler.json")
    assert post.text == (
        'lost luggage rant, long\n\n@skylarkair day 3 without my bag. Tracking page says "delivered". It '
        "was not delivered.\n\nRef LBA-SK-55821. Please, I need my medication that was in it."
    )


def test_a_boost_is_no_post() -> None:
    assert events("status__boost.json") == []
    assert events("status__boost.json", None) == []


def test_a_status_notification_needs_to_concern_the_brand() -> None:
    assert events("notification__status_subscribed.json") == []
    (post,) = posts("notification__status_subscribed.json", None)  # without the account: cannot tell
    assert post.author_handle == "flightdeals@botsin.space"


def test_unknown_notification_types_give_nothing() -> None:
    assert events("notifications__unknown_type.json") == []
    assert events("notifications__unknown_type.json", None) == []


def test_truncated_payload_is_one_payload_error() -> None:
    chunks = MASTODON.payloads(fixture("mastodon", "notification__truncated.json"))
    assert len(chunks) == 1
    with pytest.raises(PayloadError, match="not JSON"):
        MASTODON.parse(chunks[0], ACCOUNT)


def test_odd_unicode_is_kept_and_unstorable_characters_replaced() -> None:
    (post,) = posts("notification__odd_unicode.json")
    assert post.author_name == "قمر 🌙 \u200fQamar\u200e"
    assert "\u202bرحلتي SK 318 تأخرت ٤ ساعات\u202c" in post.text
    assert "👨\u200d👩\u200d👧 ×3 waiting at 🇵🇹 LIS; Cafe\u0301 closed, 👋🏽\xa0help?" in post.text  # noqa: RUF001
    assert "𝓢𝓴𝔂𝓵𝓪𝓻𝓴 :blobcatangry: zero\u200bwidth, soft\xadhyphen, 🛫😀 line\u2028sep" in post.text  # noqa: RUF001
    assert post.text.endswith("\ufffd \ufffd")  # a NUL and a lone surrogate
    assert "\x00" not in post.text
    post.text.encode("utf-8")  # storable


def test_search_result_statuses_are_posts() -> None:
    found = posts("search__statuses.json")
    assert [p.external_id for p in found] == ["117649342464063750", "117649372880609051"]
    assert found[1].text == "Boarding with #SkylarkAir in Hamburg, 40 min late but the crew is lovely 💙"


def test_tag_timeline_page() -> None:
    found = posts("timelines__tag_page.json")
    assert [p.author_handle for p in found] == ["helga@norden.social", "tomfromleeds"]


def test_grouped_notifications_give_the_mentions() -> None:
    (post,) = posts("notifications__grouped_v2.json")
    assert post.external_id == "117649617125563313"
    assert post.text == "@skylarkair danke, vegane Snacks gefunden 🥨"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("error__invalid_token.json", "error answer from Mastodon: The access token is invalid"),
        ("notification__not_mastodon.json", "not a Mastodon status, notification or streaming event"),
    ],
)
def test_payloads_that_are_not_mastodon_entities(name: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        events(name)


def test_optional_fields_may_be_absent() -> None:
    (post,) = posts("notification__minimal_fields.json")
    assert post.text == "@skylarkair is the LIS lounge open?"
    assert post.author_name is None
    assert post.lang is None
    assert post.followers is None
    assert post.edited_at is None
    assert post.created_at == at("2026-11-20T17:14:02Z")


def test_sse_capture_splits_into_event_blocks() -> None:
    chunks = MASTODON.payloads(fixture("mastodon", "streaming__user.sse"))
    assert len(chunks) == 9
    assert chunks[0].startswith(b":)\nevent: update\ndata: {")
    assert chunks[-1] == b"event: notifications_merged\ndata: 1"


def test_user_stream_with_the_account() -> None:
    found = events("streaming__user.sse")
    # The home-timeline status of someone the brand follows is left out; its deletion comes through.
    mention, same_again, edit, answer, deletion = found
    assert isinstance(mention, InboundPost)
    assert isinstance(same_again, InboundPost)
    assert mention.external_id == same_again.external_id == "117650084339268330"
    assert isinstance(edit, InboundPost)
    assert edit.edited_at == at("2026-11-20T18:05:11.402Z")
    assert edit.text.endswith("Booking QX7P2M.")
    assert isinstance(answer, InboundPost)
    assert answer.direction is Direction.OUTBOUND
    assert answer.author_handle == "skylarkair"
    assert answer.in_reply_to == "117650084339268330"
    assert deletion == PostDeletion("mastodon", "117650070735430587")


def test_user_stream_without_an_account_keeps_every_status() -> None:
    found = events("streaming__user.sse", None)
    assert [type(e).__name__ for e in found] == ["InboundPost"] * 5 + ["PostDeletion"]
    first = found[0]
    assert isinstance(first, InboundPost)
    assert first.text == "Sonnenuntergang über der Elbe 🌅"
    assert all(e.direction is Direction.INBOUND for e in found if isinstance(e, InboundPost))


def test_brand_known_by_its_full_handle_only() -> None:
    found = events("streaming__user.sse", BY_HANDLE)
    answer = found[3]
    assert isinstance(answer, InboundPost)
    assert answer.direction is Direction.OUTBOUND
    assert answer.channel == "skylarkair@mastodon.social"
    assert len(found) == 5  # the home-timeline status is still told apart


def test_websocket_capture() -> None:
    chunks = MASTODON.payloads(fixture("mastodon", "streaming__websocket.jsonl"))
    assert len(chunks) == 6
    dm, edit, deletion = events("streaming__websocket.jsonl")
    assert isinstance(dm, InboundPost)
    assert isinstance(edit, InboundPost)
    assert dm.private
    assert dm.conversation_key == AMIRA_DM
    assert edit.external_id == dm.external_id == "117650150647745258"
    assert edit.edited_at == at("2026-11-20T18:21:02.340Z")
    assert edit.text == "@skylarkair thanks! And can I add one checked bag (23 kg) to the same booking?"
    assert deletion == PostDeletion("mastodon", "117650070735430587")


def test_direct_stream_conversation() -> None:
    (dm,) = posts("streaming__direct.sse")
    assert dm.private
    assert dm.conversation_key == AMIRA_DM


def test_the_brands_answer_to_a_dm_lands_in_the_same_conversation() -> None:
    status = {
        "id": "117650200000000001",
        "created_at": "2026-11-20T18:30:00.000Z",
        "visibility": "direct",
        "content": '<p><span class="h-card"><a href="https://mastodon.online/@amira" class="u-url mention">'
        "@<span>amira</span></a></span> Yes, one bag is €25.</p>",
        "account": {"id": BRAND_ID, "username": "skylarkair", "acct": "skylarkair"},
        "mentions": [{"id": "112093847561029384", "username": "amira", "acct": "amira@mastodon.online"}],
        "reblog": None,
    }
    (answer,) = MASTODON.parse(json.dumps(status).encode(), ACCOUNT)
    assert isinstance(answer, InboundPost)
    assert answer.direction is Direction.OUTBOUND
    assert answer.conversation_key == AMIRA_DM
    assert answer.text == "@amira Yes, one bag is €25."


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b":thump", []),
        (b"event: filters_changed\ndata: undefined", []),
        (b"event: delete\ndata: 12345", [PostDeletion("mastodon", "12345")]),
        (b'{"stream":["user"],"event":"delete","payload":"67890"}', [PostDeletion("mastodon", "67890")]),
        (b'{"stream":["user"],"event":"encrypted_message","payload":"{}"}', []),
        (b"event: some.future_event\ndata: {}", []),
    ],
)
def test_small_stream_events(payload: bytes, expected: list[InboundEvent]) -> None:
    assert MASTODON.parse(payload, ACCOUNT) == expected


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe not utf-8",
        b"hello there",
        b"[1, 2]",
        b'{"id": "1", "type": "mention", "account": {}, "status": "nope"}',
        b'{"id": "1", "content": "<p>x</p>", "created_at": "yesterday", "account": {"id": "2", "acct": "a"}}',
        b'{"id": "1", "content": "<p>x</p>", "created_at": "2026-11-20T10:00:00Z", "account": {"id": "2"}}',
        b"event: update\ndata: {not json",
        b"event: notification",
        b"event: delete\ndata: ",
        b'{"stream":["user"],"event":"update","payload":"{\\"id\\": 5}"}',
    ],
)
def test_bad_payloads_raise_payload_error_only(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        MASTODON.parse(payload, ACCOUNT)


def fixture_files() -> list[Path]:
    return sorted((FIXTURES / "mastodon").iterdir())


# What `channels parse` prints per fixture: post ids, or the start of an error message.
EXPECTED_LINES: dict[str, list[str]] = {
    "error__invalid_token.json": ["error:the payload is an error answer"],
    "notification__direct_message.json": ["117648204933848034"],
    "notification__minimal_fields.json": ["115585801199203772"],
    "notification__not_mastodon.json": ["error:the payload is not a Mastodon"],
    "notification__odd_unicode.json": ["117649288068513804"],
    "notification__reply_with_links.json": ["117647903504481979"],
    "notification__status_subscribed.json": ["117648890593303373"],
    "notification__truncated.json": ["error:the Mastodon payload is not JSON"],
    "notification__update_edit.json": ["117648427552264395"],
    "notifications__grouped_v2.json": ["117649617125563313"],
    "notifications__mentions_page.json": ["117647719624289054", "117647859771161848", "117647994275513341"],
    "notifications__mixed_types.json": ["117648105872999512"],
    "notifications__unknown_type.json": [],
    "search__statuses.json": ["117649342464063750", "117649372880609051"],
    "status__boost.json": [],
    "status__with_spoiler.json": ["117648715532298872"],
    "streaming__direct.sse": ["117650150647745258"],
    "streaming__user.sse": [
        "117650070735430587",
        "117650084339268330",
        "117650084339268330",
        "117650084339268330",
        "117650105484940993",
    ],
    "streaming__websocket.jsonl": ["117650070735430587", "117650150647745258", "117650150647745258"],
    "timelines__tag_page.json": ["117649372880609051", "117649481291117839"],
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in fixture_files()) == sorted(EXPECTED_LINES)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_channels_parse_prints_the_expected_lines(path: Path) -> None:
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "mastodon", str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # Split at "\n" only: a post's text may hold U+2028, which splitlines() would cut at.
    printed = [json.loads(line) for line in result.output.split("\n") if line]
    summary = [r["external_id"] if "external_id" in r else "error:" + r["error"] for r in printed]
    expected = EXPECTED_LINES[path.name]
    assert len(summary) == len(expected)
    for got, want in zip(summary, expected, strict=True):
        assert got.startswith(want)
    for record in printed:
        if "external_id" in record:
            assert record["network"] == "mastodon"
            assert record["created_at"].endswith("Z")
            assert set(record) >= {"author_id", "author_handle", "text", "in_reply_to", "private"}
            assert record["private"] == (record["conversation_key"] is not None)


def test_channels_parse_prints_deletions_when_asked() -> None:
    path = FIXTURES / "mastodon" / "streaming__websocket.jsonl"
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "mastodon", "--deletions", str(path)])
    assert json.loads(result.output.strip().split("\n")[-1]) == {
        "deleted": "117650070735430587",
        "network": "mastodon",
    }
