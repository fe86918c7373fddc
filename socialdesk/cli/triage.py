"""`socialdesk triage`: rebuild, measure and extend the triage models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialdesk.cli.errors import reports_errors

if TYPE_CHECKING:
    from socialdesk.training.fast import Feedback


@click.group(short_help="Train and evaluate the triage models.")
def triage() -> None:
    """Rebuild the shipped triage models from ../shared/data, print their metrics, or train a
    workspace's own topic model."""


_shared = click.option(
    "--shared",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The shared data folder (default: $SOCIALDESK_SHARED or ../shared).",
)


@triage.command("train")
@_shared
@click.option(
    "--tier",
    type=click.Choice(["fast", "accurate", "all"]),
    default="fast",
    show_default=True,
    help="accurate fine-tunes the transformer: it needs `pip install -e '.[train]'` and about an hour.",
)
@click.option(
    "--with-feedback",
    is_flag=True,
    help="Also learn from the sentiment and intent corrections agents made (in DATABASE_URL's store).",
)
@reports_errors
def train_command(shared: Path | None, tier: str, with_feedback: bool) -> None:
    """Rebuild the shipped models in socialdesk/triage/artifacts/ from the shared data, read in place."""
    from socialdesk.training.datasets import shared_root
    from socialdesk.triage.engine import ARTIFACTS, BUNDLE, ENCODER, TOKENIZER

    root = shared_root(shared)
    if tier in ("accurate", "all"):
        from socialdesk.training.transformer import train_encoder

        train_encoder(root, ARTIFACTS, say=click.echo)
    from socialdesk.training.fast import train_fast
    from socialdesk.triage.encoder import Encoder

    # The heads of both tiers share one file; with the encoder present, its heads are retrained too.
    encoder = Encoder(ENCODER, TOKENIZER, threads=2) if ENCODER.exists() else None
    train_fast(root, BUNDLE, say=click.echo, encoder=encoder, feedback=_feedback() if with_feedback else None)
    from socialdesk.training.place_filter import train_place_filter

    train_place_filter(root, say=click.echo)


@triage.command("eval")
@_shared
@click.option("--tier", type=click.Choice(["fast", "accurate", "both"]), default="both", show_default=True)
@reports_errors
def eval_command(shared: Path | None, tier: str) -> None:
    """Print the metrics of the shipped models on the held-in validation splits."""
    from socialdesk.training.datasets import shared_root
    from socialdesk.training.evaluation import evaluate, format_table

    tiers = ("fast", "accurate") if tier == "both" else (tier,)
    click.echo(format_table(evaluate(shared_root(shared), tiers, say=lambda m: click.echo(m, err=True))))


@triage.command("train-topics")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Labelled examples, one per row.",
)
@click.option(
    "--from-workspace",
    "workspace",
    default=None,
    help="Instead of a CSV: learn from the topics agents set and the tags on cases of this workspace.",
)
@click.option("--text-col", default="text", show_default=True)
@click.option("--label-col", default="category", show_default=True)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Where to write the model."
)
@click.option(
    "--validation",
    type=click.FloatRange(0, 0.5),
    default=0.2,
    show_default=True,
    help="Share of the examples held out to measure accuracy before the final training on all.",
)
@click.option("--fast-only", is_flag=True, help="Skip the accurate head (no transformer needed).")
@reports_errors
def train_topics_command(
    csv_path: Path | None,
    workspace: str | None,
    text_col: str,
    label_col: str,
    out: Path,
    validation: float,
    fast_only: bool,
) -> None:
    """Train a topic model (e.g. billing, delivery, outage) from a CSV of labelled examples or from what
    a workspace's agents taught; install it with `socialdesk triage use-topics`."""
    from socialdesk.training.topics import read_examples, train_topics
    from socialdesk.triage.encoder import shared_encoder
    from socialdesk.triage.engine import ENCODER, TOKENIZER

    if (csv_path is None) == (workspace is None):
        raise click.UsageError("give either --csv FILE or --from-workspace NAME")
    if csv_path is not None:
        texts, labels = read_examples(csv_path, text_col, label_col)
    else:
        texts, labels = _taught(workspace or "")
    encoder = None if fast_only or not ENCODER.exists() else shared_encoder(ENCODER, TOKENIZER)
    model, report = train_topics(texts, labels, encoder, validation, say=click.echo)
    model.save(out)
    click.echo(f"{report.topics} topics, {report.examples:,} examples; wrote {out}")
    if report.fast_accuracy is not None:
        click.echo(
            f"held-out accuracy ({report.held_out:,} examples): fast {report.fast_accuracy:.3f}"
            + (f", accurate {report.accurate_accuracy:.3f}" if report.accurate_accuracy is not None else "")
        )


def _taught(workspace: str) -> tuple[list[str], list[str]]:
    from socialdesk.cli.database import open_database
    from socialdesk.config import Settings
    from socialdesk.core.errors import NotFound
    from socialdesk.pipeline.topic_models import taught_examples
    from socialdesk.pipeline.workspaces import find_workspace

    db = open_database(Settings())
    with db.read() as session:
        found = find_workspace(session, workspace)
        if found is None:
            raise NotFound(f"no workspace called {workspace!r}")
        return taught_examples(session, found.id)


@triage.command("use-topics")
@click.argument("model", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--workspace", required=True, help="The workspace whose new posts get these topics.")
@reports_errors
def use_topics_command(model: Path, workspace: str) -> None:
    """Install a topic model file as the workspace's active one."""
    from socialdesk.cli.database import open_database
    from socialdesk.config import Settings
    from socialdesk.core.errors import InvalidAction, NotFound
    from socialdesk.pipeline.topic_models import install_topic_model
    from socialdesk.pipeline.workspaces import find_workspace
    from socialdesk.triage.linear import LinearBundle

    db = open_database(Settings())
    with db.read() as session:
        found = find_workspace(session, workspace)
        if found is None:
            raise NotFound(f"no workspace called {workspace!r}")
        workspace_id = found.id
    try:
        bundle = LinearBundle.load(model)
        install_topic_model(db, workspace_id, bundle)
    except ValueError as exc:
        raise InvalidAction(f"{model}: {exc}") from exc
    click.echo(f"{workspace}: topic model with {len(bundle.head('topic').labels)} topics is now active.")


def _feedback() -> Feedback:
    from socialdesk.cli.database import open_database
    from socialdesk.config import Settings
    from socialdesk.pipeline.topic_models import corrections
    from socialdesk.training.fast import Feedback

    with open_database(Settings()).read() as session:
        return Feedback(sentiment=corrections(session, "sentiment"), intent=corrections(session, "intent"))
