"""The data manager's audit report: checks, completeness, timeliness, follow-up and practice, suppressed.

This module owns the report's tables and their assembly into one self-contained HTML file with CSVs
beside it. The checks themselves are `netpet.registry.audit`; small-cell suppression is `netpet.registry.suppression`.
Every count shown passes through suppression; patient IDs appear only with `include_ids=True`.
"""

from __future__ import annotations

import base64
import html
import importlib.resources
import io
import string
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from netpet.analysis.outputs.audit_tables import (
    FIELDS,
    TOTAL,
    completeness_tables,
    delay_table,
    followup_table,
    practice_by_group,
    practice_by_site,
)
from netpet.analysis.vocabulary import TIME_UNITS
from netpet.registry.audit import check_summary, has_errors, run_checks
from netpet.registry.suppression import is_small

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netpet.registry import Registry
    from netpet.registry.import_files import Progress

#: Treatments counted as following a timepoint when started within this many days of it.
TREATMENT_WINDOW_DAYS = 180
#: The column whose non-zero counts the report highlights.
FLAGGED_COLUMN = "PRRT after P5"


@dataclass
class AuditTable:
    """One table of the report: its file stem, title, a note on how to read it, and its text cells."""

    name: str
    title: str
    note: str
    frame: pl.DataFrame


@dataclass
class AuditReport:
    """Everything `netpet audit` writes: the tables, the failing rows, figures, and whether errors failed."""

    as_of: date
    threshold: int
    include_ids: bool
    failures: pl.DataFrame
    summary: pl.DataFrame
    tables: list[AuditTable] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # title -> base64 PNG

    @property
    def failed(self) -> bool:
        """True when a check of severity `error` failed (the command then exits non-zero)."""
        return has_errors(self.failures)


# -- figures ---------------------------------------------------------------------------------------------


def plot_completeness(table: pl.DataFrame, ax: Axes | None = None) -> Axes:
    """Draw the overall share complete per field as horizontal bars (suppressed shares are left out)."""
    if ax is None:
        ax = _axes()
    total = table.row(table.height - 1, named=True)
    labels, shares = [], []
    for label in FIELDS.values():
        text = total[label]
        if "(" in text:
            labels.append(label)
            shares.append(float(text.split("(")[1].rstrip("%)")))
    ax.barh(labels, shares, color="#3b6ea5")
    ax.set_xlim(0, 100)
    ax.set_xlabel("patients with the field filled in (%)")
    ax.invert_yaxis()
    return ax


def plot_reverse_km(followup: pl.DataFrame, ax: Axes | None = None) -> Axes:
    """Draw the reverse Kaplan-Meier curve of follow-up (probability of still being followed), in months."""
    if ax is None:
        ax = _axes()
    xs, ys = reverse_km_steps(followup)
    ax.step(xs, ys, where="post", color="#3b6ea5")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("months since first dual-PET timepoint")
    ax.set_ylabel("still followed")
    return ax


def reverse_km_steps(followup: pl.DataFrame) -> tuple[list[float], list[float]]:
    """Return the reverse Kaplan-Meier curve's step points (months, probability still followed), from time 0.

    One sort and a cumulative product rather than a pass over every patient per distinct time (seconds at a
    million patients); each step multiplies by the same `1 - censored / at risk` in the same order.
    """
    t = followup["observed_days"].to_numpy().astype(float) / TIME_UNITS["months"]
    event = ~followup["is_dead"].to_numpy().astype(bool)
    times, censored = np.unique(t[event], return_counts=True)
    at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")
    surv = np.cumprod(1 - censored / at_risk)
    return [0.0, *times.tolist()], [1.0, *surv.tolist()]


