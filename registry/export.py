"""Write the analysis views, optionally restricted to a saved cohort, to Parquet or CSV for R, Stata or SAS.

One file per view (`patient_survival`, `timepoint_scores`, `treatments`, `outcomes`) and, when a cohort
is given, `cohort_survival`: its members with follow-up from the cohort's entry date, censoring applied.
By default rows carry the registry's pseudonymous IDs and real dates (an analysis export); with
`deidentify=True` they go through `netpet.registry.deidentify` first (keyed pseudonyms, shifted dates, no free
text, birth year only). CSV text cells a spreadsheet would run as a formula are neutralised with a `'`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.cohorts import cohort_members
from netpet.registry.deidentify import DEFAULT_MAX_SHIFT_DAYS, deidentify_tables
from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import read_sql

if TYPE_CHECKING:
    from netpet.registry.db import Registry

#: The views an export writes, each with the order its rows are written in: the whitelist of identifiers.
EXPORT_VIEWS: dict[str, str] = {
    "patient_survival": "v.patient_id",
    "timepoint_scores": "v.patient_id, v.timepoint_number",
    "treatments": "v.patient_id, v.start_date, v.treatment_id",
    "outcomes": "v.patient_id, v.outcome_date, v.outcome",
}
FORMATS = ("parquet", "csv")
#: What a spreadsheet treats as the start of a formula (OWASP "CSV injection").
FORMULA_START = r"^[=+\-@\t\r]"


def export_views(
    reg: Registry,
    out_dir: str | Path,
    *,
    cohort: str | None = None,
    fmt: str = "parquet",
    deidentify: bool = False,
    secret: bytes | None = None,
    max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS,
) -> list[Path]:
    """Write each analysis view (restricted to `cohort` when given) to `out_dir/<view>.<fmt>`.

    Parameters
    ----------
    reg
        An open registry (read-only is enough).
    out_dir
        Folder for the files; created when missing. Existing files of the same names are replaced.
    cohort
        Name of a saved cohort; `cohort_survival.<fmt>` (follow-up from the cohort entry) is written too.
    fmt
        `parquet` (types kept, for R's arrow or pandas) or `csv` (ISO dates, for Stata and SAS). In CSV, a
        text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
    deidentify
        De-identify every file with `secret` (see docs/deidentify.md): IDs become keyed pseudonyms, each
        patient's dates move by one offset, free text and `batch_id` are dropped, birth dates become
        `birth_year` and ages whole years. Intervals (`os_days`, ...) are unchanged.
    secret
        The project secret (`netpet.registry.deidentify.project_secret`); required with `deidentify`.
    max_shift_days
        The largest date shift either way.

    Returns
    -------
    list[Path]
        The files written, in order.
    """
    if fmt not in FORMATS:
        raise RegistryError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if deidentify and secret is None:
        raise RegistryError("a de-identified export needs the project secret")
    frames = {}
    if cohort is not None:
        cohort_members(reg, cohort)  # an unknown cohort is an error, not an empty export
        frames["cohort_survival"] = reg.query_file("cohorts", "export_cohort_survival", {"cohort": cohort})
    template = read_sql("cohorts", "export_view")
    for view, order in EXPORT_VIEWS.items():
        sql = template.replace("{view}", view).replace("{order}", order)
        frames[view] = reg.query(sql, {"cohort": cohort})
    if deidentify:
        assert secret is not None
        frames = deidentify_tables(frames, secret, max_shift_days=max_shift_days)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        else:
            neutralise_formulas(frame).write_csv(path)
        written.append(path)
    return written


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix `'` to every text cell a spreadsheet would run as a formula, so it shows as text."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )
