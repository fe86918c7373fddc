"""`socialdesk import`: archives in through the same ingest path as live posts."""

from __future__ import annotations

import json
from pathlib import Path

import click
from tqdm import tqdm

from socialdesk.cli.database import open_database
from socialdesk.cli.errors import reports_errors
from socialdesk.config import Settings
from socialdesk.importers import open_archive
from socialdesk.importers.archive import FORMATS
from socialdesk.pipeline.importing import ImportSummary, import_archive
from socialdesk.pipeline.workspaces import DEFAULT_WORKSPACE, ensure_workspace

SHOWN_REJECTIONS = 20


@click.command("import", short_help="Import an archive (TWCS CSV or JSONL).")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="twcs: the Customer Support on Twitter CSV; jsonl: SocialDesk's JSON Lines. Default: from the "
    "file name (.csv, .jsonl) or its first bytes.",
)
@click.option(
    "--workspace",
    default=DEFAULT_WORKSPACE,
    show_default=True,
    help="Workspace (brand) to import into; created when missing.",
)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line of counts (for scripts).")
@reports_errors
def import_command(path: Path, fmt: str | None, workspace: str, as_json: bool) -> None:
    """Import the posts in PATH: customer posts, brand replies, and the threads they form.

    Each row is stored once: importing the same file again adds nothing, and an import that was
    interrupted can simply be run again. Rows that cannot be read are reported with their line number
    and the reason; the rest are kept.
    """
    archive = open_archive(path, fmt)
    db = open_database(Settings())
    with db.write() as session:
        workspace_id = ensure_workspace(session, workspace).id
    total = archive.count()
    with tqdm(total=total, unit="row", desc=f"Importing {path.name}", disable=None, leave=False) as bar:
        summary = import_archive(db, workspace_id, archive, on_progress=bar.update)
    _report(path, workspace, summary, as_json)


def _report(path: Path, workspace: str, summary: ImportSummary, as_json: bool) -> None:
    lines = [
        f"Imported {path} into workspace {workspace!r}:",
        f"  read        {summary.read:>9,}",
        f"  stored      {summary.stored:>9,}",
        f"  duplicates  {summary.duplicates:>9,}  (already stored; nothing changed)",
        f"  rejected    {summary.rejected:>9,}",
    ]
    if summary.rejected:
        lines.append("Why rows were rejected:")
        lines += [f"  {count:>7,}  {reason}" for reason, count in summary.reasons.most_common()]
        lines.append(f"First {min(SHOWN_REJECTIONS, len(summary.rejections))} rejected rows:")
        lines += [f"  line {e.line}: {e.reason}" for e in summary.rejections[:SHOWN_REJECTIONS]]
    click.echo("\n".join(lines), err=as_json)
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
