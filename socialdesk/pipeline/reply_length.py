"""How long a reply is by a network's own count, and whether it fits that network's limit.

The same measure `case_actions.record_reply` refuses an over-long reply with, so that a macro or a
trainee's draft flagged as fitting here is never refused at send time, and the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.base import Measuring


@dataclass(frozen=True, slots=True)
class Fit:
    network: str
    label: str
    length: int
    limit: int | None  # None: the network sets no practical limit
    private: bool

    @property
    def fits(self) -> bool:
        return self.limit is None or self.length <= self.limit

    @property
    def problem(self) -> str | None:
        """One sentence for the agent when the text is too long, else None."""
        if self.fits:
            return None
        kind = "a private message" if self.private else "a post"
        return f"{self.label} allows {self.limit} characters in {kind}; this text has {self.length}"


def measure(network: str, text: str, *, private: bool = False) -> Fit:
    """`text` measured as `network` counts it. An unknown network counts code points, without a limit."""
    known = NETWORKS.get(network)
    if known is None:
        return Fit(network, network, len(text), None, private)
    speaker = connector(known.name)
    limit = speaker.limits.max_private_text if private else speaker.limits.max_text
    length = speaker.text_length(text) if isinstance(speaker, Measuring) else len(text)
    return Fit(known.name, known.label, length, limit, private)


def measure_everywhere(text: str) -> list[Fit]:
    """`text` measured as a public post on every network SocialDesk knows, in the registry's order."""
    return [measure(name, text) for name in NETWORKS]
