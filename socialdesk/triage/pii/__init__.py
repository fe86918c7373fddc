"""Personal data (PII) in customer posts: find it, and replace it before text is logged or exported.

Customers paste e-mail addresses, phone numbers, card numbers, IBANs and booking or account numbers
into public replies and DMs. Agents need to see them; logs, exports and analytics do not. The patterns
are tuned for precision on customer-service text: a flight number, a date, a price or an @handle that
turned into ``[phone]`` would make redacted text useless to the people reading it, so ambiguous digit
runs need a cue word ("call me on", "order number") before they count.

This runs on every incoming post, so the common case (a tweet with a handful of digits and an @handle
at the start) must cost a few microseconds: one regex pass picks out the only digits worth a look,
e-mail search starts only at an ``@`` glued to a word, and cue words are looked up in a short window
in front of a candidate instead of scanning the whole text for dozens of words. benchmarks/pii_speed.py
measures it. Only ASCII digits count: fullwidth or Arabic-Indic digits are not personal data this
package claims to find (they do not crash it either).

The package: detection.py (find_pii) makes the one pass and hands candidates to emails.py, accounts.py
(numbers a cue word names) and numbers.py (phones and cards), with checksums.py for Luhn and IBANs;
the tuned patterns and cue words are in patterns.py, and redaction.py has redact and RedactingFilter.
"""

from __future__ import annotations

from socialdesk.triage.pii.detection import find_pii
from socialdesk.triage.pii.redaction import RedactingFilter, redact

__all__ = ["RedactingFilter", "find_pii", "redact"]
