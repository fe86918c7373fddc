"""Channel credentials at rest: one Fernet token per account, keyed from SOCIALDESK_CREDENTIALS_KEY.

Several keys may be given (newest first): tokens made with an older key still open, and are
re-encrypted with the newest one the next time an account is saved, so a key can be rotated without
reconnecting every channel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from socialdesk.core.errors import ConfigError, CredentialsError


class Vault:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigError("no credentials key given")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise ConfigError(
                "SOCIALDESK_CREDENTIALS_KEY must be Fernet keys (32 url-safe base64-encoded bytes)"
            ) from exc

    def seal(self, credentials: Mapping[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(dict(credentials), sort_keys=True).encode())

    def open(self, token: bytes | None) -> dict[str, str]:
        if not token:
            return {}
        try:
            values = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise CredentialsError(
                "the channel's credentials cannot be decrypted with SOCIALDESK_CREDENTIALS_KEY "
                "(was the key changed without keeping the old one?)"
            ) from exc
        return {str(k): str(v) for k, v in values.items()}
