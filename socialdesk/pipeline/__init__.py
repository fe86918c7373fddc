"""The only layer that writes posts, conversations and cases: ingest, threading, cases, jobs."""
