"""The only layer that writes posts, conversations and cases: ingest, threading, cases, jobs."""

# Importing the package installs the session hook that publishes events after each commit, in every
# process that writes (web, worker, CLI): see pipeline/events.py.
from socialdesk.pipeline import events as events
