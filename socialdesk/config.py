"""Settings: the only reader of the environment. Every variable is documented in .env.example."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialdesk.core.errors import ConfigError

_UNSAFE_SECRETS = {"", "change-me", "secret", "changeme"}
# Published, so only for the demo, whose channels hold no real credentials.
_DEMO_CREDENTIALS_KEY = "c29jaWFsZGVzay1kZW1vLW9ubHkta2V5LTMyYnl0ZXM="


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
    credentials_key: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet key(s) that encrypt channel credentials at rest; comma-separated, newest first.",
    )
    hook_max_bytes: int = Field(default=1 << 20, ge=1024, description="Largest webhook body accepted.")
    channel_poll_seconds: float = Field(default=60.0, gt=0, description="How often a channel is polled.")
    send_lease_seconds: float = Field(
        default=300.0, gt=0, description="How long a worker may take to send a reply before another retries."
    )
    # Public-to-private hand-offs (docs/private-handoff.md).
    public_url: str = Field(
        default="", description="Base address customers reach SocialDesk at, for private links."
    )
    handoff_link_hours: int = Field(
        default=72, ge=1, le=24 * 30, description="How long a private link works."
    )
    smtp_host: str = Field(
        default="", description="Mail server for sign-in codes; empty: the dev outbox file."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = Field(default="starttls")
    smtp_user: str = Field(default="")
    smtp_password: SecretStr = Field(default=SecretStr(""))
    mail_from: str = Field(default="", description="Sender of sign-in codes, e.g. support@example.com.")
    oidc_discovery_url: str = Field(
        default="", description="OpenID Connect provider customers may sign in with; empty: none."
    )
    oidc_client_id: str = Field(default="")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""))
    oidc_provider_name: str = Field(default="your account", description="Shown on the sign-in button.")
    redis_url: SecretStr = Field(
        default=SecretStr(""),
        description="Redis for live updates across processes; empty: in-memory bus and a database poll.",
    )
    live_poll_seconds: float = Field(
        default=0.3, ge=0, description="Without Redis: how often to look for other processes' posts."
    )
    live_heartbeat_seconds: float = Field(default=15.0, gt=0, description="Keep-alive on idle live streams.")
    presence_ttl_seconds: float = Field(
        default=15.0, ge=2, description="How long 'viewing'/'typing' lasts without a heartbeat."
    )
    away_after_minutes: float = Field(
        default=10.0,
        ge=1,
        description="An online agent with no open SocialDesk page for this long is set away.",
    )
    # For crash tests only: the process kills itself (SIGKILL) when it reaches the named point.
    crash_at: str = Field(default="", description="Testing: kill the process at this point.")

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

    def credential_keys(self) -> list[str]:
        """The Fernet keys for channel credentials, newest first; the demo has a built-in one."""
        keys = [k.strip() for k in self.credentials_key.get_secret_value().split(",") if k.strip()]
        if not keys and self.demo:
            return [_DEMO_CREDENTIALS_KEY]
        if not keys:
            raise ConfigError(
                "SOCIALDESK_CREDENTIALS_KEY is not set: channel credentials are stored encrypted with it. "
                'Make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            )
        return keys


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
