"""The JSON API (token auth), described at /docs."""
