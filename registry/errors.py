"""The registry's exception hierarchy; every message names what to fix (file, row, column where known).

The CLI maps each `RegistryError` to a one-line error and a non-zero exit; nothing here prints.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every error the registry raises on purpose."""


class MigrationError(RegistryError):
    """A schema migration is missing, edited after it was applied, or failed."""


class RegistryInUseError(RegistryError):
    """Another process holds the registry file open for writing."""


class ValidationError(RegistryError):
    """Import data broke one or more rules; `issues` holds every problem as a tidy table."""

    def __init__(self, issues: object, message: str | None = None) -> None:
        self.issues = issues
        super().__init__(message or "validation failed")


class IngestError(RegistryError):
    """An import could not be read or written (unreadable folder, unsupported file)."""


class WriteConflictError(RegistryError):
    """Another writer changed the same rows at the same time (PostgreSQL); nothing was written, retry."""
