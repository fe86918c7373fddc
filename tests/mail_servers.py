"""Real mail servers for the e-mail tests, on 127.0.0.1 only.

- IMAP: Debian's Dovecot (`scripts/ensure-dovecot` installs it), run as a subprocess with a
  throwaway configuration: a passwd-file of test users, maildirs in a temporary folder, no TLS.
  Started as root (CI) it logs in as Debian's `dovenull`, runs as `dovecot` and keeps mail as
  `nobody`, because Dovecot refuses root for those; started as anyone else everything runs as them.
- SMTP: aiosmtpd in a thread; it keeps what it was sent, can be told to refuse the next messages
  with a given reply (451, 550, ...), requires a login, and with a self-signed certificate offers
  (and insists on) STARTTLS.

Test mail goes into a mailbox over IMAP APPEND, the same protocol path a real mail server's
delivery ends in as far as a client can tell.
"""

from __future__ import annotations

import grp
import imaplib
import ipaddress
import logging
import os
import pwd
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.stand_ins.server import free_port

DOVECOT = Path("/usr/sbin/dovecot")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class MailUser:
    """A mailbox on the test Dovecot."""

    name: str
    password: str
    port: int

    @contextmanager
    def session(self) -> Iterator[imaplib.IMAP4]:
        connection = imaplib.IMAP4(HOST, self.port, timeout=10)
        try:
            connection.login(self.name, self.password)
            yield connection
        finally:
            connection.logout()

    def append(self, folder: str, message: bytes) -> None:
        with self.session() as imap:
            typ, data = imap.append(folder, None, None, message)
            if typ != "OK" and b"TRYCREATE" in b" ".join(d for d in data if isinstance(d, bytes)):
                imap.create(folder)
                typ, data = imap.append(folder, None, None, message)
            assert typ == "OK", data

    def messages(self, folder: str) -> list[tuple[bytes, bytes]]:
        """(flags, whole message) of every message in `folder`, read without marking anything seen."""
        with self.session() as imap:
            typ, _ = imap.select(folder, readonly=True)
            if typ != "OK":
                return []
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            found = []
            for item in data:
                if isinstance(item, tuple):
                    found.append((item[0], item[1]))
            return found

    def expunge(self, folder: str, uids: str) -> None:
        """Delete the messages `uids` ("2:4") from `folder` for good, leaving a gap in its UIDs."""
        with self.session() as imap:
            imap.select(folder)
            imap.uid("STORE", uids, "+FLAGS", "(\\Deleted)")
            imap.expunge()

    def recreate(self, folder: str) -> None:
        """Delete and create `folder`: the server gives it a new UIDVALIDITY."""
        with self.session() as imap:
            imap.delete(folder)
            typ, data = imap.create(folder)
            assert typ == "OK", data

    def uidvalidity(self, folder: str) -> int:
        with self.session() as imap:
            imap.select(folder, readonly=True)
            _, data = imap.response("UIDVALIDITY")
            return int(data[-1])


