"""NETPET Registry: the DuckDB (or PostgreSQL) registry of dual-PET NET patients.

Storage, validated import, NETPET scoring, cohorts, history and export; the main entry points are here.
"""

from netpet.registry.cohorts import build_cohort, cohort_members
from netpet.registry.db import Registry, default_db_path
from netpet.registry.settings import DEFAULT_SETTINGS
from netpet.registry.demo import build_demo_registry, write_demo_files
from netpet.registry.errors import (
    IngestError,
    MigrationError,
    RegistryError,
    RegistryInUseError,
    ValidationError,
    WriteConflictError,
)
from netpet.registry.ingest import import_folder
from netpet.registry.interchange import write_interchange
from netpet.registry.scoring import derive_scores

__all__ = [
    "DEFAULT_SETTINGS",
    "IngestError",
    "MigrationError",
    "Registry",
    "RegistryError",
    "RegistryInUseError",
    "ValidationError",
    "WriteConflictError",
    "build_cohort",
    "build_demo_registry",
    "cohort_members",
    "default_db_path",
    "derive_scores",
    "import_folder",
    "write_demo_files",
    "write_interchange",
]
