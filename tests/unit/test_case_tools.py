"""Macro variables and rendering, per-network length checks, and @mention parsing: pure functions."""

from __future__ import annotations

import pytest

from socialdesk.core.errors import InvalidAction
from socialdesk.pipeline import macro_text
from socialdesk.pipeline.notes import mentioned_handles
from socialdesk.pipeline.reply_length import measure, measure_everywhere
from socialdesk.store.repos.mentions import handles_of

FACTS = macro_text.CaseFacts(
    case_id=42,
    customer_name="Ana Ribeiro",
    customer_handle="@ana_lisboa",
    agent_name="Jordan Lee",
    brand="Skylark Air",
    channel_handle="SkylarkAir",
    network_label="X / Twitter",
)


def test_every_variable_is_filled_in_from_the_case() -> None:
    body = " | ".join("{{" + name + "}}" for name in macro_text.VARIABLES)
    macro_text.check(body)
    assert macro_text.fill(body, macro_text.values_for(FACTS)) == (
        "Ana Ribeiro | Ana | ana_lisboa | Jordan Lee | Jordan | Skylark Air | 42 | SkylarkAir | X / Twitter"
    )


def test_spaces_inside_the_braces_are_allowed() -> None:
    macro_text.check("Hi {{ customer.first_name }}!")
    assert macro_text.fill("Hi {{ customer.first_name }}!", macro_text.values_for(FACTS)) == "Hi Ana!"


def test_an_unknown_variable_is_refused_on_save_naming_it_and_the_known_ones() -> None:
    with pytest.raises(InvalidAction) as caught:
        macro_text.check("Hi {{customer.email}}, about {{case.id}} and {{ order.number }}")
    message = str(caught.value)
    assert "unknown variable {{customer.email}}, {{order.number}}" in message
    assert "{{customer.name}}" in message  # tells the author what they can use


@pytest.mark.parametrize("body", ["Hi {{customer.name", "Hi customer.name}}", "{{ {{brand}} }}"])
def test_unbalanced_braces_are_refused(body: str) -> None:
    with pytest.raises(InvalidAction):
        macro_text.check(body)


def test_an_expression_is_not_evaluated_but_refused() -> None:
    with pytest.raises(InvalidAction, match="unknown variable"):
        macro_text.check("{{ customer.name.__class__ }}")
    with pytest.raises(InvalidAction, match="unknown variable"):
        macro_text.check("{{ 7*7 }}")


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(InvalidAction, match="needs a body"):
        macro_text.check("   ")


def test_values_have_readable_stand_ins_when_the_case_lacks_a_fact() -> None:
    values = macro_text.values_for(macro_text.CaseFacts(7, None, None, "", "Skylark Air", None, "Bluesky"))
    assert values["customer.name"] == "there"
    assert values["customer.first_name"] == "there"
    assert values["agent.first_name"] == "the"  # "the team"
    assert values["channel.handle"] == "Skylark Air"
    no_name = macro_text.values_for(macro_text.CaseFacts(7, "  ", "lea_mrtn", "Jo", "B", "b", "X"))
    assert no_name["customer.name"] == "lea_mrtn"


def test_values_are_inserted_as_plain_text() -> None:
    hostile = macro_text.CaseFacts(1, "{{brand}} <script>", "x", "A", "Brand", None, "X")
    # A customer's name that looks like a variable stays what it is: substitution runs once.
    assert macro_text.fill("Hi {{customer.name}}", macro_text.values_for(hostile)) == "Hi {{brand}} <script>"


def test_length_is_measured_as_each_network_counts_it() -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points
    assert measure("x", family).length == len(family)  # X's connector counts code points here
    assert measure("bluesky", family).length == 1
    assert measure("mastodon", "see https://example.com/a/very/long/path/that/is/long").length == 4 + 23
    assert measure("email", "x" * 50_000).fits


def test_a_macro_too_long_for_x_is_flagged_but_fits_elsewhere() -> None:
    text = "a" * 290
    x = measure("x", text)
    assert not x.fits
    assert x.problem == "X / Twitter allows 280 characters in a post; this text has 290"
    fits = {f.network: f.fits for f in measure_everywhere(text)}
    assert fits["x"] is False
    assert fits["bluesky"] is True
    assert fits["facebook"] is True


def test_private_messages_use_the_private_limit() -> None:
    private = measure("instagram", "a" * 1500, private=True)
    assert private.limit == 1000
    assert not private.fits
    assert "a private message" in (private.problem or "")
    assert measure("instagram", "a" * 1500).fits


def test_the_sample_uses_typical_values() -> None:
    assert macro_text.sample("Hi {{customer.first_name}}") == "Hi Alexandra"


def test_mentions_are_found_once_lower_cased_without_a_final_dot() -> None:
    body = "@Tom can you check? cc @priya.shah. Also @tom again, and (@li-wei)"
    assert mentioned_handles(body) == ["tom", "priya.shah", "li-wei"]


def test_an_email_address_or_a_double_at_is_not_a_mention() -> None:
    assert mentioned_handles("write to ana@example.com or @@ops, @") == []


def test_agents_answer_to_their_email_local_part_and_dotted_name() -> None:
    assert handles_of("Tom Reyes", "Tom@skylark-air.example") == {"tom", "tom.reyes"}
    assert handles_of("Zoë O'Neil", "zoe@x.example") == {"zoe", "zoë.o.neil"}
