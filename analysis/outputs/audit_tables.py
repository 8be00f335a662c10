"""The audit report's tables: completeness, registration delays, follow-up (reverse KM, completeness index) and
practice by NETPET group and site, each with small cells suppressed so that none can be worked out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from netpet.analysis.vocabulary import TIME_UNITS
from netpet.registry.suppression import is_small, suppress_grid, suppress_vector

if TYPE_CHECKING:

    pass


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
TOTAL = "Total"


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


def completeness_tables(
    fields: pl.DataFrame, *, by: Sequence[str], threshold: int
) -> dict[str, pl.DataFrame]:
    """Return, per breakdown in `by`, the patients with each field filled in, per group and in total.

    Parameters
    ----------
    fields
        The frame of `sql/queries/audit_patient_fields.sql`: per `breakdown` and group, `patients` and the
        count of each `has_*` field filled in.
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
        agg = fields.filter(pl.col("breakdown") == name).sort(name)
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

    `delays` is the frame of `sql/queries/audit_registration_delays.sql` (scans, patients and median per
    `breakdown`). A group of fewer than `threshold` patients shows neither its scan count nor its median;
    scan counts are then suppressed like patient counts.
    """
    agg = delays.filter(pl.col("breakdown") == by).sort(by)
    total = delays.filter(pl.col("breakdown") == "total").row(0, named=True)
    groups = [str(g) for g in agg[by].to_list()]
    patients = [*agg["patients"].to_list(), total["patients"]]
    small = [i for i, n in enumerate(patients) if is_small(n, threshold)]
    result = suppress_vector(agg["scans"].to_list(), threshold, hidden=small)
    medians = [*agg["median_delay_days"].to_list(), total["median_delay_days"]]
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
        medians.append(f"{m / TIME_UNITS['months']:.1f}" if m is not None else "not reached")
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
    """Return timepoints by NETPET group x first treatment after them, suppressed, with row percentages.

    `practice` is the frame of `sql/queries/audit_practice_counts.sql` (timepoints per site, group and class).
    """
    present = set(practice["netpet_group"].to_list())
    groups = [g for g in GROUP_ORDER if g in present]
    classes = list(TREATMENT_ORDER)
    counts = np.zeros((len(groups), len(classes)), dtype=np.int64)
    for g, c, n in practice.select("netpet_group", "next_treatment", "timepoints").iter_rows():
        counts[groups.index(g), classes.index(c)] += n
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
    Counts are of patients, so that the threshold protects people rather than scans. `practice` is the frame
    of `sql/queries/audit_practice_counts.sql` (each group's patients per site repeated on its rows).
    """
    sites = sorted(practice["site"].unique().to_list())
    data: dict[str, list[str]] = {"site": [*sites, TOTAL]}
    for group in ("P1", "P5"):
        per_site = practice.filter(pl.col("netpet_group") == group).select("site", "patients", "prrt_patients")
        counts = {site: (n, k) for site, n, k in per_site.unique().iter_rows()}
        total = [counts.get(s, (0, 0))[0] for s in sites]
        prrt = [counts.get(s, (0, 0))[1] for s in sites]
        yes_text, total_text, _ = _binary_grid(sites, prrt, total, threshold)
        data[f"{group} patients"] = total_text
        data[f"PRRT after {group}"] = yes_text
    return pl.DataFrame(data)
