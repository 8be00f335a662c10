"""Pooled survival analysis across sites that share no rows: site summaries out, pooled results in.

The OHDSI network-study / DataSHIELD pattern: each site runs `site_summary` on its own registry and sends
the coordinator a JSON file holding only aggregates (per group and distinct time: numbers at risk, events,
censored). `pool_summaries` reads those files and computes the pooled Kaplan–Meier curves, the pooled
log-rank test and a site-stratified Cox model for the grouping. Without coarsening these equal R's
`survfit`, `survdiff` and `coxph(Surv(time, event) ~ group + strata(site))` on the combined rows, because
every one of them depends on the data only through those counts.

The Cox model is fitted by Newton–Raphson in which each site contributes its partial log-likelihood,
gradient and information at the current coefficients and the coordinator sums them
(`netpet.analysis.survival.pooled_cox`): with only categorical terms a site's contribution is a function of its risk-set
counts per group, so nothing but the counts ever leaves a site. Curves and tests come from `netpet.analysis.survival.km`
and `netpet.analysis.survival.logrank`, fed with the pooled counts; small-cell rules for what a site file may hold are
documented on `site_summary`.

Site files hold no patient IDs and no dates, but an exact event time per group is still a fine-grained
fact about a few patients: `coarsen` rounds times up to whole units before counting, after which the
pooled results approximate, rather than equal, the combined analysis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.serialise import json_ready
from netpet.analysis.survival.pooled_cox import FederatedCox, fit_stratified_cox

if TYPE_CHECKING:
    from pathlib import Path

    from netpet.analysis.studies.frames import SurvivalData
    from netpet.analysis.survival.counts import SurvivalCounts
    from netpet.analysis.survival.km import KMResult
    from netpet.analysis.survival.logrank import LogrankResult
    from netpet.registry import Registry

#: The `format` field of a site file and the version this module writes and reads.
FORMAT = "netpet-site-summary"
VERSION = 1

#: The normal quantile of 95% Wald intervals.
Z_975 = NormalDist().inv_cdf(0.975)

#: Fields that must agree between site files before they can be pooled.
_MUST_AGREE = ("endpoint", "origin", "time_unit", "by")


# --- the site side ---------------------------------------------------------------------------------------


def site_summary(
    reg: Registry,
    *,
    endpoint: str = "os",
    by: str = "netpet_group",
    time_unit: str = "months",
    coarsen: str | float | None = None,
    min_cell: int | None = None,
    site_label: str | None = None,
) -> dict[str, Any]:
    """Return a site's survival aggregates, JSON-ready, with no patient ID and no date.

    Parameters
    ----------
    reg
        The site's registry (read through `netpet.analysis.studies.frames.survival_frame`, origin the first timepoint).
    endpoint, by, time_unit
        As in `survival_frame`: the endpoint (os, pfs, ttp), the grouping and the unit of the times.
    coarsen
        None (exact times), a unit name ("weeks", "months", ...) or a width in `time_unit`: each time is
        rounded up to a whole multiple of that width before counting.
    min_cell
        Small-cell threshold; default the registry setting `min_cell_count`. See `summary_from_frame`.
    site_label
        A label for the site in pooled output (no label: the coordinator numbers the files).

    Returns
    -------
    dict with format, version, site, endpoint, origin, time_unit, by, coarsen_width, min_cell,
    suppressed_groups, excluded and groups (each: group, n, events, and per distinct time: time, n_risk,
    n_event, n_censor).
    """
    from netpet.analysis.studies.frames import survival_frame

    threshold = int(min_cell if min_cell is not None else reg.setting("min_cell_count"))
    data = survival_frame(reg, endpoint=endpoint, time_unit=time_unit, by=by)
    return summary_from_frame(data, coarsen=coarsen, min_cell=threshold, site_label=site_label)


def summary_from_frame(
    data: SurvivalData,
    *,
    coarsen: str | float | None = None,
    min_cell: int = 0,
    site_label: str | None = None,
) -> dict[str, Any]:
    """Reduce a site's survival frame to its per-group, per-time counts (the content of a site file).

    Small cells: a group with fewer than `min_cell` patients is left out of the file altogether and only
    the number of groups left out is reported (`suppressed_groups`); exclusion counts below `min_cell`
    are shown as "<min_cell". The per-time counts are risk-set aggregates and are not suppressed: most
    are 0 or 1 by nature, each is part of a cumulative count of at least `min_cell` patients, and hiding
    them would make pooling impossible. `coarsen` is the tool for making single event times less precise.
    Times are counted as they are, without R's timefix: the coordinator merges near-equal times over all
    sites at once, exactly as R does on the combined rows.
    """
    if data.origin != "first-timepoint":
        raise AnalysisError("site summaries use the first dual-PET timepoint as origin (no delayed entry)")
    width = coarsen_width(coarsen, data.time_unit)
    frame = data.frame.select("time", "event", pl.col("group").cast(pl.String))
    if width is not None:
        frame = frame.with_columns((pl.col("time") / width).ceil() * width)
    levels = _present_levels(frame, data.by)
    groups, suppressed = [], 0
    for label in levels:
        rows = frame.filter(pl.col("group") == label)
        if rows.height < min_cell:
            suppressed += 1
            continue
        groups.append(_group_counts(label, rows))
    return {
        "format": FORMAT,
        "version": VERSION,
        "site": site_label,
        "endpoint": data.endpoint,
        "origin": data.origin,
        "time_unit": data.time_unit,
        "by": data.by,
        "coarsen_width": width,
        "min_cell": min_cell,
        "suppressed_groups": suppressed,
        "excluded": {reason: n if n >= min_cell else f"<{min_cell}" for reason, n in data.excluded.items()},
        "groups": groups,
    }


def coarsen_width(coarsen: str | float | None, time_unit: str) -> float | None:
    """Return the coarsening width in `time_unit` for a unit name or a width (None: no coarsening)."""
    from netpet.analysis.vocabulary import TIME_UNITS
    if coarsen is None:
        return None
    if isinstance(coarsen, str) and coarsen in TIME_UNITS:
        return TIME_UNITS[coarsen] / TIME_UNITS[time_unit]
    try:
        width = float(coarsen)
    except ValueError:
        raise AnalysisError(
            f"cannot coarsen to {coarsen!r}: give a unit ({', '.join(TIME_UNITS)}) or a positive width"
        ) from None
    if not (math.isfinite(width) and width > 0):
        raise AnalysisError(f"the coarsening width must be positive; got {coarsen!r}")
    return width


def _present_levels(frame: pl.DataFrame, by: str | None) -> list[str]:
    from netpet.analysis.vocabulary import GROUPINGS

    present = sorted(set(frame.get_column("group").to_list()))
    order = GROUPINGS.get(by) if by else None
    return [level for level in order if level in present] if order else present


def _group_counts(label: str, rows: pl.DataFrame) -> dict[str, Any]:
    """Per distinct time: number at risk (time >= t), events and censored, for one group at one site."""
    per_time = (
        rows.group_by("time")
        .agg(n_event=pl.col("event").sum().cast(pl.Int64), n_exit=pl.len().cast(pl.Int64))
        .sort("time", descending=True)
        .with_columns(n_risk=pl.col("n_exit").cum_sum())
        .sort("time")
    )
    return {
        "group": label,
        "n": rows.height,
        "events": int(rows.get_column("event").sum()),
        "time": per_time.get_column("time").to_list(),
        "n_risk": per_time.get_column("n_risk").to_list(),
        "n_event": per_time.get_column("n_event").to_list(),
        "n_censor": (per_time.get_column("n_exit") - per_time.get_column("n_event")).to_list(),
    }


# --- the coordinator side --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PooledResult:
    """Pooled curves, tests and Cox model, and what went into them (site labels, counts)."""

    km: KMResult
    logrank: LogrankResult
    logrank_by_site: LogrankResult
    cox: FederatedCox | None
    sites: pl.DataFrame
    endpoint: str
    time_unit: str
    by: str | None
    coarsened: bool
    notes: list[str] = field(default_factory=list)

    @property
    def km_table(self) -> pl.DataFrame:
        """The pooled curves at every distinct time (the columns of `netpet.analysis.survival.km.km_table`)."""
        return self.km.table

    @property
    def km_summary(self) -> pl.DataFrame:
        """Per group: n, events, median and its limits (the columns of `netpet.analysis.survival.km.km_summary`)."""
        return self.km.summary

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of `netpet federate pool --format json` (NaN becomes null)."""
        return json_ready({  # type: ignore[return-value]  # a dict stays a dict
            "endpoint": self.endpoint,
            "time_unit": self.time_unit,
            "by": self.by,
            "coarsened": self.coarsened,
            "sites": self.sites.to_dicts(),
            "km_summary": self.km.summary.to_dicts(),
            "logrank": self.logrank._asdict(),
            "logrank_stratified_by_site": self.logrank_by_site._asdict(),
            "cox": None if self.cox is None else {
                "reference": self.cox.reference,
                "ties": self.cox.ties,
                "loglik_null": self.cox.loglik_null,
                "loglik": self.cox.loglik,
                "likelihood_ratio": asdict(self.cox.likelihood_ratio),
                "wald": asdict(self.cox.wald),
                "score": asdict(self.cox.score),
                "iterations": self.cox.iterations,
                "converged": self.cox.converged,
                "coefficients": self.cox.coefficients.to_dicts(),
            },
            "notes": self.notes,
        })


