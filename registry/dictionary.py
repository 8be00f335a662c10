"""The data dictionary: every column of the analysis views with its type, unit, levels and meaning.

One glossary keyed by column name serves `netpet views NAME`, the Markdown data dictionary
(`netpet views --format md`, kept as docs/data-dictionary.md) and the export codebooks, so a column means
the same everywhere. Levels are listed in their clinical order (the order analyses and exports use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.columns import OUTCOMES, PRIMARY_SITES, SEXES, STOP_REASONS, TRACERS, TREATMENTS, WHO_GRADES
from netpet.registry.errors import RegistryError

if TYPE_CHECKING:
    from netpet.registry.db import Registry

#: Relations the dictionary documents: the analysis views and the two clinical tables exports carry.
EXPORTED_TABLES = ("treatments", "outcomes")

#: Factor levels in clinical order.
LEVELS: dict[str, tuple[str, ...]] = {
    "netpet_score": ("P0", "P1", "P2", "P3", "P4", "P5"),
    "netpet_group": ("P0", "P1", "P2-4", "P5"),
    "who_grade": WHO_GRADES,
    "sex": SEXES,
    "primary_site": PRIMARY_SITES,
    "sstr_tracer": TRACERS[:-1],
    "treatment": TREATMENTS,
    "stop_reason": STOP_REASONS,
    "outcome": OUTCOMES,
    "p4_subclass": ("P4a", "P4b"),
    "score_origin": ("derived", "recorded"),
    "entry_event": ("diagnosis", "first_dual_pet", "first_prrt"),
}

#: Units of measured columns; dates are ISO calendar dates, flags are true/false (0/1 in exports).
UNITS: dict[str, str] = {
    "ki67_percent": "percent", "age_at_origin": "years", "age_at_diagnosis": "years", "age_at_entry": "years",
    "os_days": "days", "os_from_diagnosis_days": "days", "pfs_days": "days", "ttp_days": "days",
    "pairing_gap_days": "days", "tstart_days": "days", "tstop_days": "days", "days_since_timepoint": "days",
    "activity_gbq": "GBq",
}

_SCORE = "the NETPET score as a number 0-5"
#: What each column holds.
MEANINGS: dict[str, str] = {
    "patient_id": "The registry's pseudonymous patient ID (never a hospital number).",
    "site": "The site (hospital) that registered the patient.",
    "sex": "Sex as recorded.",
    "birth_date": "Date of birth.",
    "diagnosis_date": "Date of the NET diagnosis.",
    "primary_site": "Site of the primary tumour.",
    "who_grade": "WHO grade of the tumour (G1, G2, G3; NEC: neuroendocrine carcinoma).",
    "ki67_percent": "Ki-67 proliferation index.",
    "origin_date": "Time zero: the date of the first dual-PET timepoint.",
    "timepoint_count": "Number of dual-PET timepoints the patient has.",
    "age_at_origin": "Age at the first dual-PET timepoint.",
    "age_at_diagnosis": "Age at diagnosis.",
    "age_at_entry": "Age at the cohort entry date.",
    "baseline_score": f"Baseline score: {_SCORE} at the first dual-PET timepoint.",
    "entry_score": f"{_SCORE} in force at the cohort entry date.".capitalize(),
    "netpet_score": "The NETPET score as a label P0-P5 (the score analyses use, see score_origin).",
    "netpet_group": "The NETPET prognostic group: P1, P2-4 or P5 (P0 = no disease seen, analysed apart).",
    "score_origin": "Where the score analyses use came from: derived from lesion reads, or recorded by the site "
    "(the registry setting score_source chooses).",
    "death_date": "Date of death (null when alive at last contact).",
    "followup_end_date": "End of follow-up: death, else the latest outcome or scan date.",
    "progression_date": "Date of the first progression after the origin (null when none).",
    "os_days": "Overall survival time from the origin to death or censoring.",
    "os_event": "Overall survival event: true = died, false = censored.",
    "os_from_diagnosis_days": "Overall survival time from diagnosis to death or censoring.",
    "pfs_days": "Progression-free survival time from the origin to progression, death or censoring.",
    "pfs_event": "PFS event: true = progressed or died, false = censored.",
    "ttp_days": "Time to progression from the origin (deaths without progression censored).",
    "ttp_event": "TTP event: true = progressed, false = censored (death counts as censoring).",
    "death_records": "Number of death outcomes recorded for the patient (more than one is an audit finding).",
    "timepoint_id": "ID of the dual-PET timepoint (an SSTR and an FDG scan read together).",
    "timepoint_number": "Order of the timepoint within the patient: 1 = first (baseline).",
    "timepoint_date": "Date of the timepoint: the later of its two scans.",
    "sstr_scan_id": "ID of the somatostatin-receptor (SSTR) PET scan of the timepoint.",
    "fdg_scan_id": "ID of the FDG PET scan of the timepoint.",
    "sstr_tracer": "Tracer of the SSTR scan.",
    "sstr_scan_date": "Date of the SSTR PET scan.",
    "fdg_scan_date": "Date of the FDG PET scan.",
    "pairing_gap_days": "Days between the timepoint's SSTR and FDG scans.",
    "row_hash": "DuckDB's 64-bit hash of one whole row; the audit sums these to tell that no row changed.",
    "recorded_score": f"The site's recorded score: {_SCORE} as reported on the scan (null when not recorded).",
    "derived_score": f"The derived score: {_SCORE} computed by the registry from the lesion reads "
    "(null without reads).",
    "p4_subclass": "P4a (1-2 lesions with FDG above SSTR uptake) or P4b (3 or more); null unless the score is 4.",
    "lesion_count": "Number of lesion reads of the timepoint.",
    "score": f"The score analyses use: {_SCORE}, derived or recorded as the setting score_source says.",
    "cohort_name": "Name of the saved cohort.",
    "entry_event": "The cohort's entry event (time zero): diagnosis, first dual-PET timepoint or first PRRT.",
    "entry_date": "Date the patient entered the cohort (the entry event's date).",
    "end_of_followup_date": "Administrative end of follow-up of the cohort (null: none).",
    "lesion_id": "The lesion's ID within the patient, stable across timepoints.",
    "location": "Anatomical location of the lesion.",
    "lesion_class": "NETPET lesion class: negative, sstr_only, concordant_lower/similar/higher or discordant.",
    "class_score": "The NETPET score (0-5) the lesion's class implies.",
    "previous_class": "The lesion's class at the previous timepoint with reads (null when first seen).",
    "status": "baseline, new, persisting, changed or resolved against the previous read timepoint.",
    "change": "worse or better when the lesion's implied score rose or fell (null otherwise).",
    "sets_score": "True when this lesion sets the timepoint's derived score (it has the highest class score).",
    "first_timepoint_date": "Date of the first dual-PET timepoint.",
    "is_dead": "True when a death is recorded.",
    "direction": "derived_higher or derived_lower: how the derived score differs from the recorded one.",
    "explaining_count": "Number of lesions whose class explains the difference.",
    "explaining_lesions": "The lesions that explain the difference, with their classes.",
    "interval_number": "Order of the (start, stop] interval within the patient.",
    "start_date": "Start date (of the interval, or of the treatment course).",
    "stop_date": "End date of the interval: the next timepoint, death or censoring.",
    "tstart_days": "Interval start in days from the origin (counting-process start).",
    "tstop_days": "Interval stop in days from the origin (counting-process stop).",
    "event": "True when the patient died at the interval's stop.",
    "treatment_id": "ID of the treatment course.",
    "treatment": "The treatment given.",
    "course_number": "Order of this course among the patient's courses of the same treatment (1 = first).",
    "end_date": "End date of the treatment course (null when ongoing).",
    "cycles": "Number of cycles given (PRRT, chemotherapy).",
    "activity_gbq": "Total administered activity (PRRT).",
    "stop_reason": "Why the treatment stopped.",
    "days_since_timepoint": "Days from the scoring timepoint to the start of the course.",
    "outcome": "The outcome recorded: death, progression or last contact.",
    "outcome_date": "Date of the outcome.",
    "detail": "Free-text detail of the outcome as recorded by the site (e.g. the response criteria used).",
    "batch_id": "The import batch that wrote the row (netpet history).",
}


def documented_relations(reg: Registry) -> list[str]:
    """Return the names of the views and exported tables the dictionary documents, sorted."""
    views = reg.query_file("queries", "registry_views", {"is_postgres": reg.is_postgres})["view_name"].to_list()
    return sorted({*views, *EXPORTED_TABLES})


def view_columns(reg: Registry, view: str) -> pl.DataFrame:
    """Return one view's columns in order: column, type, unit, levels and meaning."""
    if view not in documented_relations(reg):
        raise RegistryError(f"no view named {view!r}; `netpet views` lists them")
    columns = reg.query_file("queries", "relation_columns", {"relation": view, "is_postgres": reg.is_postgres})
    return columns.select(
        "column",
        pl.col("type").str.to_lowercase(),
        pl.col("column").replace_strict(UNITS, default="").alias("unit"),
        pl.col("column").map_elements(lambda c: ", ".join(LEVELS.get(c, ())), return_dtype=pl.String).alias("levels"),
        pl.col("column").replace_strict(MEANINGS, default=None).alias("meaning"),
    )


def data_dictionary_markdown(reg: Registry) -> str:
    """Return the data dictionary as Markdown: one section per view with its description and column table."""
    comments = dict(reg.query_file("queries", "registry_views", {"is_postgres": reg.is_postgres}).iter_rows())
    lines = [
        "# Data dictionary",
        "",
        "Every column of the registry's analysis views (`netpet views NAME` prints one view; this file is written",
        "by `netpet views --format md`). Levels are listed in clinical order, the order analyses and exports use.",
        "",
    ]
    for name in documented_relations(reg):
        lines += [f"## {name}", "", comments.get(name) or f"The registry's `{name}` table.", ""]
        lines += [markdown_table(view_columns(reg, name)), ""]
    return "\n".join(lines)


def markdown_table(frame: pl.DataFrame) -> str:
    """Render a frame as a Markdown table (nulls as empty cells, `|` escaped)."""
    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    rows = [f"| {' | '.join(cell(v) for v in row)} |" for row in frame.iter_rows()]
    return "\n".join([f"| {' | '.join(frame.columns)} |", "|---" * frame.width + "|", *rows])