def _axes() -> Axes:
    """One axes on a new figure made without pyplot (no global state, no backend import; 0.5 s less)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(6, 2.8)).subplots()


def _png(ax: Axes) -> str:
    from matplotlib.figure import Figure

    figure = ax.figure
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# -- assembly --------------------------------------------------------------------------------------------


def _check_table(summary: pl.DataFrame, threshold: int, params: dict[str, object]) -> pl.DataFrame:
    """Return the check summary with small counts hidden and `$parameters` in descriptions filled in."""

    def small(n: int) -> str:
        return f"<{threshold}" if is_small(n, threshold) else str(n)

    def fill(text: str) -> str:
        return string.Template(text).safe_substitute({k: str(v) for k, v in params.items()})

    return summary.select(
        "check",
        pl.col("description").map_elements(fill, return_dtype=pl.String),
        "severity",
        pl.col("failing_rows").map_elements(small, return_dtype=pl.String),
        pl.col("patients").map_elements(small, return_dtype=pl.String),
        "status",
    )


def audit_report(
    reg: Registry,
    *,
    as_of: date,
    threshold: int | None = None,
    include_ids: bool = False,
    lost_after_days: int = 365,
    progress: Progress | None = None,
) -> AuditReport:
    """Build the audit report's tables and figures.

    Parameters
    ----------
    reg
        An open registry.
    as_of
        The date the audit describes.
    threshold
        Small-cell threshold; default the registry setting `min_cell_count`.
    include_ids
        Add the failing rows with patient IDs to the report (internal use only).
    lost_after_days
        Passed to the `lost_to_follow_up` check.
    progress
        Called as `progress("checks", done, total)` while the checks run.

    Returns
    -------
    AuditReport
        Suppressed text tables, embedded figures and the raw failing rows.
    """
    threshold = int(threshold if threshold is not None else reg.setting("min_cell_count"))
    failures = run_checks(reg, as_of=as_of, lost_after_days=lost_after_days, progress=progress)
    summary = check_summary(failures)
    report = AuditReport(as_of, threshold, include_ids, failures, summary)
    params = {"as_of": as_of, "window_days": TREATMENT_WINDOW_DAYS}
    frames = {name: reg.query_file("queries", f"audit_{name}", params)
              for name in ("patient_fields", "registration_delays", "followup")}
    frames["practice"], discordant = _practice_frames(reg, params, include_ids=include_ids)
    checks = _check_table(summary, threshold, {"as_of": as_of, "lost_after_days": lost_after_days,
                                               "pairing_window_days": reg.setting("pairing_window_days")})
    report.tables = [AuditTable("checks", "Data checks", "Failing rows and patients per check; an empty check passes.",
                                checks), *_aggregate_tables(frames, as_of=as_of, threshold=threshold)]
    if include_ids:
        report.tables += _row_level_tables(failures, discordant)
    by_site = report.tables[1].frame
    if frames["patient_fields"].height:
        report.figures["Share of patients with each field filled in (all sites)"] = _png(
            plot_completeness(by_site)
        )
    if frames["followup"].height >= threshold:
        report.figures["Reverse Kaplan-Meier curve of follow-up (all sites)"] = _png(
            plot_reverse_km(frames["followup"])
        )
    return report


def _practice_frames(
    reg: Registry, params: dict[str, object], *, include_ids: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the practice counts and (with `include_ids`) the discordant P5 timepoints given PRRT.

    The treatment after each timepoint is found once into a temp table and counted there, so that a million
    patients' 3.2M timepoint rows never reach Python (only the discordant ones, and only with `include_ids`).
    """
    reg.query_file("queries", "audit_treatment_after_timepoint", params)
    try:
        counts = reg.query_file("queries", "audit_practice_counts")
        discordant = reg.query_file("queries", "audit_discordant_prrt") if include_ids else pl.DataFrame()
    finally:
        reg.query_file("queries", "audit_drop_practice")
    return counts, discordant


def _aggregate_tables(frames: dict[str, pl.DataFrame], *, as_of: date, threshold: int) -> list[AuditTable]:
    """The audit's aggregate tables (completeness, timeliness, follow-up, practice), small cells suppressed."""
    shown = (
        f"* marks a hidden count: from 1 to {threshold - 1}, or hidden beside one so that none can be worked "
        "out from the totals."
    )
    completeness = completeness_tables(frames["patient_fields"], by=("site", "diagnosis_year"), threshold=threshold)
    delays, practice = frames["registration_delays"], frames["practice"]
    return [
        AuditTable(
            "completeness_by_site",
            "Completeness by site",
            f"Patients with each field filled in: n (% of the site's patients). {shown}",
            completeness["site"],
        ),
        AuditTable(
            "completeness_by_year",
            "Completeness by year of diagnosis",
            f"Patients with each field filled in: n (% of the year's patients). {shown}",
            completeness["diagnosis_year"],
        ),
        AuditTable(
            "timeliness_by_site",
            "Timeliness by site",
            f"Scans whose import batch is known, and the median days from scan to registry entry. {shown}",
            delay_table(delays, by="site", threshold=threshold),
        ),
        AuditTable(
            "timeliness_by_year",
            "Timeliness by year of scan",
            f"As above, by the year of the scan. {shown}",
            delay_table(delays, by="scan_year", threshold=threshold),
        ),
        AuditTable(
            "followup_by_site",
            "Follow-up completeness",
            f"From the first dual-PET timepoint to {as_of}: reverse Kaplan-Meier median follow-up and "
            f"Clark's completeness index (observed / potential person-time). {shown}",
            followup_table(frames["followup"], threshold=threshold),
        ),
        AuditTable(
            "practice_by_group",
            "Treatment after each timepoint by NETPET group",
            f"Timepoints by the first treatment started within {TREATMENT_WINDOW_DAYS} days (before the "
            f"next timepoint): n (% of the group). PRRT suits P1; P5 (discordant) disease is not suited "
            f"to PRRT. {shown}",
            practice_by_group(practice, threshold=threshold),
        ),
        AuditTable(
            "practice_by_site",
            "PRRT after P1 and after P5 by site",
            f"Patients with a P1 (or P5) timepoint, and those who started PRRT within "
            f"{TREATMENT_WINDOW_DAYS} days of one. PRRT after P5 runs "
            f"against guidance and is highlighted. {shown}",
            practice_by_site(practice, threshold=threshold),
        ),
    ]


