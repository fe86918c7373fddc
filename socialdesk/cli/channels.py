"""`socialdesk channels`: connect the brand's accounts, see their health, and replay saved payloads."""

from __future__ import annotations

import json
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from socialdesk.channels import ALIASES, NETWORKS, connector, network
from socialdesk.channels.http import client as http_client
from socialdesk.cli.database import open_database
from socialdesk.cli.errors import reports_errors
from socialdesk.config import Settings
from socialdesk.core.errors import InvalidAction, SocialDeskError
from socialdesk.core.types import DeliveryStatus, InboundPost, PostDeletion
from socialdesk.pipeline.channel_accounts import connect_channel, load_account, record_health, set_paused
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.polling import poll_due
from socialdesk.pipeline.workspaces import DEFAULT_WORKSPACE, ensure_workspace, find_workspace
from socialdesk.store.models import ChannelAccount, Post

_NETWORK_NAMES = sorted({*NETWORKS, *ALIASES, "meta"})


@click.group(short_help="Connect networks, check their health, replay payloads.")
def channels() -> None:
    """The brand's accounts on the networks (channels): connect, pause, test and poll them, and run a
    connector's parser on payloads saved from a network."""


def post_record(post: InboundPost) -> dict[str, Any]:
    """One normalised post as `channels parse` prints it."""
    return {
        "network": post.network,
        "external_id": post.external_id,
        "direction": post.direction.value,
        "author_id": post.author_id,
        "author_handle": post.author_handle,
        "author_name": post.author_name,
        "text": post.text,
        "created_at": post.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "in_reply_to": post.in_reply_to,
        "private": post.private,
        "conversation_key": post.conversation_key,
        "channel": post.channel,
        "lang": post.lang,
        "geo": {"lat": post.geo.lat, "lon": post.geo.lon} if post.geo else None,
        "user_location": post.user_location,
        "followers": post.followers,
        "edited_at": post.edited_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if post.edited_at
        else None,
        "edit_of": post.edit_of,
    }


def _line(record: dict[str, Any]) -> None:
    # Raw U+2028/U+2029 are legal in JSON, but line readers (Python's splitlines, JavaScript) split there.
    line = json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    click.echo(line)


@channels.command("parse")
@click.option(
    "--network",
    "network_name",
    required=True,
    type=click.Choice(_NETWORK_NAMES),
    help="The network the payloads come from (meta: Facebook or Instagram, told by the payload).",
)
@click.option("--deletions", is_flag=True, help='Also print deletions, as {"deleted": EXTERNAL_ID, ...}.')
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def parse_command(network_name: str, deletions: bool, files: tuple[Path, ...]) -> None:
    """Run the network's real parser (the one webhooks and pollers use) on saved payloads.

    Each FILE holds what the network sent: a webhook body, an API response page, or a stream's output
    with one payload per line (.eml files for e-mail). Prints one JSON line per post, in order; a
    payload that cannot be parsed prints {"file": ..., "error": ...} and the command goes on. Events
    that carry no post (likes, handshakes, read receipts) print nothing.
    """
    parser = connector("facebook" if network_name == "meta" else network_name)
    label = network("facebook" if network_name == "meta" else network_name).label
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            _line({"file": str(path), "error": f"cannot read the file: {exc.strerror or exc}"})
            continue
        chunks = parser.payloads(data)
        if not chunks:
            _line({"file": str(path), "error": "the file is empty"})
        for number, payload in enumerate(chunks, 1):
            where: dict[str, Any] = {"file": str(path)}
            if len(chunks) > 1:
                where["line"] = number
            try:
                events = parser.parse(payload)
            except SocialDeskError as exc:
                _line({**where, "error": str(exc)})
                continue
            except Exception as exc:  # a parser bug: report it as this payload's error, go on
                _line({**where, "error": f"{label} parser failed: {type(exc).__name__}: {exc}"})
                continue
            for event in events:
                if isinstance(event, InboundPost):
                    _line(post_record(event))
                elif isinstance(event, PostDeletion) and deletions:
                    _line({"deleted": event.external_id, "network": event.network})


def _vault(settings: Settings) -> Vault:
    return Vault(settings.credential_keys())


