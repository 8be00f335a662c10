"""Write the analysis views, optionally restricted to a saved cohort, to Parquet or CSV for R, Stata or SAS.

One file per view (`patient_survival`, `timepoint_scores`, `treatments`, `outcomes`) and, when a cohort
is given, `cohort_survival`: its members with follow-up from the cohort's entry date, censoring applied.
Rows carry the registry's pseudonymous IDs and real dates: an analysis export, not a de-identified one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from registry.cohorts import cohort_members
from registry.errors import RegistryError
from registry.sqlfiles import read_sql

if TYPE_CHECKING:
    from registry.db import Registry

#: The views an export writes, each with the order its rows are written in: the whitelist of identifiers.
EXPORT_VIEWS: dict[str, str] = {
    "patient_survival": "v.patient_id",
    "timepoint_scores": "v.patient_id, v.timepoint_number",
    "treatments": "v.patient_id, v.start_date, v.treatment_id",
    "outcomes": "v.patient_id, v.outcome_date, v.outcome",
}
FORMATS = ("parquet", "csv")


def export_views(
    reg: Registry, out_dir: str | Path, *, cohort: str | None = None, fmt: str = "parquet"
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
        `parquet` (types kept, for R's arrow or pandas) or `csv` (ISO dates, for Stata and SAS).

    Returns
    -------
    list[Path]
        The files written, in order.
    """
    if fmt not in FORMATS:
        raise RegistryError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    frames = {}
    if cohort is not None:
        cohort_members(reg, cohort)  # an unknown cohort is an error, not an empty export
        frames["cohort_survival"] = reg.query_file("cohorts", "export_cohort_survival", {"cohort": cohort})
    template = read_sql("cohorts", "export_view")
    for view, order in EXPORT_VIEWS.items():
        sql = template.replace("{view}", view).replace("{order}", order)
        frames[view] = reg.query(sql, {"cohort": cohort})
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
        written.append(path)
    return written
