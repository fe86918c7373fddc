"""Meta's webhook bodies and Graph API pages, as recorded in tests/fixtures/meta, into posts.

One test per fixture, then `socialdesk channels parse` over all of them: one JSON line per post, an
error line for what is not Meta's format, nothing for events without a post, never a traceback.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialdesk.channels import connector
from socialdesk.channels.base import Account, Connector
from socialdesk.channels.meta import FACEBOOK, INSTAGRAM
from socialdesk.cli import cli
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion
from tests.channels import FIXTURES, fixture, only_posts

PAGE = "104887671234567"
POST = f"{PAGE}_122148853012345678"
COMMENT = "122148853012345678_1187465523409876"
PSID = "6651827394021873"
IG = "17841463572018834"
MEDIA = "18034567891234567"
IG_COMMENT = "17998765432109876"
IGSID = "1093847561029384"
PAGE_ACCOUNT = Account(handle="AcmeAir", external_id=PAGE)
IG_ACCOUNT = Account(handle="acmeair", external_id=IG)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def parse(name: str, account: Account | None = None, network: Connector = FACEBOOK) -> list[InboundEvent]:
    return network.parse(fixture("meta", name), account)


def posts(name: str, account: Account | None = None, network: Connector = FACEBOOK) -> list[InboundPost]:
    return only_posts(parse(name, account, network))


def one(name: str, account: Account | None = None, network: Connector = FACEBOOK) -> InboundPost:
    found = posts(name, account, network)
    assert len(found) == 1
    return found[0]


def test_the_registry_names_both_connectors_here() -> None:
    assert connector("facebook") is FACEBOOK
    assert connector("instagram") is INSTAGRAM
    assert connector("fb") is FACEBOOK


# -- Page feed ---------------------------------------------------------------------------------------


def test_a_top_level_comment_answers_the_page_post() -> None:
    post = one("page_feed__comment_add.json", PAGE_ACCOUNT)
    assert post.network == "facebook"
    assert post.external_id == COMMENT
    assert post.direction is Direction.INBOUND
    assert (post.author_id, post.author_handle, post.author_name) == (
        "7306214589021467",
        "Mariana Souza",
        "Mariana Souza",
    )
    assert post.text.startswith("My flight LH 441 from Frankfurt was cancelled")
    assert post.text.endswith("Booking ref QX7P2M.")
    assert post.created_at == at("2026-11-20T09:14:27")
    assert post.in_reply_to == POST
    assert post.conversation_key == POST
    assert post.channel == "AcmeAir"
    assert not post.private
    assert post.edited_at is None
    assert post.raw is not None
    assert post.raw["field"] == "feed"


def test_a_reply_answers_the_comment_it_is_under() -> None:
    post = one("page_feed__reply.json")
    assert post.in_reply_to == COMMENT
    assert post.conversation_key == POST
    assert (
        post.text == "Same here, stuck in FRA since 6am 😩 @Mariana Souza did they give you a hotel voucher?"
    )
    assert post.channel is None  # no account given: the brand's handle is unknown


def test_an_edited_comment_is_the_comment_again_with_the_time_of_the_edit() -> None:
    post = one("page_feed__edited.json")
    assert post.external_id == COMMENT
    assert post.created_at == at("2026-11-20T09:14:27")
    assert post.edited_at == at("2026-11-20T09:25:02")
    assert post.text.endswith("UPDATE: still no answer after 2 hours.")


def test_a_removed_comment_is_a_deletion() -> None:
    assert parse("page_feed__remove.json") == [
        PostDeletion("facebook", COMMENT, datetime.fromtimestamp(1795170001, UTC))
    ]


@pytest.mark.parametrize("name", ["page_feed__reaction.json", "page_feed__hide.json"])
def test_reactions_and_hides_carry_no_post(name: str) -> None:
    assert parse(name) == []


def test_a_visitor_post_in_the_older_sender_form_is_a_post_of_its_own() -> None:
    post = one("page_feed__visitor_post.json")
    assert post.external_id == f"{PAGE}_122148861234567890"
    assert (post.author_id, post.author_handle) == ("7598123467201934", "Jonas Weber")  # a bare number id
    assert post.in_reply_to is None
    assert post.conversation_key == post.external_id
    assert post.created_at == at("2026-11-20T10:49:59")


def test_the_pages_own_reply_is_outbound_and_filed_under_the_channel() -> None:
    post = one("page_feed__page_reply.json", PAGE_ACCOUNT)
    assert post.direction is Direction.OUTBOUND
    assert (post.author_id, post.author_handle) == (PAGE, "AcmeAir")
    assert post.created_at == at("2026-11-20T09:35:01")  # an ISO 8601 created_time
    assert post.in_reply_to == COMMENT


def test_without_an_account_the_entry_id_still_tells_the_page_own_reply() -> None:
    assert one("page_feed__page_reply.json").direction is Direction.OUTBOUND


def test_a_customer_named_like_the_brand_is_still_a_customer() -> None:
    body = json.loads(fixture("meta", "page_feed__comment_add.json"))
    body["entry"][0]["changes"][0]["value"]["from"]["name"] = "AcmeAir"
    [post] = FACEBOOK.parse(json.dumps(body).encode(), PAGE_ACCOUNT)
    assert isinstance(post, InboundPost)
    assert post.direction is Direction.INBOUND


def test_an_update_about_another_page_of_the_same_app_is_not_filed_under_this_channel() -> None:
    other_page = Account(handle="AcmeAirCargo", external_id="109999999999999")
    post = one("page_feed__comment_add.json", other_page)
    assert post.channel is None
    assert post.direction is Direction.INBOUND
    assert one("page_feed__page_reply.json", other_page).direction is Direction.OUTBOUND  # by the entry id
    assert one("instagram__comment.json", PAGE_ACCOUNT).channel is None  # an Instagram account's update


# -- Messenger ---------------------------------------------------------------------------------------


def test_a_messenger_message_is_private_in_the_customers_thread_with_the_page() -> None:
    post = one("messenger__message.json", PAGE_ACCOUNT)
    assert post.network == "facebook"
    assert post.external_id.startswith("m_Jq8bV3nX")
    assert post.direction is Direction.INBOUND
    assert (post.author_id, post.author_handle) == (PSID, PSID)
    assert (
        post.text
        == "Hi, I still haven't received the refund for booking QX7P2M (EUR 349.90). It's been 3 weeks!"
    )
    assert post.created_at == datetime.fromtimestamp(1795166125.214, UTC)  # milliseconds
    assert post.private
    assert post.conversation_key == f"{PAGE}:{PSID}"
    assert post.in_reply_to is None


def test_an_echo_is_the_pages_own_message_to_the_customer() -> None:
    post = one("messenger__echo.json", PAGE_ACCOUNT)
    assert post.direction is Direction.OUTBOUND
    assert (post.author_id, post.author_handle) == (PAGE, "AcmeAir")
    assert post.conversation_key == f"{PAGE}:{PSID}"
    assert "5\u20137 working days" in post.text


@pytest.mark.parametrize("name", ["messenger__delivery_read.json", "messenger__other_events.json"])
def test_receipts_reactions_postbacks_and_optins_carry_no_post(name: str) -> None:
    assert parse(name) == []


def test_a_photo_without_text_is_a_message_with_empty_text() -> None:
    post = one("messenger__attachment_only.json")
    assert post.text == ""
    assert post.raw is not None
    assert post.raw["message"]["attachments"][0]["type"] == "image"


def test_an_edited_message_is_the_message_again() -> None:
    post = one("messenger__edit.json")
    assert post.external_id == one("messenger__message.json").external_id
    assert "EUR 394.90" in post.text
    assert post.edited_at == datetime.fromtimestamp(1795166189.950, UTC)


def test_a_message_in_standby_is_still_the_customers_message() -> None:
    post = one("messenger__standby.json")
    assert post.text == "Is anyone there? The bot keeps sending me the FAQ link."
    assert post.direction is Direction.INBOUND


# -- Instagram ---------------------------------------------------------------------------------------


def test_an_instagram_comment_answers_the_media() -> None:
    post = one("instagram__comment.json", IG_ACCOUNT, INSTAGRAM)
    assert post.network == "instagram"
    assert post.external_id == IG_COMMENT
    assert (post.author_id, post.author_handle, post.author_name) == (IGSID, "joana.travels", None)
    assert post.in_reply_to == MEDIA
    assert post.conversation_key == MEDIA
    assert post.created_at == at("2026-11-20T11:50:11")  # the webhook's only time is the entry's
    assert post.text.endswith("Which one is it ✈️❓")
    assert post.channel == "acmeair"


def test_an_instagram_reply_answers_its_parent_comment() -> None:
    post = one("instagram__comment_reply.json")
    assert post.in_reply_to == IG_COMMENT
    assert post.conversation_key == MEDIA


def test_a_live_comment_is_a_comment_on_the_live_media() -> None:
    post = one("instagram__live_comment.json")
    assert (post.external_id, post.in_reply_to) == ("18023456789012345", "18056789012345678")


def test_a_mention_holds_no_text_and_so_no_post() -> None:
    assert parse("instagram__mention.json") == []


def test_an_instagram_dm_threads_by_account_and_customer() -> None:
    post = one("instagram__dm.json", IG_ACCOUNT, INSTAGRAM)
    assert post.network == "instagram"
    assert post.private
    assert post.conversation_key == f"{IG}:{IGSID}"
    assert post.author_id == IGSID
    assert post.created_at == datetime.fromtimestamp(1795176302.007, UTC)


def test_an_instagram_echo_is_outbound() -> None:
    post = one("instagram__dm_echo.json", IG_ACCOUNT)
    assert post.direction is Direction.OUTBOUND
    assert (post.author_id, post.author_handle) == (IG, "acmeair")
    assert post.conversation_key == f"{IG}:{IGSID}"


def test_an_unsent_instagram_dm_is_a_deletion() -> None:
    [event] = parse("instagram__dm_deleted.json")
    assert isinstance(event, PostDeletion)
    assert event.network == "instagram"
    assert event.external_id == one("instagram__dm.json").external_id


def test_instagram_seen_receipts_reactions_and_postbacks_carry_no_post() -> None:
    assert parse("instagram__other_events.json") == []


# -- Graph API pages (what polling reads) --------------------------------------------------------------


def test_a_feed_page_gives_the_posts_and_their_comments_like_the_webhooks() -> None:
    found = posts("graph__page_feed_comments.json")
    by_id = {p.external_id: p for p in found}
    assert len(found) == 5
    assert by_id[POST].direction is Direction.OUTBOUND  # the Page's own post, known from its id
    comment = by_id[COMMENT]
    webhook = one("page_feed__comment_add.json")
    for field in ("text", "created_at", "in_reply_to", "conversation_key", "author_id", "author_handle"):
        assert getattr(comment, field) == getattr(webhook, field), field
    reply = by_id["122148853012345678_1532087765411230"]
    assert reply.in_reply_to == COMMENT
    assert by_id["122148853012345678_1609912345678123"].direction is Direction.OUTBOUND


def test_a_conversations_page_gives_the_same_messages_as_the_webhooks() -> None:
    found = posts("graph__conversations.json")
    assert len(found) == 3
    message = next(p for p in found if p.external_id == one("messenger__message.json").external_id)
    assert message.conversation_key == f"{PAGE}:{PSID}"
    assert message.direction is Direction.INBOUND
    echo = next(p for p in found if p.direction is Direction.OUTBOUND)
    assert echo.external_id == one("messenger__echo.json").external_id
    assert echo.conversation_key == f"{PAGE}:{PSID}"
    assert {p.network for p in found} == {"facebook"}


def test_an_instagram_media_page_gives_comments_and_replies() -> None:
    found = posts("graph__ig_media_comments.json")
    assert [p.external_id for p in found] == [IG_COMMENT, "18012345678901234", "18012345678909999"]
    assert found[0].in_reply_to == MEDIA
    assert found[1].in_reply_to == IG_COMMENT
    assert found[2].direction is Direction.OUTBOUND
    assert found[2].author_handle == "acmeair"
    assert {p.channel for p in found} == {"acmeair"}  # the media's username names the account


def test_an_instagram_conversations_page_is_told_from_messenger_by_usernames() -> None:
    found = posts("graph__ig_conversations.json")
    assert {p.network for p in found} == {"instagram"}
    assert {p.conversation_key for p in found} == {f"{IG}:{IGSID}", f"{IG}:1330291847561029"}
    assert sum(p.direction is Direction.OUTBOUND for p in found) == 1


def test_a_conversations_page_of_one_conversation_needs_the_account() -> None:
    body = json.loads(fixture("meta", "graph__conversations.json"))
    body["data"] = body["data"][:1]
    with pytest.raises(PayloadError, match="which participant"):
        FACEBOOK.parse(json.dumps(body).encode())
    assert len(FACEBOOK.parse(json.dumps(body).encode(), PAGE_ACCOUNT)) == 2


@pytest.mark.parametrize("name", ["graph__error_rate_limited.json", "graph__error_token_expired.json"])
def test_a_graph_api_error_body_is_not_a_page(name: str) -> None:
    with pytest.raises(PayloadError, match="Graph API error"):
        parse(name)


# -- whole bodies and hostile ones --------------------------------------------------------------------


def test_a_batched_body_gives_every_post_of_every_entry_in_order() -> None:
    found = posts("webhook__batched_entries.json")
    assert [p.external_id for p in found] == [
        "122148853012345678_1702938475610293",
        "122148853012345678_1810293847561029",
        "m_Bb1nM4qW7eR0tY3uI6oP9aS2dF5gH8jK1lZ4xC7vB0nM3qW6eR9tY2uI5oP8aS1dF4gH7jK0lZ3xC6vB9nM2qW5e",
    ]
    assert found[1].in_reply_to == found[0].external_id
    assert found[2].private
    assert found[2].text == "Can I bring my cat on board?"


def test_fields_and_items_socialdesk_does_not_read_are_skipped() -> None:
    assert parse("webhook__unknown_field.json") == []


def test_a_tampered_body_still_parses_its_signature_check_refuses_it() -> None:
    assert "acme-air-refund.example" in one("webhook__tampered.json").text


def test_odd_unicode_comes_through_exactly() -> None:
    post = one("webhook__odd_unicode.json")
    assert post.author_handle == "Zoë Ñúñez-Łukasik 🌸"
    assert "👨\u200d👩\u200d👧\u200d👦" in post.text
    assert "🇵🇹 👍🏽" in post.text
    assert "cafe\u0301 vs café" in post.text
    assert "zero\u200bwidth" in post.text
    assert "nbsp\u00a0here" in post.text
    assert "\U0002070e" in post.text  # outside the Basic Multilingual Plane
    assert "\U0001d400\U0001d41c\U0001d426\U0001d41e" in post.text  # mathematical bold letters
    assert "\u2028line separator <b>not html</b> &amp; literal" in post.text  # Meta does not escape
    assert "\n" in post.text
    assert "\t" in post.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("webhook__truncated.json", "not JSON"),
        ("webhook__form_encoded.json", "not JSON"),
        ("webhook__lone_surrogate.json", "lone UTF-16 surrogate"),
        ("webhook__unknown_object.json", "whatsapp_business_account"),
        ("webhook__wrong_shape.json", "entry is missing or not a list"),
        ("webhook__comment_without_id.json", "comment_id is missing"),
    ],
)
def test_payloads_not_in_metas_format_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        parse(name)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"page"',
        b'{"object": "page", "entry": [42]}',
        b'{"object": "page", "entry": [{"time": 1}]}',
        b'{"object": "page", "entry": [{"id": true}]}',
        b'{"object": "page", "entry": [{"id": "1", "changes": {"field": "feed"}}]}',
        b'{"object": "page", "entry": [{"id": "1", "changes": [{"field": "feed", "value": []}]}]}',
        b'{"object": "page", "entry": [{"id": "1", "changes": [{"field": "feed", "value": {"item": "comment",'
        b' "verb": "add", "comment_id": "1_2", "post_id": "1_3", "created_time": "soon"}}]}]}',
        b'{"object": "page", "entry": [{"id": "1", "changes": [{"field": "feed", "value": {"item": "comment",'
        b' "verb": "add", "comment_id": "1_2", "post_id": "1_3", "created_time": 1e300}}]}]}',
        b'{"object": "page", "entry": [{"id": "1", "messaging": [{"message": {"mid": "m_1",'
        b' "text": "hi"}}]}]}',
        b'{"object": "page", "entry": [{"id": "1", "messaging": [{"sender": {"id": "2"},'
        b' "recipient": {"id": "1"}, "timestamp": 1795166125214, "message": {"mid": "m_1", "text": 5}}]}]}',
        b'{"object": "instagram", "entry": [{"id": "1", "changes": [{"field": "comments",'
        b' "value": {"id": "9", "text": "hi"}}]}]}',
        b'{"data": [{"id": "x"}]}',
        b'{"data": [{"id": "1_2", "created_time": "2026-11-20T09:00:00+0000", "comments": {"data": [{}]}}]}',
        b"\xff\xfe not utf-8",
    ],
)
def test_malformed_payloads_raise_payload_errors_only(body: bytes) -> None:
    for network in (FACEBOOK, INSTAGRAM):
        with pytest.raises(PayloadError):
            network.parse(body, PAGE_ACCOUNT)


def test_optional_fields_may_be_absent_or_null() -> None:
    body = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1795166068,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": COMMENT,
                            "post_id": POST,
                            "parent_id": None,
                            "message": None,
                            "photo": "https://scontent.xx.fbcdn.net/v/photo.jpg",
                        },
                    }
                ],
                "messaging": None,
            }
        ],
    }
    [post] = FACEBOOK.parse(json.dumps(body).encode())
    assert isinstance(post, InboundPost)
    assert post.text == ""
    assert post.created_at == datetime.fromtimestamp(1795166068, UTC)  # the entry's time
    assert post.in_reply_to == POST
    assert post.author_id == f"unknown:{COMMENT}"  # Meta named nobody: an identity of its own


def test_both_connectors_read_both_objects() -> None:
    for network in (FACEBOOK, INSTAGRAM):
        assert one("page_feed__comment_add.json", network=network).network == "facebook"
        assert one("instagram__comment.json", network=network).network == "instagram"


def test_several_saved_bodies_split_one_per_line_and_a_broken_document_stays_whole() -> None:
    chunks = FACEBOOK.payloads(fixture("meta", "webhook__several_bodies.json"))
    assert len(chunks) == 2
    assert [FACEBOOK.parse(c)[0].network for c in chunks] == ["facebook", "instagram"]
    assert FACEBOOK.payloads(fixture("meta", "webhook__truncated.json")) == [
        fixture("meta", "webhook__truncated.json")
    ]
    assert FACEBOOK.payloads(fixture("meta", "page_feed__comment_add.json")) == [
        fixture("meta", "page_feed__comment_add.json")
    ]


# -- the command line ---------------------------------------------------------------------------------

# fixture -> (post lines, error lines) that `channels parse --network meta` prints for it
EXPECTED_LINES = {
    "graph__conversations.json": (3, 0),
    "graph__error_rate_limited.json": (0, 1),
    "graph__error_token_expired.json": (0, 1),
    "graph__ig_conversations.json": (3, 0),
    "graph__ig_media_comments.json": (3, 0),
    "graph__page_feed_comments.json": (5, 0),
    "instagram__comment.json": (1, 0),
    "instagram__comment_reply.json": (1, 0),
    "instagram__dm.json": (1, 0),
    "instagram__dm_deleted.json": (0, 0),
    "instagram__dm_echo.json": (1, 0),
    "instagram__live_comment.json": (1, 0),
    "instagram__mention.json": (0, 0),
    "instagram__other_events.json": (0, 0),
    "messenger__attachment_only.json": (1, 0),
    "messenger__delivery_read.json": (0, 0),
    "messenger__echo.json": (1, 0),
    "messenger__edit.json": (1, 0),
    "messenger__message.json": (1, 0),
    "messenger__other_events.json": (0, 0),
    "messenger__standby.json": (1, 0),
    "page_feed__comment_add.json": (1, 0),
    "page_feed__edited.json": (1, 0),
    "page_feed__hide.json": (0, 0),
    "page_feed__page_reply.json": (1, 0),
    "page_feed__reaction.json": (0, 0),
    "page_feed__remove.json": (0, 0),
    "page_feed__reply.json": (1, 0),
    "page_feed__visitor_post.json": (1, 0),
    "webhook__batched_entries.json": (3, 0),
    "webhook__comment_without_id.json": (0, 1),
    "webhook__form_encoded.json": (0, 1),
    "webhook__lone_surrogate.json": (0, 1),
    "webhook__odd_unicode.json": (1, 0),
    "webhook__several_bodies.json": (2, 0),
    "webhook__tampered.json": (1, 0),
    "webhook__truncated.json": (0, 1),
    "webhook__unknown_field.json": (0, 0),
    "webhook__unknown_object.json": (0, 1),
    "webhook__wrong_shape.json": (0, 1),
}
RECORD_FIELDS = {
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


def test_every_fixture_has_its_expected_lines() -> None:
    assert sorted(p.name for p in (FIXTURES / "meta").iterdir()) == sorted(EXPECTED_LINES)


@pytest.mark.parametrize("network", ["meta", "facebook", "instagram"])
def test_channels_parse_prints_a_line_per_post_and_an_error_line_per_bad_payload(network: str) -> None:
    paths = sorted((FIXTURES / "meta").iterdir())
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", network, *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    counts = {p.name: [0, 0] for p in paths}
    # Split on newlines only: a text may hold U+2028, which str.splitlines() also breaks at.
    for line in result.output.rstrip("\n").split("\n"):
        record = json.loads(line)
        if "error" in record:
            assert "parser failed" not in record["error"], record  # a bug, not a refusal
            counts[Path(record["file"]).name][1] += 1
            continue
        assert set(record) >= RECORD_FIELDS
        assert record["created_at"].endswith("Z")
        match = [p.name for p in paths if record["external_id"].encode() in p.read_bytes()]
        assert match, record
    assert sum(c[1] for c in counts.values()) == sum(e for _, e in EXPECTED_LINES.values())
    for name, (_, errors) in EXPECTED_LINES.items():
        assert counts[name][1] == errors, name


@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_channels_parse_prints_the_expected_posts_for_each_fixture(name: str) -> None:
    result = CliRunner().invoke(
        cli, ["channels", "parse", "--network", "meta", str(FIXTURES / "meta" / name)]
    )
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.rstrip("\n").split("\n") if line]
    assert (sum("error" not in r for r in records), sum("error" in r for r in records)) == EXPECTED_LINES[
        name
    ]
    expected = [
        (p.external_id, p.network, p.text, p.created_at.isoformat().replace("+00:00", "Z"))
        for chunk in FACEBOOK.payloads(fixture("meta", name))
        for p in _posts_or_nothing(chunk)
    ]
    printed = [
        (r["external_id"], r["network"], r["text"], r["created_at"]) for r in records if "error" not in r
    ]
    assert printed == expected


def _posts_or_nothing(payload: bytes) -> list[InboundPost]:
    try:
        return [e for e in FACEBOOK.parse(payload) if isinstance(e, InboundPost)]
    except PayloadError:
        return []


def test_an_edit_that_brings_no_text_leaves_the_stored_text_alone() -> None:
    body = json.loads(fixture("meta", "page_feed__edited.json"))
    del body["entry"][0]["changes"][0]["value"]["message"]
    assert FACEBOOK.parse(json.dumps(body).encode()) == []
    edit = json.loads(fixture("meta", "messenger__edit.json"))
    del edit["entry"][0]["messaging"][0]["message_edit"]["text"]
    assert FACEBOOK.parse(json.dumps(edit).encode()) == []
