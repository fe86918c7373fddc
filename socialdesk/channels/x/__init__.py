"""X / Twitter (registry name "x"): `CONNECTOR` is what `socialdesk.channels` loads.

connector: the protocol object and webhook checks; parsing (API v2), account_activity (webhooks, v1.1
objects) and reading (shared field readers): payloads → posts; fetching: polled sources and their
cursors; sending: replies, DMs, actions; streaming: the filtered stream; api: addresses, tokens, fields.
"""

from socialdesk.channels.x.connector import CONNECTOR, XConnector

__all__ = ["CONNECTOR", "XConnector"]
