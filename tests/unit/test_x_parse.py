"""X's parser on every recorded payload (tests/fixtures/x), and `channels parse` over all of them."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.channels.x.reading import one_to_one, snowflake_time, unescape
from socialdesk.cli import cli
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, Geo, InboundEvent, InboundPost, PostDeletion
from tests.channels import FIXTURES, fixture, only_posts, replayed

X = connector("x")
BRAND_ID = "1354201776402341890"
BRAND = Account(handle="AcmeHelp", external_id=BRAND_ID)
ANA, LEA, KENJI, OMAR = "1589934712345678848", "1702345678901234567", "878392043261775873", "2996151021"
ANA_DM = f"{BRAND_ID}-{ANA}"


def events(name: str, account: Account | None = BRAND) -> list[InboundEvent]:
    return replayed("x", fixture("x", name), account)


def posts(name: str, account: Account | None = BRAND) -> list[InboundPost]:
    return only_posts(events(name, account))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- API v2 -------------------------------------------------------------------------------------


def test_mentions_page() -> None:
    first, second, third = posts("mentions__page.json")  # the repost on the page is left out
    assert first.external_id == "2123691325784893907"
    assert first.network == "x"
    assert first.direction is Direction.INBOUND
    assert (first.author_id, first.author_handle, first.author_name) == (ANA, "ana_lisboa", "Ana Ribeiro 🌊")
    assert (
        first.text == '@AcmeHelp still can\'t pay with my card & the app says "try later" 😤 order #A-20931'
    )
    assert first.created_at == at("2026-11-20T08:14:03")
    assert first.in_reply_to == "2123643007400196525"  # the replied_to reference
    assert first.conversation_key == "2123643007400196525"
    assert first.channel == "AcmeHelp"
    assert (first.lang, first.user_location, first.followers) == ("en", "Porto", 1874)
    assert first.private is False
    assert first.raw is not None
    assert first.raw["data"]["id"] == first.external_id

    assert second.geo == Geo(lat=45.764, lon=4.8357)  # GeoJSON is [lon, lat]
    assert second.text.endswith("https://t.co/Qm4x1ZbT0e")  # links stay as written
    assert second.in_reply_to is None
    assert (third.author_handle, third.lang, third.user_location) == ("kenji_t", "ja", "東京")
    assert third.text == "@AcmeHelp 注文した商品がまだ届きません。追跡番号は 7741-0021 です"


def test_mentions_long_post_takes_the_note_tweet_text() -> None:
    [post] = posts("mentions__long_note_tweet.json")
    assert len(post.text) > 280
    assert post.text.startswith("@AcmeHelp okay, long story")
    assert post.text.endswith("this is the first time I'm this annoyed.")
    assert "& was told" in post.text
    assert "refund it <3" in post.text
    assert "t.co" not in post.text


def test_mentions_edit_names_the_first_version() -> None:
    edit, original = posts("mentions__edited.json")
    assert edit.external_id == "2123687097924733924"
    assert edit.edit_of == "2123686292619562946"
    assert "#A-19988" in edit.text
    assert edit.edited_at is None  # X makes an edit a new post
    assert original.edit_of is None  # the first id of the history is the original itself


def test_mentions_empty_page() -> None:
    assert events("mentions__empty.json") == []


def test_mentions_partial_errors_keep_the_data_and_skip_a_broken_item() -> None:
    [post] = posts("mentions__partial_errors.json")  # the item without author_id is skipped
    assert post.author_handle == "omar_dxb"
    assert post.in_reply_to == "2122966550051252082"  # its parent is gone; the reference stays
    assert post.user_location is None  # an empty location is no location


def test_search_recent() -> None:
    outage, praise, emoji_only = posts("search__recent.json")
    assert outage.text == "Acme's checkout has been broken for an hour, anyone else? #acmedown"
    assert praise.in_reply_to is None  # a quote is not a reply
    assert praise.conversation_key == "2123328937916218781"
    assert emoji_only.lang is None  # "qht": hashtags only, no language


def test_dm_events_page() -> None:
    newest, ours, first = posts("dm_events__page.json")  # ParticipantsJoin carries no message
    assert newest.private
    assert ours.private
    assert first.private
    assert newest.conversation_key == ANA_DM
    assert newest.in_reply_to is None
    assert newest.text == "Here it is: A-20931. Email is ana.ribeiro@example.pt"
    assert newest.direction is Direction.INBOUND
    assert ours.direction is Direction.OUTBOUND  # sent by the brand
    assert ours.author_handle == "AcmeHelp"
    assert first.text == "hi, my card payment failed 3 times & I was charged twice"
    assert first.created_at == at("2026-11-20T08:06:03")


def test_dm_events_without_an_account_are_all_inbound() -> None:
    assert {p.direction for p in posts("dm_events__page.json", None)} == {Direction.INBOUND}
    assert {p.channel for p in posts("dm_events__page.json", None)} == {None}


def test_stream_lines_and_keep_alives() -> None:
    chunks = X.payloads(fixture("x", "stream__lines.jsonl"))
    assert len(chunks) == 2  # the keep-alive blank lines are no payloads
    first, second = posts("stream__lines.jsonl")
    assert first.text == "anyone else's Acme order stuck in Madrid customs? 📦"
    assert second.text == "@AcmeHelp <3 thanks for the quick refund"
    assert second.raw is not None
    assert [r["tag"] for r in second.raw["matching_rules"]] == [
        "brand mentions",
        "thanks",
    ]
    assert X.parse(b"\r\n") == []  # a keep-alive handed to the parser


def test_stream_disconnect_line_is_an_error() -> None:
    with pytest.raises(PayloadError, match="operational-disconnect"):
        events("stream__disconnect.jsonl")


def test_errors_not_found() -> None:
    with pytest.raises(PayloadError, match="Could not find user with id"):
        events("errors__not_found.json")


def test_errors_rate_limit() -> None:
    with pytest.raises(PayloadError, match="Too Many Requests"):
        events("errors__rate_limit.json")


# --- Account Activity API -----------------------------------------------------------------------


def test_aaa_tweet_create() -> None:
    [post] = posts("aaa__tweet_create.json")
    assert post.external_id == "2123690570806578749"  # id_str, not the numeric id
    assert post.text == "@AcmeHelp my order says delivered but nothing's here. Porch cam shows no courier >:("
    assert post.created_at == at("2026-11-20T08:11:03")
    assert (post.author_id, post.author_handle, post.author_name) == (LEA, "lea_mrtn", "Léa Martin")
    assert post.geo == Geo(lat=45.7578, lon=4.832)
    assert (post.followers, post.user_location, post.lang) == (640, "Lyon, France", "en")
    assert post.in_reply_to is None
    assert post.direction is Direction.INBOUND
    assert post.channel == "AcmeHelp"


def test_aaa_tweet_create_extended_keeps_the_full_text_unclipped() -> None:
    [post] = posts("aaa__tweet_create_extended.json")
    assert post.text.startswith("@AcmeHelp I want to flag")  # display_text_range is not applied
    assert post.text.endswith("@AcmeCare FYI")
    assert "balance & reopen" in post.text
    assert "…" not in post.text


def test_aaa_reply_by_the_brand_is_outbound() -> None:
    [post] = posts("aaa__reply.json")
    assert post.direction is Direction.OUTBOUND
    assert post.in_reply_to == "2123690570806578749"
    assert post.text.startswith("@lea_mrtn So sorry, Léa!")
    assert "number & we'll" in post.text


def test_aaa_without_an_account_reads_the_brand_from_for_user_id() -> None:
    [reply] = posts("aaa__reply.json", None)
    [mention] = posts("aaa__tweet_create.json", None)
    assert reply.direction is Direction.OUTBOUND
    assert reply.channel == "AcmeHelp"
    assert mention.direction is Direction.INBOUND
    assert mention.channel == "AcmeHelp"


def test_aaa_events_of_another_subscribed_account_are_not_this_channels() -> None:
    other = Account(handle="AcmeShop", external_id="1111111111111111111")
    assert events("aaa__tweet_create.json", other) == []


def test_aaa_dm() -> None:
    [dm] = posts("aaa__dm.json")
    assert dm.private is True
    assert dm.conversation_key == ANA_DM  # X's one-to-one id: lower id, dash, higher id
    assert dm.in_reply_to is None
    assert dm.author_handle == "ana_lisboa"  # from the users map
    assert dm.created_at == at("2026-11-20T08:13:13")  # created_timestamp, in milliseconds
    assert (
        dm.text
        == "Hi! Order A-20931, charged twice (€49.90 \u00d72). Can you refund one? https://t.co/Ab12Cd34Ef"
    )
    assert dm.direction is Direction.INBOUND


def test_aaa_dm_sent_by_the_brand() -> None:
    [dm] = posts("aaa__dm_sent.json", None)
    assert dm.direction is Direction.OUTBOUND
    assert dm.channel == "AcmeHelp"  # the subscribed user's screen name, from the users map
    assert dm.conversation_key == ANA_DM


def test_aaa_delete() -> None:
    [deletion] = events("aaa__delete.json")
    assert isinstance(deletion, PostDeletion)
    assert deletion.external_id == "2123690570806578749"
    assert deletion.deleted_at is not None
    assert deletion.deleted_at.tzinfo is not None


@pytest.mark.parametrize(
    "name",
    [
        "aaa__favorite.json",
        "aaa__typing.json",
        "aaa__mark_read.json",
        "aaa__follow.json",
        "aaa__revoke.json",
        "aaa__unknown_event.json",
        "aaa__retweet.json",
    ],
)
def test_aaa_events_without_a_post(name: str) -> None:
    assert events(name) == []


def test_aaa_tampered_body_still_parses() -> None:
    # Its signature is what is wrong (tests/integration/test_x_connector.py); the body is well formed.
    [post] = posts("aaa__tampered.json")
    assert "IBAN" in post.text


def test_aaa_truncated() -> None:
    with pytest.raises(PayloadError, match="not JSON"):
        events("aaa__truncated.json")


def test_aaa_odd_unicode_is_kept_exactly() -> None:
    [post] = posts("aaa__odd_unicode.json")
    assert post.text == (
        "@AcmeHelp مرحبا، طلبي لم يصل 📦 — שלום! "
        "👩🏽\u200d💻👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 family plan & student deal? "
        "Zoë vs Zoe\u0308, e\u0301 ñ; "
        'x < y > z, &amp; stays "&amp;" → 1&2 '
        "\u200bzero\u200dwidth\u2060joiners \U0001f9d1\u200d\U0001f680 #ÇaVa"
    )
    assert post.lang == "ar"


# --- hostile and odd input that has no fixture of its own ---------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"a": "\xff"}', "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'"just a string"', "not a JSON object"),
        (b'{"hello": "world"}', "not an X API v2"),
        (b'{"data": "text"}', "not an object or a list"),
        (b'{"data": [{"id": "1", "text": "hi"}]}', "no author_id"),
        (b'{"for_user_id": "1354201776402341890", "tweet_create_events": {"id": 1}}', "not a list"),
        (
            b'{"for_user_id": "1354201776402341890", "tweet_create_events": [{"id_str": "5", "text": "x"}]}',
            "no user",
        ),
        (
            b'{"for_user_id": "1354201776402341890", '
            b'"direct_message_events": [{"type": "message_create", "id": "7"}]}',
            "no message_create",
        ),
        (b'{"for_user_id": "1354201776402341890", "tweet_delete_events": [{"nothing": true}]}', "no status"),
    ],
)
def test_malformed_payloads_raise_payload_errors(payload: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        X.parse(payload, BRAND)


def test_a_post_without_created_at_takes_its_time_from_the_snowflake_id() -> None:
    body = {"data": {"id": "2123691325784893907", "text": "hi", "author_id": ANA}}
    [post] = X.parse(json.dumps(body).encode(), BRAND)
    assert isinstance(post, InboundPost)
    assert post.created_at.replace(microsecond=0) == at("2026-11-20T08:14:03")


def test_extra_fields_nulls_and_unknown_references_are_tolerated() -> None:
    body = {
        "data": [
            {
                "id": "2123691325784893907",
                "text": "@AcmeHelp hi",
                "author_id": ANA,
                "created_at": "2026-11-20T08:14:03.000Z",
                "geo": None,
                "lang": None,
                "referenced_tweets": [{"type": "something_new", "id": "9"}],
                "edit_history_tweet_ids": None,
                "brand_new_field": {"x": 1},
            }
        ],
        "includes": {"users": None},
        "meta": None,
    }
    [post] = X.parse(json.dumps(body).encode(), BRAND)
    assert isinstance(post, InboundPost)
    assert (post.author_handle, post.geo, post.lang, post.in_reply_to) == (ANA, None, None, None)


def test_v1_created_at_is_read_whatever_the_locale() -> None:
    status = {
        "id_str": "1050118621198921728",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "text": "To make room for more expression, we will now count all emojis as equal",
        "user": {"id_str": "6253282", "screen_name": "TwitterAPI"},
    }
    [post] = X.parse(json.dumps(status).encode())
    assert isinstance(post, InboundPost)
    assert post.created_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)


def test_unescape_decodes_only_what_x_encodes_and_only_once() -> None:
    assert (
        unescape("a &amp; b &lt;c&gt; &amp;amp; &quot;q&quot; &#39;") == "a & b <c> &amp; &quot;q&quot; &#39;"
    )


def test_one_to_one_conversation_id_orders_the_ids_as_numbers() -> None:
    assert one_to_one("999", "1000") == "999-1000"  # as text "1000" < "999"
    assert one_to_one("1000", "999") == "999-1000"
    assert one_to_one("1", None) is None


def test_snowflake_time() -> None:
    assert snowflake_time("1212092628029698048") == datetime(2019, 12, 31, 19, 26, 16, 771000, tzinfo=UTC)
    assert snowflake_time("20") is None  # before snowflakes
    assert snowflake_time("abc") is None


def _mutations(doc: object, rnd: random.Random) -> object:
    """`doc` with fields dropped, replaced by odd values, or lists thinned, at random."""
    odd: list[object] = [
        None,
        True,
        0,
        -1,
        10**30,
        1.5,
        "",
        "x",
        "2026-13-45T99:99:99Z",
        [],
        [None],
        {},
        "9" * 40,
    ]
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            roll = rnd.random()
            if roll < 0.08:
                continue
            out[key] = rnd.choice(odd) if roll < 0.16 else _mutations(value, rnd)
        return out
    if isinstance(doc, list):
        return [_mutations(v, rnd) for v in doc if rnd.random() > 0.05]
    return doc


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "x").iterdir()))
def test_mangled_payloads_raise_nothing_but_payload_errors(name: str) -> None:
    rnd = random.Random(name)
    for payload in X.payloads(fixture("x", name)):
        try:
            doc = json.loads(payload)
        except ValueError:
            continue
        for _ in range(60):
            mangled = json.dumps(_mutations(doc, rnd)).encode()
            for account in (BRAND, None):
                with contextlib.suppress(PayloadError):
                    X.parse(mangled, account)


# --- the CLI ------------------------------------------------------------------------------------

EXPECTED_LINES = {
    "aaa__delete.json": 0,
    "aaa__dm.json": 1,
    "aaa__dm_sent.json": 1,
    "aaa__favorite.json": 0,
    "aaa__follow.json": 0,
    "aaa__mark_read.json": 0,
    "aaa__odd_unicode.json": 1,
    "aaa__reply.json": 1,
    "aaa__retweet.json": 0,
    "aaa__revoke.json": 0,
    "aaa__tampered.json": 1,
    "aaa__truncated.json": 1,  # its error
    "aaa__tweet_create.json": 1,
    "aaa__tweet_create_extended.json": 1,
    "aaa__typing.json": 0,
    "aaa__unknown_event.json": 0,
    "dm_events__page.json": 3,
    "errors__not_found.json": 1,
    "errors__rate_limit.json": 1,
    "mentions__edited.json": 2,
    "mentions__empty.json": 0,
    "mentions__long_note_tweet.json": 1,
    "mentions__page.json": 3,
    "mentions__partial_errors.json": 1,
    "search__recent.json": 3,
    "stream__disconnect.jsonl": 1,
    "stream__lines.jsonl": 2,
}
ERRORS = {
    "aaa__truncated.json",
    "errors__not_found.json",
    "errors__rate_limit.json",
    "stream__disconnect.jsonl",
}


def test_every_fixture_has_a_test() -> None:
    assert sorted(p.name for p in (FIXTURES / "x").iterdir()) == sorted(EXPECTED_LINES)


def test_channels_parse_over_every_fixture() -> None:
    files = sorted(str(p) for p in (FIXTURES / "x").iterdir())
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "x", *files])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_file: dict[str, int] = {}
    position = 0
    for name in sorted(EXPECTED_LINES):
        expected = EXPECTED_LINES[name]
        chunk = lines[position : position + expected]
        position += expected
        by_file[name] = len(chunk)
        if name in ERRORS:
            assert [set(line) for line in chunk] <= [{"file", "error"}, {"file", "error", "line"}], name
            assert all(line["file"].endswith(name) for line in chunk)
        else:
            assert all(line["network"] == "x" for line in chunk), name
            assert all(line["created_at"].endswith("Z") for line in chunk), name
    assert position == len(lines)
    first = next(line for line in lines if line.get("external_id") == "2123691325784893907")
    assert (
        first["text"]
        == '@AcmeHelp still can\'t pay with my card & the app says "try later" 😤 order #A-20931'
    )
    assert first["created_at"] == "2026-11-20T08:14:03Z"
    assert first["in_reply_to"] == "2123643007400196525"
    assert {"author_id", "author_handle", "private", "conversation_key"} <= set(first)


def test_channels_parse_prints_deletions_when_asked() -> None:
    path = str(FIXTURES / "x" / "aaa__delete.json")
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "twitter", "--deletions", path])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"deleted": "2123690570806578749", "network": "x"}
