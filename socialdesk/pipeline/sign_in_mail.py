"""Mailing a customer their one-time sign-in code: over SMTP, or into the dev outbox.

With no SMTP server configured the demo (and only the demo) writes each mail as an .eml file into
`<data_dir>/dev-outbox/`, so the flow can be tried on one machine; anywhere else that is a
configuration error, said in one sentence. Called outside any database transaction.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from socialdesk.channels.email.config import Server
from socialdesk.channels.email.sending import smtp_session
from socialdesk.config import Settings
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import ConfigError, TemporaryError

log = logging.getLogger(__name__)

DEV_OUTBOX = "dev-outbox"
_DEV_SENDER = "no-reply@socialdesk.invalid"


@dataclass(frozen=True, slots=True)
class MailSent:
    dev_file: Path | None = None  # where the demo wrote it, when no SMTP server is configured


def send_code(settings: Settings, to: str, code: str, brand: str, minutes: int) -> MailSent:
    mail = EmailMessage()
    mail["From"] = settings.mail_from or _DEV_SENDER
    mail["To"] = to
    mail["Subject"] = f"Your {brand} sign-in code: {code}"
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(domain="socialdesk.invalid")
    mail.set_content(
        f"Your code to continue your conversation with {brand} privately is:\n\n    {code}\n\n"
        f"It works for {minutes} minutes. If you did not ask for it, ignore this mail.\n"
    )
    if settings.smtp_host:
        if not settings.mail_from:
            raise ConfigError("SOCIALDESK_MAIL_FROM is not set: sign-in codes need a sender address")
        server = Server(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user or None,
            password=settings.smtp_password.get_secret_value() or None,
            timeout=15.0,
        )
        try:
            with smtp_session(server) as smtp:
                smtp.send_message(mail, from_addr=settings.mail_from, to_addrs=[to])
        except OSError as exc:  # smtplib's refusals of MAIL/RCPT/DATA are OSErrors too
            raise TemporaryError(f"the mail server did not take the message: {exc}") from exc
        return MailSent()
    if not settings.demo:
        raise ConfigError(
            "sign-in by e-mail is not set up: set SOCIALDESK_SMTP_HOST and SOCIALDESK_MAIL_FROM"
        )
    folder = settings.data_dir / DEV_OUTBOX
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    path.write_bytes(mail.as_bytes())
    log.info("no SMTP server configured: the sign-in mail to %s was written to %s", to, path)
    return MailSent(dev_file=path)
