"""The failures under IMAP and SMTP alike (a certificate that does not verify, TLS, a timeout, a
connection refused or broken) as SocialDesk's channel errors. Each protocol's own refusals are told
apart first, inside this, by `mailbox.imap_errors` and the SMTP session in `sending`.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from socialdesk.core.errors import CredentialsError, TemporaryError


@contextmanager
def socket_errors(where: str) -> Iterator[None]:
    """`where` names the server in the message ("the IMAP server imap.example.com:993")."""
    try:
        yield
    except ssl.SSLCertVerificationError as exc:
        # The channel's configuration, not a passing failure: retrying does not mend it.
        raise CredentialsError(
            f"{where} has a certificate that does not verify: {exc.verify_message}"
        ) from exc
    except ssl.SSLError as exc:
        raise TemporaryError(f"TLS with {where} failed: {exc.reason or exc}") from exc
    except TimeoutError as exc:
        raise TemporaryError(f"{where} did not answer in time") from exc
    except OSError as exc:
        raise TemporaryError(f"could not reach {where}: {exc.strerror or exc}") from exc
