"""The web app: agents' pages, the JSON API, and (later) webhook endpoints."""
