"""The `socialdesk` command. Each group of subcommands lives in a module of this package."""

from __future__ import annotations

import logging

import click

from socialdesk import __version__
from socialdesk.cli.accounts import createuser, token
from socialdesk.cli.channels import channels
from socialdesk.cli.classify import classify
from socialdesk.cli.database import db
from socialdesk.cli.importing import import_command
from socialdesk.cli.server import demo, serve, worker
from socialdesk.cli.triage import triage
from socialdesk.logs import redact_logs


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Settings come from the environment: DATABASE_URL selects the database (default: a SQLite "
    "file in ./data); SOCIALDESK_SECRET_KEY keys sessions and tokens. See .env.example.",
)
@click.version_option(__version__, prog_name="socialdesk")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, not only the results.")
def cli(verbose: bool) -> None:
    """SocialDesk: hear customers on social networks, triage and route their posts, answer them.

    \b
    Start here:
      socialdesk demo                    the demo workspace with sample conversations, at :8000
      socialdesk import FILE             import an archive (Customer Support on Twitter CSV or JSONL)
      socialdesk createuser EMAIL        make an agent (the first one is usually an admin)
      socialdesk channels connect ...    connect the brand's X, Facebook, ... accounts
      socialdesk serve                   run the web app and its in-process worker
      socialdesk classify < posts.jsonl  triage posts: sentiment, intent, urgency, places, PII
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    redact_logs()


for command in (db, import_command, createuser, token, channels, serve, worker, demo, classify, triage):
    cli.add_command(command)


def main() -> None:
    cli()