def _row_level_tables(failures: pl.DataFrame, discordant: pl.DataFrame) -> list[AuditTable]:
    """The tables with patient IDs, for the data manager only (`include_ids`)."""
    discordant = discordant.sort("patient_id", "timepoint_date", "timepoint_id")  # the query's rows come unordered
    return [
        AuditTable("failing_rows", "Failing rows (internal: contains patient IDs)", "Every row a check returned.",
                   failures),
        AuditTable(
            "discordant_prrt",
            "P5 timepoints followed by PRRT (internal: contains patient IDs)",
            "For clinical review.",
            discordant.select("patient_id", "timepoint_id", pl.col("site"), pl.col("timepoint_date").cast(pl.String)),
        ),
    ]


def _table_html(table: AuditTable) -> str:
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.frame.columns)
    flagged = {FLAGGED_COLUMN} & set(table.frame.columns)
    rows = []
    for row in table.frame.iter_rows(named=True):
        cells = []
        for column, value in row.items():
            text = "" if value is None else str(value)
            css = ""
            if text.startswith("<") or text == "*":
                css = ' class="supp"'
            elif column in flagged and text != "0" and not text.startswith("0 "):
                css = ' class="flag"'  # discordant disease treated with PRRT: against guidance
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        row_class = ' class="total"' if next(iter(row.values()), None) == TOTAL else ""
        rows.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return (
        f'<section id="{table.name}"><h2>{html.escape(table.title)}</h2><p class="note">'
        f'{html.escape(table.note)}</p><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="csv">CSV: <code>{table.name}.csv</code></p></section>'
    )


def render_html(report: AuditReport, *, version: str = "") -> str:
    """Return the report as one self-contained HTML page (inline CSS, JS and figures; no network)."""
    template = string.Template(
        importlib.resources.files("netpet.analysis.outputs")
        .joinpath("templates", "audit.html")
        .read_text(encoding="utf-8")
    )
    errors = int((report.failures["severity"] == "error").sum())
    status = (
        "FAILED: error-severity checks fail" if report.failed else "passed: no error-severity check fails"
    )
    sections = [_table_html(t) for t in report.tables]
    figures = "".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
        for title, data in report.figures.items()
    )
    if figures:
        sections.insert(1, f'<section id="figures"><h2>Figures</h2>{figures}</section>')
    titles = [(t.name, t.title) for t in report.tables]
    if figures:
        titles.insert(1, ("figures", "Figures"))
    toc = "".join(f'<li><a href="#{name}">{html.escape(title)}</a></li>' for name, title in titles)
    return template.substitute(
        as_of=report.as_of.isoformat(),
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        threshold=report.threshold,
        status=html.escape(status),
        status_class="fail" if report.failed else "pass",
        errors=f"<{report.threshold}" if 0 < errors < report.threshold else errors,
        version=html.escape(version),
        toc=toc,
        sections="\n".join(sections),
    )


def write_audit(report: AuditReport, out_dir: str | Path, *, version: str = "") -> list[Path]:
    """Write `audit.html` and one CSV per table into `out_dir`, whole or not at all (`netpet.registry.whole_folder`).

    Row-level files (`failing_rows.csv`, `discordant_prrt.csv`, with registry IDs) are tables of the report
    only when it was made with `include_ids`; without it the folder holds suppressed aggregates only.

    Returns
    -------
    list[Path]
        The files written.
    """
    from netpet.registry.whole_folder import whole_folder

    names = ["audit.html"]
    with whole_folder(out_dir, last="audit.html") as staging:
        (staging / "audit.html").write_text(render_html(report, version=version), encoding="utf-8")
        for table in report.tables:
            names.append(f"{table.name}.csv")
            table.frame.write_csv(staging / names[-1])
    return [Path(out_dir) / name for name in names]
