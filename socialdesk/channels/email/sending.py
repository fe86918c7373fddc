"""Replies over SMTP (stdlib smtplib): the message as mail clients thread it, and the server's answer
as SocialDesk's errors.

The Message-ID is made from the reply's idempotency key, so every attempt at one reply carries the
same id: a copy found in the Sent folder is that reply, and a recipient's client that got it twice
shows it once. The server's refusal text is kept word for word, since the agent reads it.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from socialdesk.channels.email.config import MailConfig, Server
from socialdesk.channels.email.message import message_ids, reply_subject
from socialdesk.channels.email.socket_errors import socket_errors
from socialdesk.core.errors import CredentialsError, PermanentSendError, TemporaryError
from socialdesk.core.types import OutboundMessage

_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_ADDRESS = re.compile(r"[^\s<>@\"(),;:\[\]\\]+@[^\s<>@\"(),;:\[\]\\]+")


def reply_message_id(idempotency_key: str, domain: str) -> str:
    """<key@domain>: the same for every attempt at one reply."""
    key = idempotency_key if _DOT_ATOM.fullmatch(idempotency_key) else ""
    if not key or key.startswith(".") or key.endswith(".") or ".." in key or len(key) > 200:
        key = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{key}@{domain}>"


def compose(config: MailConfig, message: OutboundMessage, now: datetime) -> EmailMessage:
    """The reply as a text/plain UTF-8 message, threaded under the customer's message."""
    recipient = (message.recipient_handle or "").strip()
    if not _ADDRESS.fullmatch(recipient):
        raise PermanentSendError(
            "the customer has no e-mail address to answer to"
            if not recipient
            else f"the customer's address {recipient!r} is not an e-mail address"
        )
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = formataddr((_one_line(config.from_name or ""), config.address))
    mail["To"] = recipient
    mail["Subject"] = reply_subject(message.subject)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = reply_message_id(message.idempotency_key, config.domain)
    parent = message_ids(message.in_reply_to)
    if parent:
        mail["In-Reply-To"] = parent[0]
    references = list(dict.fromkeys(message_ids(message.conversation_key) + parent))
    if references:
        mail["References"] = " ".join(references)
    # Quoted-printable rather than 8bit for anything but short ASCII lines: it passes any relay,
    # including the few without 8BITMIME, and stays readable.
    plain = message.text.isascii() and all(len(line) <= 78 for line in message.text.splitlines())
    mail.set_content(message.text, charset="utf-8", cte=None if plain else "quoted-printable")
    return mail


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text).strip()


def deliver(server: Server, sender: str, mail: EmailMessage) -> None:
    """Hand `mail` to the SMTP server; return once it has accepted it."""
    with smtp_session(server) as smtp, _refusals(server):
        smtp.send_message(mail, from_addr=sender, to_addrs=[str(mail["To"])])


@contextmanager
def smtp_session(server: Server) -> Iterator[smtplib.SMTP]:
    """Connected, TLS on as configured, logged in when a password is set; QUIT afterwards."""
    where = f"the SMTP server {server.host}:{server.port}"
    context = ssl.create_default_context()
    with _connection_errors(where):
        if server.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        with _connection_errors(where):
            smtp.ehlo()
            if server.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if server.password:
                smtp.login(server.user or "", server.password)
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


@contextmanager
def _connection_errors(where: str) -> Iterator[None]:
    """Failures before a message is handed over: a login refused or TLS missing is the channel's
    configuration (CredentialsError); anything else is worth trying again later."""
    # smtplib's errors are OSErrors too: they are told apart here, before socket_errors sees them.
    with socket_errors(where):
        try:
            yield
        except smtplib.SMTPAuthenticationError as exc:
            reason = _reply(exc.smtp_code, exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise TemporaryError(f"{where} cannot log in now ({reason})") from exc
            raise CredentialsError(f"{where} refused the login ({reason})") from exc
        except smtplib.SMTPNotSupportedError as exc:
            if "AUTH" in str(exc):  # many servers offer a login only once the connection is encrypted
                raise CredentialsError(
                    f"{where} offers no login (SMTP AUTH) on this connection: set smtp_security to "
                    "starttls or ssl, or leave smtp_password empty for a relay that takes none"
                ) from exc
            raise CredentialsError(f"{where}: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            raise TemporaryError(f"{where} answered {_reply(exc.smtp_code, exc.smtp_error)}") from exc
        except smtplib.SMTPException as exc:  # disconnected, no usable AUTH mechanism, ...
            message = str(exc)
            if "authentication" in message.lower():
                raise CredentialsError(f"{where}: {message}") from exc
            raise TemporaryError(f"{where}: {message}") from exc
        except UnicodeEncodeError as exc:  # smtplib sends the login as ASCII only
            raise CredentialsError(f"{where}: the SMTP user name or password is not ASCII") from exc


@contextmanager
def _refusals(server: Server) -> Iterator[None]:
    """The server's answer to MAIL, RCPT and DATA: 4xx try again later, 5xx never (RFC 5321 4.2.1)."""
    where = f"the SMTP server {server.host}"
    try:
        yield
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        raise _refusal(where, code, text) from exc
    except smtplib.SMTPResponseException as exc:
        raise _refusal(where, exc.smtp_code, exc.smtp_error) from exc
    except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address and no SMTPUTF8
        raise PermanentSendError(f"{where} cannot send this message: {exc}") from exc
    except smtplib.SMTPException as exc:
        raise TemporaryError(f"{where}: {exc}") from exc
    except TimeoutError as exc:
        raise TemporaryError(f"{where} did not answer in time") from exc
    except OSError as exc:
        raise TemporaryError(f"the connection to {where} broke: {exc.strerror or exc}") from exc


def _refusal(where: str, code: int, text: bytes | str) -> Exception:
    reason = _reply(code, text)
    if 500 <= code < 600:
        return PermanentSendError(f"{where} refused the message: {reason}", code)
    return TemporaryError(f"{where} did not take the message now: {reason}")


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()
