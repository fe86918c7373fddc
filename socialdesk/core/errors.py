"""One exception tree for SocialDesk.

SocialDeskError
├── ConfigError            a setting is missing or unsafe
├── ImportFileError        a whole archive file cannot be read (wrong format, not UTF-8, no header)
├── NotFound               a row does not exist in the caller's workspace
├── InvalidAction          an operation that the object's state does not allow
├── AuthError              bad credentials, expired session or token
└── ChannelError           talking to a network went wrong
    ├── SignatureError     a webhook's signature is missing or does not match its body
    ├── PayloadError       a payload is not what the network's documented format says
    ├── CredentialsError   the channel's credentials are missing, unreadable or refused by the network
    ├── RateLimited        the network asks us to wait until `retry_at`
    ├── TemporaryError     a 5xx, a timeout, a dropped connection: worth trying again later
    └── PermanentSendError the network refused the request for good (a 4xx); `message` is its reason
"""

from __future__ import annotations

from datetime import datetime


class SocialDeskError(Exception):
    """Base of every error SocialDesk raises on purpose; its message is meant for a person."""


class ConfigError(SocialDeskError):
    pass


class ImportFileError(SocialDeskError):
    pass


class NotFound(SocialDeskError):
    pass


class InvalidAction(SocialDeskError):
    pass


class AuthError(SocialDeskError):
    pass


class ChannelError(SocialDeskError):
    pass


class SignatureError(ChannelError):
    pass


class PayloadError(ChannelError):
    pass


class CredentialsError(ChannelError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(ChannelError):
    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class TemporaryError(ChannelError):
    pass


class PermanentSendError(ChannelError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
