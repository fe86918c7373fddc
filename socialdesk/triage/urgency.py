"""Urgency: how soon a post should be answered, in [0, 1].

It combines what the models say (how negative, how likely a complaint, how severe: from no reproach to
blame) with signals a support lead would flag on sight (stranded, cancelled, no water, a medical need,
fraud) and the author's reach (a complaint seen by a million followers is a small crisis). The weights
of the model outputs are fitted on complaints-severity (`socialdesk triage train`); the signal and reach
shares are set by hand, because no public data set labels them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Phrases that make a post urgent whatever its tone, in the languages support teams meet most.
_SIGNALS = re.compile(
    r"\b(?:"
    r"stranded|stuck (?:at|in|on)|left behind|cancel+ed"
    r"|no (?:water|power|electricity|heating|heat|gas|signal)"
    r"|(?:power|internet|water) (?:is )?(?:out|down)|outage|emergenc\w*|urgent\w*|asap|immediately|right now"
    r"|hospital|ambulance|medical|medication|medicine|insulin|inhaler|epipen|allerg\w+|wheelchair|pregnan\w+"
    r"|baby|infant|toddler|my (?:kids|children|son|daughter)|alone|elderly|disabled|funeral"
    r"|fraud\w*|scam\w*|hack(?:ed|er)|stolen|unauthori[sz]ed|identity theft|phishing"
    r"|lost (?:my )?passport|missed (?:my |the )?(?:flight|connection)|overnight|no hotel"
    r"|sleeping (?:at|in) the"
    r"|unsafe|danger\w*|injur\w+|fire|smoke|gas leak|flood\w*|evacuat\w+|police"
    r"|varad[oa]s?|cancelad[oa]s?|urgente|emergencia|hospital|robad[oa]|estafa"
    r"|gestrandet|storniert|annulliert|dringend|notfall|krankenhaus|betrug"
    r"|bloqu[ée]+s?|annul[ée]+s?|urgence|hôpital|arnaque|vol[ée]? annul"
    r"|gestrand|geannuleerd|spoed|noodgeval"
    r")\b",
    re.IGNORECASE,
)
# The same pattern without IGNORECASE, for lowercased ASCII posts (most of them): a case-insensitive
# literal costs sre a case fold at every character it tries, and the alternatives that cannot start
# with the character at hand are skipped only when their first literal is compared as is. On ASCII,
# lowercasing keeps every position, and no ASCII character folds onto a non-ASCII letter of the
# pattern (the "K" of Kelvin, long "s" and their like are not ASCII), so both find the same matches.
_LOWER_SIGNALS = re.compile(_SIGNALS.pattern)
SIGNAL_CHANCE = 0.45  # each distinct signal (at most two) is taken as a 45 % chance the post is urgent
REACH_CHANCE = 0.3  # an author with ten million followers adds 30 %, scaled by log10 of the followers


@dataclass(frozen=True)
class UrgencyWeights:
    """Logistic weights over the model outputs, fitted at training time."""

    bias: float
    severity: float
    complaint: float
    negative: float


def signals(text: str) -> int:
    """How many distinct urgency phrases the text contains."""
    if text.isascii():
        return len({m.group(0) for m in _LOWER_SIGNALS.finditer(text.lower())})
    return len({m.group(0).lower() for m in _SIGNALS.finditer(text)})


def urgency(
    weights: UrgencyWeights,
    severity: float,
    complaint: float,
    negative: float,
    signal_count: int,
    followers: int | None = None,
) -> float:
    """Combine the parts into one score in [0, 1]. `severity` is 0..4; the others are probabilities.

    The model part is the fitted probability of a severe (accusing or blaming) complaint; signals and
    reach are further independent reasons to hurry, combined with it as a noisy OR: a stranded family
    is urgent even when it writes politely.
    """
    logit = (
        weights.bias
        + weights.severity * severity
        + weights.complaint * complaint
        + weights.negative * negative
    )
    calm = 1.0 / (1.0 + math.exp(logit))  # 1 - P(severe complaint)
    calm *= (1.0 - SIGNAL_CHANCE) ** min(signal_count, 2)
    if followers:
        calm *= 1.0 - REACH_CHANCE * min(math.log10(followers + 1) / 7.0, 1.0)
    return 1.0 - calm
