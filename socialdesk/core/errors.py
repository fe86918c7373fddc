"""One exception tree for SocialDesk.

SocialDeskError
├── ConfigError            a setting is missing or unsafe
├── ImportFileError        a whole archive file cannot be read (wrong format, not UTF-8, no header)
├── NotFound               a row does not exist in the caller's workspace
├── InvalidAction          an operation that the object's state does not allow
└── AuthError              bad credentials, expired session or token
"""


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
