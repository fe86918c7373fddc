"""A macro's body: `{{variable}}` placeholders, checked when the macro is saved and filled in per case.

Filling in is plain substitution of known names: no expressions, no attribute access, nothing a
macro author can make run. An unknown name is refused when the macro is saved, so a macro that was
saved always renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from socialdesk.core.errors import InvalidAction

# name -> what it stands for (shown on the Macros page) and a typical value for length checks.
VARIABLES: dict[str, tuple[str, str]] = {
    "customer.name": (
        "the customer's name (their handle when the network gives no name)",
        "Alexandra Moreno",
    ),
    "customer.first_name": ("the first word of the customer's name", "Alexandra"),
    "customer.handle": ("the customer's handle on the case's network, without @", "alexandra_moreno"),
    "agent.name": ("the name of the agent who sends the reply", "Jordan Lee"),
    "agent.first_name": ("the first word of the agent's name", "Jordan"),
    "brand": ("the workspace's (brand's) name", "Skylark Air"),
    "case.id": ("the case number", "12345"),
    "channel.handle": ("the brand's own handle the case came in on", "SkylarkAir"),
    "network": ("the case's network, as people call it", "X / Twitter"),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
MAX_BODY = 10_000


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a macro may say about the case it answers; every value is plain text."""

    case_id: int
    customer_name: str | None
    customer_handle: str | None
    agent_name: str
    brand: str
    channel_handle: str | None
    network_label: str


def check(body: str) -> None:
    """Raise InvalidAction, naming the problem, unless every placeholder in `body` is a known variable."""
    if not body.strip():
        raise InvalidAction("a macro needs a body")
    if len(body) > MAX_BODY:
        raise InvalidAction(f"a macro's body has at most {MAX_BODY} characters")
    unknown = [name for name in _PLACEHOLDER.findall(body) if name not in VARIABLES]
    if unknown:
        names = ", ".join(dict.fromkeys("{{" + name + "}}" for name in unknown))
        known = ", ".join("{{" + name + "}}" for name in VARIABLES)
        raise InvalidAction(f"unknown variable {names}; a macro can use {known}")
    rest = _PLACEHOLDER.sub("", body)
    if "{{" in rest or "}}" in rest:
        raise InvalidAction("a '{{' without its '}}' (or the reverse): write variables as {{customer.name}}")


def fill(body: str, values: Mapping[str, str]) -> str:
    """`body` with each placeholder replaced by its value (call `check` first: unknown names stay)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def values_for(facts: CaseFacts) -> dict[str, str]:
    """The variables' values for one case and agent, with a readable stand-in where a fact is unknown."""
    customer = (facts.customer_name or "").strip() or (facts.customer_handle or "").strip() or "there"
    agent = facts.agent_name.strip() or "the team"
    return {
        "customer.name": customer,
        "customer.first_name": customer.split()[0],
        "customer.handle": (facts.customer_handle or "").lstrip("@"),
        "agent.name": agent,
        "agent.first_name": agent.split()[0],
        "brand": facts.brand,
        "case.id": str(facts.case_id),
        "channel.handle": (facts.channel_handle or facts.brand).lstrip("@"),
        "network": facts.network_label,
    }


def sample(body: str) -> str:
    """`body` filled with typical values: how long it will usually be once sent."""
    return fill(body, {name: example for name, (_, example) in VARIABLES.items()})
