"""The registry's exception hierarchy; every message names what to fix (file, row, column where known).

The CLI maps each `RegistryError` to a one-line error and a non-zero exit; nothing here prints. Messages speak
of the library's arguments (`replace=True`); where one argument is the fix, `fix` names it, and the CLI says the
same with its flag (`--replace`).
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every error the registry raises on purpose; `fix` names the keyword argument that fixes it."""

    def __init__(self, *args: object, fix: str | None = None) -> None:
        self.fix = fix
        super().__init__(*args)


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
    """Another writer changed the same rows at the same time (PostgreSQL); nothing was written, retry.

    `subject` names what was in conflict ("patient P1"), or is None when PostgreSQL did not say and no other
    writer's batch shows it; `attempts` counts the tries (`netpet.registry.write_retry`).
    """

    def __init__(self, subject: str | None, *, attempts: int = 1, what: str = "import") -> None:
        self.subject, self.attempts, self.what = subject, attempts, what
        tried = f" (tried {attempts} times)" if attempts > 1 else ""
        if subject:
            text = f"conflicting change to {subject}: another writer changed it at the same time{tried}"
        else:
            text = f"conflicting change: another writer changed the same rows at the same time{tried}"
        super().__init__(f"{text}; nothing was written, retry the {what}")
