"""The registry's settings: what each means, which values it takes, and every setting's value in one table.

Values live in the `settings` table (absent = the default in `netpet.registry.db.DEFAULT_SETTINGS`);
`Registry.set_setting` stores a checked value and records the change in the change history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.errors import RegistryError

if TYPE_CHECKING:
    from netpet.registry.db import Registry

#: What each setting means (shown by `netpet config list`).
MEANINGS: dict[str, str] = {
    "pairing_window_days": "Largest gap in days between an SSTR and an FDG scan paired into one dual-PET timepoint.",
    "min_cell_count": "Counts below this are suppressed in aggregate outputs (audit, federation, shareable tables).",
    "score_source": "Which NETPET score analyses use: auto (derived when lesion reads exist), derived or recorded.",
}
#: Values a text setting may take; the others are whole numbers.
CHOICES: dict[str, tuple[str, ...]] = {"score_source": ("auto", "derived", "recorded")}
#: The smallest value each numeric setting may take.
MINIMUM: dict[str, int] = {"pairing_window_days": 0, "min_cell_count": 1}


def check_setting(name: str, value: str) -> str:
    """Return `value` in its stored form, or raise `RegistryError` saying which values `name` takes."""
    from netpet.registry.settings import DEFAULT_SETTINGS

    if name not in DEFAULT_SETTINGS:
        raise RegistryError(f"unknown setting {name!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
    text = str(value).strip()
    if name in CHOICES:
        if text not in CHOICES[name]:
            raise RegistryError(f"setting {name} takes one of {', '.join(CHOICES[name])}, not {text!r}")
        return text
    if not text.isdigit() or int(text) < MINIMUM[name]:
        raise RegistryError(f"setting {name} takes a whole number ≥ {MINIMUM[name]}, not {text!r}")
    return str(int(text))


def list_settings(reg: Registry) -> pl.DataFrame:
    """Return every setting with its value, its default and its meaning (name, value, default, meaning)."""
    from netpet.registry.settings import DEFAULT_SETTINGS

    return pl.DataFrame(
        [
            {"name": name, "value": reg.setting(name), "default": default, "meaning": MEANINGS[name]}
            for name, default in sorted(DEFAULT_SETTINGS.items())
        ]
    )


def setting_changes(reg: Registry) -> pl.DataFrame:
    """Return every recorded change of a setting, oldest first (when, who, command, name, old and new value)."""
    return reg.query_file("queries", "setting_changes")
