"""The one list of networks SocialDesk knows. Everything else looks networks up here."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    label: str
    max_text_length: int | None  # None: the network sets no practical limit


NETWORKS: dict[str, Network] = {
    n.name: n
    for n in (
        Network("x", "X / Twitter", 280),
        Network("facebook", "Facebook", 8000),
        Network("instagram", "Instagram", 2200),
        Network("reddit", "Reddit", 10000),
        Network("mastodon", "Mastodon", 500),
        Network("bluesky", "Bluesky", 300),
        Network("email", "E-mail", None),
    )
}


def network(name: str) -> Network:
    """Return the network called `name`; KeyError for a name SocialDesk does not know."""
    return NETWORKS[name]
