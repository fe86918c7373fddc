"""Channel credentials at rest: sealed, never in the clear, and readable across a key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from socialdesk.config import Settings
from socialdesk.core.errors import ConfigError, CredentialsError
from socialdesk.pipeline.credentials import Vault


def test_sealed_credentials_do_not_hold_the_secret_and_open_again() -> None:
    vault = Vault([Fernet.generate_key().decode()])
    token = vault.seal({"access_token": "tok-very-secret-123", "consumer_secret": "cs"})
    assert b"tok-very-secret-123" not in token
    assert vault.open(token) == {"access_token": "tok-very-secret-123", "consumer_secret": "cs"}


def test_an_old_key_still_opens_after_a_rotation_and_a_foreign_key_does_not() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault([old]).seal({"k": "v"})
    assert Vault([new, old]).open(token) == {"k": "v"}
    with pytest.raises(CredentialsError, match="cannot be decrypted"):
        Vault([new]).open(token)


def test_a_bad_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="Fernet"):
        Vault(["not-a-key"])


def test_the_key_must_be_set_outside_the_demo() -> None:
    with pytest.raises(ConfigError, match="SOCIALDESK_CREDENTIALS_KEY"):
        Settings(credentials_key=SecretStr("")).credential_keys()
    assert Settings(demo=True).credential_keys()
    key1, key2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert Settings(credentials_key=SecretStr(f"{key1}, {key2}")).credential_keys() == [key1, key2]
