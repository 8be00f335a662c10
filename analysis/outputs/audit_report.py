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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from netpet.registry.audit import check_summary, has_errors, run_checks
from netpet.registry.suppression import suppress_grid, suppress_vector

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netpet.registry import Registry
    from netpet.registry.import_files import Progress

#: Patient fields whose completeness the report measures: column in audit_patient_fields -> label.
FIELDS: dict[str, str] = {
    "has_sex": "sex",
    "has_birth_date": "birth date",
    "has_primary_site": "primary site",
    "has_who_grade": "WHO grade",
    "has_ki67_percent": "Ki-67",
    "has_scored_timepoint": "scored timepoint",
}
GROUP_ORDER = ("P0", "P1", "P2-4", "P5", "no score")
TREATMENT_ORDER = ("prrt", "ssa", "chemotherapy", "targeted", "liver_directed", "surgery", "other", "none")
#: Treatments counted as following a timepoint when started within this many days of it.
TREATMENT_WINDOW_DAYS = 180
TOTAL = "Total"
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


# -- suppression helpers ------------------------------------------------------------------------------


def _pct(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.0f}%" if denominator else "-"


def _binary_grid(
    groups: Sequence[str],
    yes: Sequence[int],
    total: Sequence[int],
    threshold: int,
    *,
    hidden: Sequence[tuple[int, int]] = (),
) -> tuple[list[str], list[str], set[tuple[int, int]]]:
    """Suppress a groups x {yes, no} table with its margins; the group totals are suppressed first.

    Returns per group (and the total row) the `yes` text, `n (p%)` when both it and the group total are
    shown, else `<5` or `*`; the group total's text; and the hidden margin entries as `(row, col)`
    (column 2 holds the group totals, the last row the column totals). `hidden` forces entries hidden
    that another table sharing them hides.
    """
    counts = np.array([[y, t - y] for y, t in zip(yes, total, strict=True)], dtype=np.int64).reshape(-1, 2)
    n = len(groups)
    full, result = suppress_grid(counts, threshold, row_totals_first=True, hidden=hidden)
    yes_text, total_text = [], []
    for i in range(n + 1):
        shown = result.status[i * 3] is None and result.status[i * 3 + 2] is None
        yes_text.append(
            f"{full[i, 0]} ({_pct(int(full[i, 0]), int(full[i, 2]))})"
            if shown
            else result.label(i * 3)
        )
        total_text.append(result.label(i * 3 + 2))
    margins = [(i, 2) for i in range(n + 1)] + [(n, 0), (n, 1)]
    return yes_text, total_text, {(i, j) for i, j in margins if result.status[i * 3 + j] is not None}


def _paired_completeness(
    tables: dict[str, tuple[list[str], pl.DataFrame]], threshold: int
) -> dict[str, dict[str, list[str]]]:
    """Suppress the per-field grids of several breakdowns of the same patients consistently.

    Within a breakdown every field's grid shares the group totals; across breakdowns (by site, by year)
    a field's grids share its column totals, and all share the grand total. A total hidden anywhere is
    hidden everywhere it appears, repeated until nothing more is hidden, so that no table gives away
    what another hides.
    """
    group_hidden: dict[str, set[int]] = {name: set() for name in tables}
    margin_hidden: dict[str, set[int]] = {label: set() for label in FIELDS.values()}
    grand_hidden = False
    while True:
        texts: dict[str, dict[str, list[str]]] = {name: {} for name in tables}
        changed = False
        for column, label in FIELDS.items():
            for name, (groups, agg) in tables.items():
                n = len(groups)
                forced = [(i, 2) for i in group_hidden[name]] + [(n, j) for j in margin_hidden[label]]
                yes_text, total_text, hidden = _binary_grid(
                    groups,
                    agg[column].to_list(),
                    agg["patients"].to_list(),
                    threshold,
                    hidden=forced + ([(n, 2)] if grand_hidden else []),
                )
                texts[name][label] = yes_text
                texts[name]["patients"] = total_text
                rows = {i for i, j in hidden if j == 2 and i < n}
                margins = {j for i, j in hidden if i == n and j < 2}
                grand = (n, 2) in hidden
                if (
                    not rows <= group_hidden[name]
                    or not margins <= margin_hidden[label]
                    or grand > grand_hidden
                ):
                    changed = True
                group_hidden[name] |= rows
                margin_hidden[label] |= margins
                grand_hidden = grand_hidden or grand
        if not changed:
            return texts


# -- the tables -----------------------------------------------------------------------------------------


