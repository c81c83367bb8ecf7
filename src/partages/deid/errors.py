"""Precise exception classes of the pseudonymisation component. Messages never carry note text."""

from __future__ import annotations


class DeidError(Exception):
    """Base class."""


class DeidDataError(DeidError):
    """Reference data (names, communes, drugs) is missing or unreadable."""


class DeidConfigError(DeidError):
    """A pseudonymisation setting (partages.yaml / PARTAGES_*) is invalid; names the setting."""


class KeyFileError(DeidError):
    """The HMAC/vault key file is missing or invalid (never replaced by a random key)."""


class VaultError(DeidError):
    """The reversible vault cannot be opened (wrong key, corrupted file)."""


class BadInputError(DeidError):
    """An input record is invalid; carries the file and line so the user can fix it."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason
