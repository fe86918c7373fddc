"""What an e-mail channel is connected with, read once from its `Account` and checked.

The connection (servers, ports, logins) is entered on the settings page, so it is all in
`credential_fields` and sealed in the vault together; only the passwords are secret. The rest has
sensible defaults and lives in the channel's settings:

- `imap_folder` (INBOX): the folder polled for customers' mail;
- `sent_folder` (Sent): where a copy of every reply is kept, and where `find_sent` looks for one;
- `save_sent` (yes): "no" for servers that file sent mail themselves (Gmail, Microsoft 365), so the
  copy is not made twice; `find_sent` still searches `sent_folder`;
- `from_name`: the display name of the support address on replies ("Acme Support");
- `read_existing` (yes): "no" to start with the mail that arrives after the channel is connected,
  rather than taking the whole folder in as cases on the first poll;
- `timeout` (30): seconds for any one IMAP or SMTP exchange.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from socialdesk.channels.base import Account, CredentialField
from socialdesk.core.errors import CredentialsError

Security = Literal["ssl", "starttls", "none"]
SECURITIES: tuple[Security, ...] = ("ssl", "starttls", "none")
IMAP_PORTS: dict[Security, int] = {"ssl": 993, "starttls": 143, "none": 143}
SMTP_PORTS: dict[Security, int] = {"ssl": 465, "starttls": 587, "none": 25}

CREDENTIAL_FIELDS = (
    CredentialField("imap_host", "IMAP server", secret=False, help="e.g. imap.example.com"),
    CredentialField(
        "imap_port", "IMAP port", secret=False, required=False, help="993 with ssl, 143 otherwise"
    ),
    CredentialField(
        "imap_security", "IMAP security", secret=False, required=False, help="ssl (default), starttls or none"
    ),
    CredentialField("imap_user", "IMAP user name", secret=False),
    CredentialField("imap_password", "IMAP password"),
    CredentialField("smtp_host", "SMTP server", secret=False, help="e.g. smtp.example.com"),
    CredentialField(
        "smtp_port",
        "SMTP port",
        secret=False,
        required=False,
        help="465 with ssl, 587 with starttls, 25 with none",
    ),
    CredentialField(
        "smtp_security", "SMTP security", secret=False, required=False, help="starttls (default), ssl or none"
    ),
    CredentialField(
        "smtp_user", "SMTP user name", secret=False, required=False, help="the IMAP user name when empty"
    ),
    CredentialField(
        "smtp_password", "SMTP password", required=False, help="empty for a relay that takes no login"
    ),
)


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    security: Security
    user: str | None
    password: str | None = field(repr=False)  # never in a log line or a traceback's locals repr
    timeout: float


@dataclass(frozen=True, slots=True)
class MailConfig:
    address: str  # the support mailbox, as connected (lower case)
    domain: str
    imap: Server
    smtp: Server
    folder: str
    sent_folder: str
    save_sent: bool
    from_name: str | None
    read_existing: bool


def mail_config(account: Account) -> MailConfig:
    """The channel's mail settings, or a CredentialsError naming what is missing or wrong."""
    address = account.handle.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise CredentialsError(f"the channel's address {account.handle!r} is not an e-mail address")
    timeout = _seconds(account.setting("timeout", "30"))
    creds = account.credentials
    imap_security = _security(creds.get("imap_security") or "ssl", "imap_security")
    smtp_security = _security(creds.get("smtp_security") or "starttls", "smtp_security")
    smtp_password = creds.get("smtp_password") or None
    imap = Server(
        host=_required(creds, "imap_host"),
        port=_port(creds.get("imap_port"), IMAP_PORTS[imap_security], "imap_port"),
        security=imap_security,
        user=_required(creds, "imap_user"),
        password=_required(creds, "imap_password"),
        timeout=timeout,
    )
    smtp = Server(
        host=_required(creds, "smtp_host"),
        port=_port(creds.get("smtp_port"), SMTP_PORTS[smtp_security], "smtp_port"),
        security=smtp_security,
        user=(creds.get("smtp_user") or imap.user) if smtp_password else None,
        password=smtp_password,
        timeout=timeout,
    )
    return MailConfig(
        address=address,
        domain=domain,
        imap=imap,
        smtp=smtp,
        folder=account.setting("imap_folder", "INBOX"),
        sent_folder=account.setting("sent_folder", "Sent"),
        save_sent=_yes(account.setting("save_sent", "yes")),
        from_name=account.setting("from_name", "").strip() or None,
        read_existing=_yes(account.setting("read_existing", "yes")),
    )


def _yes(value: str) -> bool:
    return value.strip().lower() not in ("no", "false", "0", "off")


def _required(creds: Mapping[str, str], name: str) -> str:
    value = creds.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CredentialsError(f"the e-mail channel has no {name}")
    return value if name.endswith("password") else value.strip()  # a password is taken as typed


def _security(value: str, name: str) -> Security:
    value = value.strip().lower()
    for known in SECURITIES:
        if value == known:
            return known
    raise CredentialsError(f"{name} must be ssl, starttls or none, not {value!r}")


def _port(value: str | None, default: int, name: str) -> int:
    if not value:
        return default
    try:
        port = int(value.strip())
    except ValueError as exc:
        raise CredentialsError(f"{name} {value!r} is not a number") from exc
    if not 0 < port < 65536:
        raise CredentialsError(f"{name} {value!r} is not a port number")
    return port


def _seconds(value: str) -> float:
    try:
        seconds = float(value.strip())
    except ValueError as exc:
        raise CredentialsError(f"the timeout setting {value!r} is not a number of seconds") from exc
    if not 0 < seconds <= 600:
        raise CredentialsError("the timeout setting must be between 0 and 600 seconds")
    return seconds