def completeness_tables(
    fields: pl.DataFrame, *, by: Sequence[str], threshold: int
) -> dict[str, pl.DataFrame]:
    """Return, per breakdown in `by`, the patients with each field filled in, per group and in total.

    Parameters
    ----------
    fields
        The frame of `sql/queries/audit_patient_fields.sql` (one row per patient, `has_*` booleans).
    by
        Breakdown columns, e.g. `("site", "diagnosis_year")`; suppressed together (see
        `_paired_completeness`).
    threshold
        The small-cell threshold.

    Returns
    -------
    dict[str, pl.DataFrame]
        Per breakdown, text columns: the group, `patients`, then one `n (p%)` column per field.
    """
    tables = {}
    for name in by:
        agg = (
            fields.group_by(name)
            .agg(pl.len().alias("patients"), *[pl.col(c).sum().alias(c) for c in FIELDS])
            .sort(name)
        )
        tables[name] = ([str(g) for g in agg[name].to_list()], agg)
    texts = _paired_completeness(tables, threshold)
    out = {}
    for name, (groups, _) in tables.items():
        columns = {"patients": texts[name].get("patients", [])} | {
            k: v for k, v in texts[name].items() if k != "patients"
        }
        out[name] = pl.DataFrame(
            {name: [*groups, TOTAL], **columns}, schema=dict.fromkeys([name, *columns], pl.String)
        )
    return out


def delay_table(delays: pl.DataFrame, *, by: str, threshold: int) -> pl.DataFrame:
    """Return scans with a known registry entry date and the median days from scan to entry, per group.

    A group of fewer than `threshold` patients shows neither its scan count nor its median; scan counts
    are then suppressed like patient counts.
    """
    agg = (
        delays.group_by(by)
        .agg(
            pl.len().alias("scans"),
            pl.col("patient_id").n_unique().alias("patients"),
            pl.col("delay_days").median().alias("median"),
        )
        .sort(by)
    )
    groups = [str(g) for g in agg[by].to_list()]
    patients = [*agg["patients"].to_list(), delays["patient_id"].n_unique()]
    small = [i for i, n in enumerate(patients) if 0 < n < threshold]
    result = suppress_vector(agg["scans"].to_list(), threshold, hidden=small)
    medians = [*agg["median"].to_list(), delays["delay_days"].median() if delays.height else None]
    shown_median = [f"{m:.0f}" if m is not None and i not in small else "*" for i, m in enumerate(medians)]
    return pl.DataFrame(
        {
            by: [*groups, TOTAL],
            "scans": [result.label(i) for i in range(len(groups) + 1)],
            "median days scan to entry": shown_median,
        }
    )


def reverse_km_median(time: Sequence[float], dead: Sequence[bool]) -> float | None:
    """Return the reverse Kaplan-Meier median follow-up: KM with censoring as the event, deaths censored.

    Schemper & Smith 1996. The median follows R's rule (`netpet.analysis.survival.km`); None when never reached.
    """
    from netpet.analysis.survival.km import km_summary

    if len(time) == 0:
        return None
    frame = pl.DataFrame({"time": np.asarray(time, dtype=float), "event": (~np.asarray(dead, dtype=bool)).astype(int)})
    median = km_summary(frame)["median"][0]
    return None if median is None else float(median)


def completeness_index(observed_days: Sequence[float], potential_days: Sequence[float]) -> float | None:
    """Return Clark's completeness index: observed person-time over potential person-time to `as_of`.

    Clark, Altman & De Stavola, Lancet 2002;359:1309-10. Deaths count as complete follow-up.
    """
    potential = float(np.sum(potential_days))
    return float(np.sum(observed_days)) / potential if potential > 0 else None


