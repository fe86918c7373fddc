"""Passwords, secrets and settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from socialdesk.accounts.passwords import hash_password, verify_password
from socialdesk.accounts.tokens import digest, new_secret
from socialdesk.config import Settings
from socialdesk.core.errors import ConfigError


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "Correct horse battery")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not-a-hash", "x")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")


def test_secrets_are_random_and_stored_as_keyed_digests() -> None:
    a, b = new_secret(), new_secret()
    assert a != b
    assert len(a) >= 40
    assert digest(b"k1", a) != digest(b"k2", a)
    assert a not in digest(b"k1", a)


def test_a_weak_secret_key_is_refused_outside_the_demo() -> None:
    with pytest.raises(ConfigError, match="SOCIALDESK_SECRET_KEY"):
        Settings(secret_key=SecretStr("change-me")).signing_key()
    assert Settings(secret_key=SecretStr(""), demo=True).signing_key()
    assert Settings(secret_key=SecretStr("a" * 32)).signing_key() == b"a" * 32


def test_the_secret_never_prints() -> None:
    assert "topsecretvalue" not in repr(Settings(secret_key=SecretStr("topsecretvalue" * 2)))
