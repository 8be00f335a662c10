"""NETPET Registry: the DuckDB registry of dual-PET NET patients (storage, import, scoring, cohorts)."""

from registry.db import DEFAULT_SETTINGS, Registry, default_db_path
from registry.errors import (
    IngestError,
    MigrationError,
    RegistryError,
    RegistryInUseError,
    ValidationError,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "IngestError",
    "MigrationError",
    "Registry",
    "RegistryError",
    "RegistryInUseError",
    "ValidationError",
    "default_db_path",
]
