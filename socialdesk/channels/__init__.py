"""The one list of networks SocialDesk knows. Everything else looks networks up here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialdesk.channels.base import Connector


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    label: str
    max_text_length: int | None  # None: the network sets no practical limit
    connector_path: str  # "module:attribute" of its connector, imported when first needed


NETWORKS: dict[str, Network] = {
    n.name: n
    for n in (
        Network("x", "X / Twitter", 280, "socialdesk.channels.x:CONNECTOR"),
        Network("facebook", "Facebook", 8000, "socialdesk.channels.meta:FACEBOOK"),
        Network("instagram", "Instagram", 2200, "socialdesk.channels.meta:INSTAGRAM"),
        Network("reddit", "Reddit", 10000, "socialdesk.channels.reddit:CONNECTOR"),
        Network("mastodon", "Mastodon", 500, "socialdesk.channels.mastodon:CONNECTOR"),
        Network("bluesky", "Bluesky", 300, "socialdesk.channels.bluesky:CONNECTOR"),
        Network("email", "E-mail", None, "socialdesk.channels.email:CONNECTOR"),
        Network("socialdesk", "Private page", None, "socialdesk.channels.private_page:CONNECTOR"),
    )
}

# Other names people use for a network (`socialdesk channels parse --network twitter`).
ALIASES = {"twitter": "x", "fb": "facebook", "ig": "instagram", "mail": "email", "bsky": "bluesky"}


def network(name: str) -> Network:
    """Return the network called `name`; KeyError for a name SocialDesk does not know."""
    return NETWORKS[ALIASES.get(name, name)]


def connector(name: str) -> Connector:
    """The connector of network `name` (KeyError for an unknown network)."""
    module_name, _, attribute = network(name).connector_path.partition(":")
    found: Connector = getattr(importlib.import_module(module_name), attribute)
    return found
