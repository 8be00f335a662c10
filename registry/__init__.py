"""NETPET Registry: the DuckDB (or PostgreSQL) registry of dual-PET NET patients.

Storage, validated import, NETPET scoring, cohorts, history and export. The main entry points are named here
and loaded on first use (PEP 562), so importing one of them does not import the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netpet.registry.cohorts import build_cohort, cohort_members
    from netpet.registry.db import Registry, default_db_path
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
    from netpet.registry.settings import DEFAULT_SETTINGS

#: public name -> the module that defines it
_HOMES = {
    "DEFAULT_SETTINGS": "settings",
    "Registry": "db",
    "default_db_path": "db",
    "IngestError": "errors",
    "MigrationError": "errors",
    "RegistryError": "errors",
    "RegistryInUseError": "errors",
    "ValidationError": "errors",
    "WriteConflictError": "errors",
    "build_cohort": "cohorts",
    "cohort_members": "cohorts",
    "build_demo_registry": "demo",
    "write_demo_files": "demo",
    "import_folder": "ingest",
    "write_interchange": "interchange",
    "derive_scores": "scoring",
}
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


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
