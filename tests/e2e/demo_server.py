"""What the browser tests share: the running demo (its URL and data folder), signing in, and fresh
customer posts imported into the demo with `socialdesk import`, so that each test works on data of its
own and other tests sharing the demo cannot disturb it."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from playwright.sync_api import Page, expect

from socialdesk.demo.loader import PASSWORD, WORKSPACE


def demo_env(data_dir: Path) -> dict[str, str]:
    """The environment of the demo server, and of every `socialdesk` command run against it."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SOCIALDESK_REDIS_URL"}}
    env["SOCIALDESK_DATA_DIR"] = str(data_dir)
    return env


@dataclass(frozen=True)
class DemoServer:
    """The running demo: where to browse it, and where it keeps its data (SQLite file, dev outbox)."""

    url: str
    home: Path

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def database(self) -> Path:
        return self.data_dir / "socialdesk.db"

    @property
    def env(self) -> dict[str, str]:
        return demo_env(self.data_dir)


class OpenPage(Protocol):
    """The `second_browser` fixture: opens a page in a browser context of its own."""

    def __call__(self, width: int = 1280) -> Page: ...


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in the way an agent does: the inbox sends a stranger to the sign-in form, which sends
    them back. Returns once the inbox has loaded (its keyboard shortcuts are deferred scripts)."""
    page.goto(f"{base}/inbox")
    expect(page).to_have_url(re.compile(r"/login\?next=/inbox$"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/inbox")
    page.wait_for_load_state()


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_post(
    name: str, text: str, *, external_id: str | None = None, handle: str | None = None, **fields: Any
) -> dict[str, Any]:
    """One JSONL row: a customer's public post on X to @SkylarkAir, written now.

    By default its id is random and the author is identified by it; `fields` adds or overrides any
    column (`lang`, `author_id`, ...).
    """
    external_id = external_id or f"e2e-{secrets.token_hex(8)}"
    row: dict[str, Any] = {
        "network": "x",
        "external_id": external_id,
        "direction": "inbound",
        "channel": "SkylarkAir",
        "author_id": external_id,
        "author_handle": handle or name.lower().replace(" ", "_"),
        "author_name": name,
        "text": text,
        "created_at": now_iso(),
        "lang": "en",
    }
    row.update(fields)
    return row


def import_posts(demo: DemoServer, rows: Iterable[Mapping[str, Any]]) -> None:
    """Store `rows` in the running demo through `socialdesk import`, a process of its own (as an
    operator would); the demo's worker then triages them and its live stream announces them."""
    imports = demo.home / "imports"
    imports.mkdir(exist_ok=True)
    archive = imports / f"{secrets.token_hex(8)}.jsonl"
    archive.write_text("".join(json.dumps(row) + "\n" for row in rows))
    done = subprocess.run(
        [sys.executable, "-m", "socialdesk", "import", str(archive), "--workspace", WORKSPACE],
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"socialdesk import failed:\n{done.stdout}\n{done.stderr}"


def import_post(demo: DemoServer, name: str, text: str, **fields: Any) -> str:
    """Import one fresh customer post (see `customer_post`); returns its external id."""
    row = customer_post(name, text, **fields)
    import_posts(demo, [row])
    return str(row["external_id"])


def fresh_case(demo: DemoServer, who: str, text: str) -> str:
    """Import a post by a new customer named `who` plus a random tag; returns that unique name,
    which finds the case it opens."""
    tag = secrets.token_hex(3)
    name = f"{who} {tag}"
    import_post(demo, name, text, handle=f"{who.split()[0].lower()}_{tag}")
    return name


def open_case(page: Page, customer: str) -> None:
    """From the inbox, open the case of `customer` (a fresh name has only one); returns once the case
    page has loaded, so that its deferred scripts (shortcuts, live updates) are running."""
    page.locator("tr.case-row", has_text=customer).first.locator("a.case-link").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    page.wait_for_load_state()
