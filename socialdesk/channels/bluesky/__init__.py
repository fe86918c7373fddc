"""Bluesky, over the AT Protocol (registry name "bluesky"): `CONNECTOR` is what `socialdesk.channels` loads.

parse: payloads → posts (notifications, Jetstream events, chat logs) and the listening filter;
fetching: polled sources and their cursors; sending: replies, chat messages, actions; stream: Jetstream;
xrpc: sessions and calls; text: grapheme counts, facets, record keys; connector: the protocol object.
"""

from socialdesk.channels.bluesky.connector import CONNECTOR, BlueskyConnector

__all__ = ["CONNECTOR", "BlueskyConnector"]
