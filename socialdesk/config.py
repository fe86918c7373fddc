"""Settings: the only reader of the environment. Every variable is documented in .env.example."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialdesk.core.errors import ConfigError

_UNSAFE_SECRETS = {"", "change-me", "secret", "changeme"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOCIALDESK_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder for the embedded SQLite database.")
    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; default: a SQLite file in data_dir.",
    )
    secret_key: SecretStr = Field(default=SecretStr(""), description="Keys session and token digests.")
    cookie_secure: bool = Field(default=True, description="Send the session cookie over HTTPS only.")
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    demo: bool = Field(default=False, description="Demo mode: a built-in secret is allowed.")
    worker_poll_seconds: float = Field(default=1.0, gt=0)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'socialdesk.db').resolve()}"

    def signing_key(self) -> bytes:
        """The secret that keys digests; refuses a weak one unless this is the demo."""
        value = self.secret_key.get_secret_value()
        if value in _UNSAFE_SECRETS or len(value) < 16:
            if self.demo:
                return b"socialdesk-demo-only-secret-key"
            raise ConfigError(
                "SOCIALDESK_SECRET_KEY is missing or too short: set it to at least 16 random characters, "
                'e.g. SOCIALDESK_SECRET_KEY="$(python -c "import secrets; print(secrets.token_urlsafe(32))")"'
            )
        return value.encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