def _setting(values: tuple[str, ...]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--setting")
        if name in ("queries", "sources", "subreddits", "search_subreddits"):
            settings[name] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            settings[name] = value
    return settings


@channels.command("connect")
@click.argument("network_name", metavar="NETWORK", type=click.Choice(sorted(NETWORKS)))
@click.argument("handle")
@click.option("--workspace", default=DEFAULT_WORKSPACE, show_default=True, help="Created when missing.")
@click.option("--external-id", help="The network's id of the account (user id, Page id, DID, ...).")
@click.option(
    "--credentials-file",
    type=click.File("r"),
    help='A JSON object of credentials ("-" for standard input); otherwise you are asked for each.',
)
@click.option(
    "--setting",
    "settings_given",
    multiple=True,
    help="NAME=VALUE, e.g. api_base=https://api.x.com, queries=brand,#brand, sources=mentions,dms.",
)
@reports_errors
def connect_command(
    network_name: str,
    handle: str,
    workspace: str,
    external_id: str | None,
    credentials_file: Any,
    settings_given: tuple[str, ...],
) -> None:
    """Connect the brand's account HANDLE on NETWORK. Credentials are stored encrypted
    (SOCIALDESK_CREDENTIALS_KEY); run again to change them."""
    fields = connector(network_name).credential_fields
    if credentials_file is not None:
        try:
            given = json.load(credentials_file)
        except ValueError as exc:
            raise InvalidAction(f"the credentials file is not JSON: {exc}") from exc
        if not isinstance(given, dict):
            raise InvalidAction("the credentials file must hold one JSON object")
        credentials = {str(k): str(v) for k, v in given.items()}
    else:
        credentials = {}
        for f in fields:
            value = click.prompt(
                f.label + ("" if f.required else " (optional)"),
                hide_input=f.secret,
                default="" if not f.required else None,
                show_default=False,
            )
            if value:
                credentials[f.name] = value
    settings = Settings()
    db = open_database(settings)
    with db.write() as session:
        workspace_id = ensure_workspace(session, workspace).id
    channel_id = connect_channel(
        db,
        _vault(settings),
        workspace_id,
        network_name,
        handle,
        credentials,
        _setting(settings_given),
        external_id,
    )
    click.echo(f"Connected {network(network_name).label} account {handle} as channel {channel_id}.")
    click.echo(f"Webhook address: /hooks/{network_name}/{channel_id}")


@channels.command("list")
@click.option("--workspace", help="Only this workspace's channels.")
@reports_errors
def list_command(workspace: str | None) -> None:
    """Every channel with its status and health: last success, last error, replies waiting."""
    db = open_database(Settings())
    with db.read() as session:
        query = select(ChannelAccount).order_by(ChannelAccount.workspace_id, ChannelAccount.id)
        if workspace:
            ws = find_workspace(session, workspace)
            if ws is None:
                raise InvalidAction(f"no workspace {workspace!r}")
            query = query.where(ChannelAccount.workspace_id == ws.id)
        rows = session.scalars(query).all()
        waiting = dict(
            session.execute(
                select(Post.channel_account_id, func.count())
                .where(Post.delivery_status.in_((DeliveryStatus.QUEUED, DeliveryStatus.SENDING)))
                .group_by(Post.channel_account_id)
            ).all()
        )
    if not rows:
        click.echo("No channels yet: `socialdesk channels connect NETWORK HANDLE` adds one.")
    for row in rows:
        ok = row.last_success_at.strftime("%Y-%m-%d %H:%M") if row.last_success_at else "never"
        line = f"{row.id:>4}  {row.network:<9} {row.handle:<30} {row.status:<8} last success {ok}"
        line += f", {waiting.get(row.id, 0)} repl(ies) waiting"
        if row.last_error:
            line += f"\n      last error: {row.last_error.splitlines()[0][:160]}"
        click.echo(line)


@channels.command("pause")
@click.argument("channel_id", type=int)
@reports_errors
def pause_command(channel_id: int) -> None:
    """Stop polling and sending for a channel (webhook deliveries are still stored)."""
    _set_paused(channel_id, True)
    click.echo(f"Channel {channel_id} paused.")


@channels.command("resume")
@click.argument("channel_id", type=int)
@reports_errors
def resume_command(channel_id: int) -> None:
    """Resume a paused channel: replies held back are sent, polling starts again."""
    _set_paused(channel_id, False)
    click.echo(f"Channel {channel_id} resumed.")


def _set_paused(channel_id: int, paused: bool) -> None:
    db = open_database(Settings())
    with db.read() as session:
        row = session.get(ChannelAccount, channel_id)
        if row is None:
            raise InvalidAction(f"no channel {channel_id}")
        workspace_id = row.workspace_id
    set_paused(db, workspace_id, channel_id, paused)


@channels.command("test")
@click.argument("channel_id", type=int)
@reports_errors
def test_command(channel_id: int) -> None:
    """Try a channel's credentials against its network and record the result as its health."""
    settings = Settings()
    db = open_database(settings)
    channel = load_account(db, _vault(settings), channel_id)
    with http_client() as http:
        try:
            name = connector(channel.network).check(http, channel.account)
        except SocialDeskError as exc:
            record_health(db, channel_id, str(exc))
            raise
    record_health(db, channel_id, None)
    click.echo(f"OK: {network(channel.network).label} knows this account as {name}.")


@channels.command("poll")
@click.option("--once", is_flag=True, help="One round over the channels that are due, then exit.")
@reports_errors
def poll_command(once: bool) -> None:
    """Poll the connected channels for new posts (the worker does this too; this is for a check)."""
    settings = Settings()
    db = open_database(settings)
    vault = _vault(settings)
    interval = timedelta(seconds=settings.channel_poll_seconds)
    with http_client() as http:
        while True:
            for report in poll_due(db, vault, http, interval):
                click.echo(
                    f"channel {report.channel_id}: {report.stored} stored, {report.duplicates} already "
                    f"there, {report.deleted} deleted"
                    + (f", {len(report.errors)} failed" if report.errors else "")
                )
            if once:
                return
            time.sleep(min(settings.channel_poll_seconds, 5))


@channels.command("listen")
@click.argument("channel_id", type=int)
@click.option("--source", help="Which stream (default: the network's first, e.g. X's filtered stream).")
@reports_errors
def listen_command(channel_id: int, source: str | None) -> None:
    """Hold a channel's live stream open (X's filtered stream, Mastodon's streaming API, Bluesky's
    Jetstream) and store what arrives; reconnects with the network's backoff. Ctrl+C stops it."""
    import threading

    from socialdesk.channels.base import Streaming
    from socialdesk.pipeline.streams import run_stream

    settings = Settings()
    db = open_database(settings)
    vault = _vault(settings)
    channel = load_account(db, vault, channel_id)
    network = connector(channel.network)
    if not isinstance(network, Streaming):
        raise InvalidAction(f"{channel.network} has no live stream; its posts are polled")
    chosen = source or network.stream_sources[0]
    stop = threading.Event()
    click.echo(f"Listening to {chosen} of channel {channel_id}; Ctrl+C stops.", err=True)
    with http_client(timeout=90) as http:
        try:
            stored = run_stream(db, vault, channel_id, chosen, http, stop)
        except KeyboardInterrupt:
            stop.set()
            return
    click.echo(f"Stream ended; {stored} post(s) stored.")