def followup_table(followup: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Return patients, deaths, reverse-KM median follow-up (months) and Clark's C per site and in total.

    The median and index are shown only for groups of at least `threshold` patients.
    """
    sites = sorted(followup["site"].unique().to_list())
    parts = [followup.filter(pl.col("site") == s) for s in sites] + [followup]
    patients = [p.height for p in parts[:-1]]
    deaths = [int(p["is_dead"].sum()) for p in parts[:-1]]
    dead_text, total_text, _ = _binary_grid(sites, deaths, patients, threshold)
    medians, indices = [], []
    for p in parts:
        if p.height < threshold:
            medians.append("*")
            indices.append("*")
            continue
        m = reverse_km_median(p["observed_days"].to_list(), p["is_dead"].to_list())
        medians.append(f"{m / 30.4375:.1f}" if m is not None else "not reached")
        c = completeness_index(p["observed_days"].to_list(), p["potential_days"].to_list())
        indices.append(f"{c:.2f}" if c is not None else "-")
    return pl.DataFrame(
        {
            "site": [*sites, TOTAL],
            "patients": total_text,
            "deaths": dead_text,
            "median follow-up (months, reverse KM)": medians,
            "completeness index (Clark C)": indices,
        }
    )


def practice_by_group(practice: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Return timepoints by NETPET group x first treatment after them, suppressed, with row percentages."""
    groups = [g for g in GROUP_ORDER if g in set(practice["netpet_group"].to_list())]
    classes = list(TREATMENT_ORDER)
    counts = np.zeros((len(groups), len(classes)), dtype=np.int64)
    for g, c, n in practice.group_by("netpet_group", "next_treatment").len().iter_rows():
        counts[groups.index(g), classes.index(c)] = n
    full, result = suppress_grid(counts, threshold)
    width = len(classes) + 1
    data: dict[str, list[str]] = {"NETPET group": [*groups, TOTAL]}
    for j, name in enumerate([*classes, "timepoints"]):
        column = []
        for i in range(len(groups) + 1):
            cell, row_total = i * width + j, i * width + width - 1
            shown = result.status[cell] is None and result.status[row_total] is None
            if shown and j < len(classes):
                column.append(f"{full[i, j]} ({_pct(int(full[i, j]), int(full[i, -1]))})")
            else:
                column.append(result.label(cell))
        data[name] = column
    return pl.DataFrame(data)


def practice_by_site(practice: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Return per site the patients with a P1 (or P5) timepoint and those given PRRT after one.

    PRRT suits P1; after P5 (discordant FDG+/SSTR- disease) it runs against guidance (Chan et al. 2017).
    Counts are of patients, so that the threshold protects people rather than scans.
    """
    sites = sorted(practice["site"].unique().to_list())
    data: dict[str, list[str]] = {"site": [*sites, TOTAL]}
    for group in ("P1", "P5"):
        per_patient = (
            practice.filter(pl.col("netpet_group") == group)
            .group_by("site", "patient_id")
            .agg(pl.col("prrt_given").any())
            .group_by("site")
            .agg(pl.len().alias("patients"), pl.col("prrt_given").sum().alias("prrt"))
        )
        counts = {site: (n, k) for site, n, k in per_patient.iter_rows()}
        total = [counts.get(s, (0, 0))[0] for s in sites]
        prrt = [counts.get(s, (0, 0))[1] for s in sites]
        yes_text, total_text, _ = _binary_grid(sites, prrt, total, threshold)
        data[f"{group} patients"] = total_text
        data[f"PRRT after {group}"] = yes_text
    return pl.DataFrame(data)


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
    t = followup["observed_days"].to_numpy().astype(float) / 30.4375
    event = ~followup["is_dead"].to_numpy().astype(bool)
    xs, ys, surv = [0.0], [1.0], 1.0
    for u in np.unique(t[event]):
        surv *= 1 - np.sum((t == u) & event) / np.sum(t >= u)
        xs.append(float(u))
        ys.append(surv)
    ax.step(xs, ys, where="post", color="#3b6ea5")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("months since first dual-PET timepoint")
    ax.set_ylabel("still followed")
    return ax


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
        return f"<{threshold}" if 0 < n < threshold else str(n)

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
    fields = reg.query_file("queries", "audit_patient_fields", params)
    delays = reg.query_file("queries", "audit_registration_delays", params)
    followup = reg.query_file("queries", "audit_followup", params)
    practice = reg.query_file("queries", "audit_treatment_after_timepoint", params)
    shown = (
        f"* marks a hidden count: from 1 to {threshold - 1}, or hidden beside one so that none can be worked "
        "out from the totals."
    )
    completeness = completeness_tables(fields, by=("site", "diagnosis_year"), threshold=threshold)
    by_site = completeness["site"]
    report.tables = [
        AuditTable(
            "checks",
            "Data checks",
            "Failing rows and patients per check; an empty check passes.",
            _check_table(
                summary,
                threshold,
                {
                    "as_of": as_of,
                    "lost_after_days": lost_after_days,
                    "pairing_window_days": reg.setting("pairing_window_days"),
                },
            ),
        ),
        AuditTable(
            "completeness_by_site",
            "Completeness by site",
            f"Patients with each field filled in: n (% of the site's patients). {shown}",
            by_site,
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
            followup_table(followup, threshold=threshold),
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
    discordant = practice.filter((pl.col("netpet_group") == "P5") & pl.col("prrt_given"))
    if include_ids:
        report.tables.append(
            AuditTable(
                "failing_rows",
                "Failing rows (internal: contains patient IDs)",
                "Every row a check returned.",
                failures,
            )
        )
        report.tables.append(
            AuditTable(
                "discordant_prrt",
                "P5 timepoints followed by PRRT (internal: contains patient IDs)",
                "For clinical review.",
                discordant.select(
                    "patient_id", "timepoint_id", pl.col("site"), pl.col("timepoint_date").cast(pl.String)
                ),
            )
        )
    if fields.height:
        report.figures["Share of patients with each field filled in (all sites)"] = _png(
            plot_completeness(by_site)
        )
    if followup.height >= threshold:
        report.figures["Reverse Kaplan-Meier curve of follow-up (all sites)"] = _png(
            plot_reverse_km(followup)
        )
    return report


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