def pool_summaries(
    summaries: Sequence[Mapping[str, Any]],
    *,
    reference: str | None = None,
    ties: str = "efron",
    conf_type: str = "log",
) -> PooledResult:
    """Pool site summaries: Kaplan–Meier by group, log-rank, and a site-stratified Cox model.

    Parameters
    ----------
    summaries
        Site files as written by `site_summary` (already parsed from JSON); they must share endpoint,
        origin, time unit and grouping.
    reference
        Reference level of the Cox model; default the first level present (P1 for the NETPET group).
    ties
        "efron" (R's default) or "breslow" for the Cox model.
    conf_type
        Confidence-interval type of the curves (see `netpet.analysis.survival.km.km_fit`).

    Returns
    -------
    PooledResult: the curves equal `survfit(Surv(time, event) ~ group)` on the combined rows, `logrank`
    equals `survdiff(Surv(time, event) ~ group)`, `logrank_by_site` adds `+ strata(site)`, and `cox`
    equals `coxph(Surv(time, event) ~ group + strata(site), ties = ties)` (None with a single group).
    """
    from netpet.analysis.survival.km import km_fit
    from netpet.analysis.survival.logrank import logrank_where_defined

    first = _check_compatible(summaries)
    counts = pooled_counts(summaries)
    pooled = replace(counts, strata=np.zeros_like(counts.strata))
    notes = [f"{s.get('site') or f'site {i + 1}'}: {s['suppressed_groups']} small group(s) suppressed"
             for i, s in enumerate(summaries) if s["suppressed_groups"]]
    coarsened = sum(s.get("coarsen_width") is not None for s in summaries)
    if coarsened:
        notes.append(f"times were coarsened at {coarsened} site(s): results approximate the combined analysis")
    cox = None
    if len(counts.levels) > 1:
        cox = fit_stratified_cox(
            [counts.select(stratum=i) for i in range(len(summaries))],
            levels=counts.levels, reference=reference, ties=ties, term=first["by"] or "group",
        )
        if not cox.converged:
            notes.append(f"the Cox model did not converge in {cox.iterations} iterations")
    return PooledResult(
        km=km_fit(pooled, conf_type=conf_type),
        logrank=logrank_where_defined(pooled),
        logrank_by_site=logrank_where_defined(counts),
        cox=cox,
        sites=_site_table(summaries),
        endpoint=first["endpoint"],
        time_unit=first["time_unit"],
        by=first["by"],
        coarsened=coarsened > 0,
        notes=notes,
    )


