"""`socialdesk serve`, `worker` and `demo`: running SocialDesk."""

from __future__ import annotations

import ipaddress
import time

import click

from socialdesk.cli.database import open_database
from socialdesk.cli.errors import reports_errors
from socialdesk.config import Settings
from socialdesk.core.errors import ConfigError
from socialdesk.pipeline import jobs
from socialdesk.pipeline.worker import Rounds, channel_vault


def _run_web(settings: Settings, host: str, port: int, run_worker: bool) -> None:
    import uvicorn

    from socialdesk.web.app import create_app

    db = open_database(settings)
    app = create_app(settings, db, run_worker=run_worker)
    # Open live streams never end by themselves: give them a few seconds, then close them, on shutdown.
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, timeout_graceful_shutdown=3)


@click.command(short_help="Run the web app and its worker.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-worker", is_flag=True, help="Leave background jobs to `socialdesk worker` processes.")
@reports_errors
def serve(host: str, port: int, no_worker: bool) -> None:
    """Run the web app (inbox, case pages, API at /api/v1, docs at /docs) and its worker.

    Needs SOCIALDESK_SECRET_KEY. Put it behind HTTPS: the session cookie is sent over HTTPS only
    (browsers also accept it from http://localhost and http://127.0.0.1).
    """
    settings = Settings()
    settings.signing_key()  # refuse to start without a proper secret
    _run_web(settings, host, port, run_worker=not no_worker)


@click.command(short_help="Run background work: triage, sending replies, polling channels.")
@click.option("--once", is_flag=True, help="Do what is due now, then exit.")
@reports_errors
def worker(once: bool) -> None:
    """Run background work in this process: triage jobs, the outbox (agents' replies sent to the
    networks) and polling of connected channels. Start several for more throughput; they share the
    work without doing any of it twice."""
    settings = Settings()
    db = open_database(settings)
    rounds = Rounds(db, settings, channel_vault(settings))
    try:
        if once:
            done = rounds.run_once()
            click.echo(
                f"Ran {done.jobs} job(s), tried {done.replies} reply(ies), "
                f"stored {done.channel_posts} post(s) from channels."
            )
            return
        click.echo("Worker running; Ctrl+C stops it.", err=True)
        while True:
            if rounds.run_once().total == 0:
                time.sleep(settings.worker_poll_seconds)
    except KeyboardInterrupt:
        jobs.notify()
    finally:
        rounds.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command(short_help="Load the demo workspace and serve it.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback addresses only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Load the demo data and exit.")
@reports_errors
def demo(host: str, port: int, no_serve: bool) -> None:
    """Load the Skylark Air demo (an invented airline) and serve it at http://HOST:PORT.

    The demo's conversations go through the real import path; running it again adds nothing. It signs
    in with a published password, so it listens on loopback addresses only.
    """
    from socialdesk.demo.colleague import COLLEAGUE_EMAIL
    from socialdesk.demo.loader import EMAIL, PASSWORD, load_demo

    if not _is_loopback(host):
        raise ConfigError("the demo has a published password and listens on loopback addresses only")
    settings = Settings(demo=True)
    db = open_database(settings)
    loaded = load_demo(db)
    s = loaded.summary
    click.echo(
        f"Demo data: {s.read} posts read, {s.stored} stored, "
        f"{s.duplicates} already there, {s.rejected} rejected."
    )
    click.echo(f"\n  SocialDesk demo: http://{host}:{port}\n  Sign in as {EMAIL} with password {PASSWORD}")
    click.echo(f"  A second agent, to see each other live: {COLLEAGUE_EMAIL} with password {PASSWORD}\n")
    if not no_serve:
        _run_web(settings, host, port, run_worker=True)
