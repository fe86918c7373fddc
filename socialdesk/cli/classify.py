"""`socialdesk classify`: triage a stream of posts given as JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, cast

import click

from socialdesk.cli.errors import reports_errors


@click.command(short_help="Triage JSON lines from stdin (sentiment, intent, urgency...).")
@click.option(
    "--tier",
    type=click.Choice(["fast", "accurate"]),
    default="fast",
    show_default=True,
    help="fast: every field at thousands of posts per second; accurate: a transformer re-scores "
    "sentiment and feeds the other heads (about a hundred times the CPU).",
)
@click.option(
    "--topics-model",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A workspace topic model from `socialdesk triage train-topics`; without it topics is [].",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=256,
    show_default=True,
    help="Lines triaged together (output is still one line per input, in order).",
)
@reports_errors
def classify(tier: str, topics_model: Path | None, batch_size: int) -> None:
    """Read posts as JSON lines on standard input, write one JSON line of triage per post.

    \b
    Input:  {"id": 1, "text": "...", "lang": "en", "geo": {"lat": 52.3, "lon": 4.76},
             "user_location": "Utrecht", "followers": 1200}   (all but text optional)
    Output: {"id": 1, "language", "sentiment", "sentiment_scores", "intent", "is_complaint",
             "topics", "urgency", "places", "pii", ...}
    A line that cannot be read gives {"id": ..., "error": "..."} in its place; the stream goes on.
    """
    from socialdesk.triage.batch import Rejected, batched, read_lines, record
    from socialdesk.triage.engine import Tier, Triager
    from socialdesk.triage.linear import LinearBundle

    topics = LinearBundle.load(topics_model) if topics_model else None
    triager = Triager(cast(Tier, tier), topics=topics)
    size = 1 if sys.stdin.isatty() else batch_size
    out = sys.stdout
    for batch in batched(read_lines(sys.stdin.buffer), size):
        good = [item for item in batch if not isinstance(item, Rejected)]
        results = iter(triager.run([item[1] for item in good]))
        lines: list[str] = []
        for item in batch:
            row: dict[str, Any]
            if isinstance(item, Rejected):
                row = {"id": item.id, "error": item.error}
            else:
                row = record(item[0], next(results))
            lines.append(json.dumps(row, ensure_ascii=False))
        out.write("\n".join(lines) + "\n")
        out.flush()