def write_pooled(result: PooledResult, folder: Path) -> list[Path]:
    """Write the pooled KM table and summary, the Cox terms (CSV) and the whole result (JSON) to `folder`,
    whole or not at all (`netpet.registry.whole_folder`)."""
    import json

    from netpet.registry.whole_folder import whole_folder

    cox = result.cox.coefficients if result.cox is not None else pl.DataFrame({"term": []}, schema={"term": pl.String})
    tables = (("km_table", result.km_table), ("km_summary", result.km_summary), ("cox", cox))
    with whole_folder(folder, last="pooled.json") as staging:
        for name, frame in tables:
            frame.write_csv(staging / f"{name}.csv")
        (staging / "pooled.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    return [*(folder / f"{name}.csv" for name, _ in tables), folder / "pooled.json"]


def _check_compatible(summaries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    if not summaries:
        raise AnalysisError("no site summaries to pool")
    for i, s in enumerate(summaries):
        if s.get("format") != FORMAT or s.get("version") != VERSION:
            raise AnalysisError(
                f"site file {i + 1} is not a {FORMAT} version {VERSION} file (written by `netpet federate summarise`)"
            )
    first = summaries[0]
    for name in _MUST_AGREE:
        values = {str(s.get(name)) for s in summaries}
        if len(values) > 1:
            raise AnalysisError(f"site files differ in {name} ({', '.join(sorted(values))}); summarise them alike")
    return first


def _site_table(summaries: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    rows = [
        {
            "site": s.get("site") or f"site {i + 1}",
            "n": sum(g["n"] for g in s["groups"]),
            "events": sum(g["events"] for g in s["groups"]),
            "groups": len(s["groups"]),
            "suppressed_groups": s["suppressed_groups"],
        }
        for i, s in enumerate(summaries)
    ]
    return pl.DataFrame(rows, schema={"site": pl.String, "n": pl.Int64, "events": pl.Int64, "groups": pl.Int64,
                                      "suppressed_groups": pl.Int64}, orient="row")


def pooled_counts(summaries: Sequence[Mapping[str, Any]]) -> SurvivalCounts:
    """Return the sites' counts as one `SurvivalCounts`, stratum = site, times timefixed over all sites.

    Each site's (time, exits, events) per group are exactly what `netpet.analysis.survival.km.survival_counts`
    makes of its rows, so the curves and tests of the survival engine (km, logrank) apply unchanged. Near-equal
    times are merged across sites at once, as R's timefix does on the combined rows.
    """
    from netpet.analysis.survival.counts import SurvivalCounts, timefix
    from netpet.analysis.vocabulary import GROUPINGS

    by = summaries[0]["by"]
    present = {g["group"] for s in summaries for g in s["groups"]}
    order = GROUPINGS.get(by) if by else None
    levels = tuple(lv for lv in order if lv in present) if order else tuple(sorted(present))
    if not levels:
        raise AnalysisError("the site files hold no groups to pool (all empty or suppressed)")
    columns: dict[str, list[np.ndarray]] = {"time": [], "n": [], "d": [], "group": [], "strata": []}
    for site, summary in enumerate(summaries):
        for g in summary["groups"]:
            d = np.asarray(g["n_event"], dtype=float)
            columns["time"].append(np.asarray(g["time"], dtype=float))
            columns["d"].append(d)
            columns["n"].append(d + np.asarray(g["n_censor"], dtype=float))
            columns["group"].append(np.full(d.size, levels.index(g["group"]), dtype=np.int64))
            columns["strata"].append(np.full(d.size, site, dtype=np.int64))
    arrays = {name: np.concatenate(parts) for name, parts in columns.items()}
    time, _ = timefix(arrays["time"])
    return SurvivalCounts(time, arrays["n"], arrays["d"], arrays["group"], arrays["strata"], levels)