class Dovecot:
    """A running Dovecot with its own configuration, users and mail under one temporary folder."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.passwd = root / "passwd"
        self.log = root / "dovecot.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.pool: list[MailUser] = []

    def user(self) -> MailUser:
        """A mailbox of its own for a test. Users are written before Dovecot starts: it rereads a
        changed passwd-file, but only notices a change more than a second after the last one."""
        if not self.pool:
            self._add_users(8)
            time.sleep(1.1)
        return self.pool.pop()

    def _add_users(self, count: int) -> None:
        users = [
            MailUser(f"u{secrets.token_hex(4)}@acme.example", secrets.token_urlsafe(12), self.port)
            for _ in range(count)
        ]
        with self.passwd.open("a") as f:
            f.writelines(f"{u.name}:{{PLAIN}}{u.password}\n" for u in users)
        self.pool.extend(users)

    def start(self) -> None:
        config = self.root / "dovecot.conf"
        config.write_text(_config(self.root, self.port))
        self.passwd.touch()
        self.passwd.chmod(0o644)
        self._add_users(64)
        mail = self.root / "mail"
        mail.mkdir()
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(mail, nobody.pw_uid, nobody.pw_gid)
        with (self.root / "stderr.log").open("wb") as stderr:
            self.process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self._logs()}")
            try:
                imaplib.IMAP4(HOST, self.port, timeout=2).shutdown()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {HOST}:{self.port}:\n{self._logs()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def _logs(self) -> str:
        texts = [p.read_text(errors="replace") for p in (self.root / "stderr.log", self.log) if p.exists()]
        return "\n".join(texts)[-3000:]


def _config(root: Path, port: int) -> str:
    if os.getuid() == 0:
        login_user, internal_user, mail_user, group = "dovenull", "dovecot", "nobody", "nogroup"
        internal_group = "dovecot"
    else:
        login_user = internal_user = mail_user = pwd.getpwuid(os.getuid()).pw_name
        group = internal_group = grp.getgrgid(os.getgid()).gr_name
    return f"""
protocols = imap
listen = {HOST}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mail_uid = {mail_user}
mail_gid = {group}
first_valid_uid = 1
first_valid_gid = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
  # Tests refuse logins on purpose: no penalty delay for the next logins from 127.0.0.1.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Dovecot for the block; its folder (0755, so its unprivileged users can reach it) removed after."""
    root = Path(tempfile.mkdtemp(prefix="socialdesk-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class _Handler:
    delivered: list[Delivered] = field(default_factory=list)
    refusals: deque[str] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        # Checked here rather than with aiosmtpd's auth_required, which warns without TLS.
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.refusals:
                return self.refusals.popleft()
            self.delivered.append(
                Delivered(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
        return "250 2.0.0 Ok: queued"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files; a client trusts it only when told to
    (SSL_CERT_FILE), like any certificate no public authority signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SocialDesk test mail server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class SmtpServer:
    """aiosmtpd on a free port. `user`/`password` are the only login it takes; with a certificate
    it offers STARTTLS and refuses to go on without it."""

    def __init__(self, user: str, password: str, certificate: tuple[Path, Path] | None = None) -> None:
        # aiosmtpd logs a deprecation of its own Session.login_data on every login it accepts.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        self.user = user
        self.password = password
        self.handler = _Handler()
        self.port = free_port()
        tls: dict[str, Any] = {}
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            tls = {"tls_context": context, "require_starttls": True}
        self.controller = Controller(
            self.handler,
            hostname=HOST,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=certificate is not None,
            enable_SMTPUTF8=True,
            **tls,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    @property
    def delivered(self) -> list[Delivered]:
        with self.handler.lock:
            return list(self.handler.delivered)

    def refuse_next(self, reply: str, times: int = 1) -> None:
        """Answer the next DATA with `reply` ("451 4.7.1 Try again later") instead of taking it."""
        with self.handler.lock:
            self.handler.refusals.extend([reply] * times)


@contextmanager
def smtp_server(
    user: str = "support@acme.example",
    password: str = "smtp-secret",  # noqa: S107 (a test server's login)
    certificate: tuple[Path, Path] | None = None,
) -> Iterator[SmtpServer]:
    server = SmtpServer(user, password, certificate)
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


def mail_credentials(mailbox: MailUser, smtp: SmtpServer, **changes: str) -> dict[str, str]:
    """An e-mail channel's credentials for `mailbox` and `smtp`, plain connections; `changes` override."""
    return {
        "imap_host": HOST,
        "imap_port": str(mailbox.port),
        "imap_security": "none",
        "imap_user": mailbox.name,
        "imap_password": mailbox.password,
        "smtp_host": HOST,
        "smtp_port": str(smtp.port),
        "smtp_security": "none",
        "smtp_user": smtp.user,
        "smtp_password": smtp.password,
        **changes,
    }
