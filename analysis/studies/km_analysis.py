"""The KM analysis `netpet km` prints: curves by group, log-rank, trend and pairwise tests, survival at chosen times.

Orchestrates the survival engine (`netpet.analysis.survival.km`, `netpet.analysis.survival.logrank`) over a
`SurvivalData` from `netpet.analysis.studies.frames`, carrying its exclusions into the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.frames import SurvivalData, analysed_rows
from netpet.analysis.survival.counts import survival_counts
from netpet.analysis.survival.km import KMResult, km_fit, survival_at
from netpet.analysis.survival.logrank import LogrankResult, logrank_trend, logrank_where_defined, pairwise_logrank
from netpet.analysis.vocabulary import GROUPINGS


@dataclass(frozen=True)
class KMReport:
    """Everything `netpet km` shows: curves, summaries, tests, survival at chosen times, exclusions."""

    fit: KMResult
    logrank: LogrankResult
    trend: LogrankResult | None
    pairwise: pl.DataFrame | None
    at: pl.DataFrame | None
    excluded: dict[str, int]
    endpoint: str
    origin: str
    time_unit: str
    delayed_entry: bool = False  # the log-rank test is then coxph's score test with Breslow ties

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of `netpet km --format json` (groups, logrank, units, provenance)."""
        tables = {
            part["group"][0]: part.drop("group", "std_err").to_dicts()
            for part in self.fit.table.partition_by("group", maintain_order=True)
        }
        payload: dict[str, Any] = {
            "groups": [{**row, "table": tables[row["group"]]} for row in self.fit.summary.to_dicts()],
            "logrank": self.logrank._asdict(),
            "time_unit": self.time_unit,
            "conf_type": self.fit.conf_type,
            "endpoint": self.endpoint,
            "origin": self.origin,
            "conf_level": self.fit.conf_level,
            "excluded": self.excluded,
            "delayed_entry": self.delayed_entry,
        }
        if self.trend is not None:
            payload["trend"] = self.trend._asdict()
        if self.pairwise is not None:
            payload["pairwise"] = self.pairwise.to_dicts()
        if self.at is not None:
            payload["at"] = self.at.to_dicts()
        return payload


def km_report(
    data: SurvivalData,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    at: Sequence[float] = (),
    ordered: bool = True,
) -> KMReport:
    """Fit curves by group and test them: log-rank, pairwise (Holm) and, for ordered groups, trend.

    Rows whose (entry, time] interval is empty (an event on the day of entry when the origin is the
    diagnosis) are left out and counted by `netpet.analysis.studies.frames.analysed_rows`, the rule `cox_analysis`
    shares.

    Parameters
    ----------
    data
        From `netpet.analysis.studies.frames.survival_frame`; its exclusions are carried into the report.
    conf_type, conf_level
        Passed to `km_fit`.
    at
        Times (in the data's unit) for `survival_at`; none gives no such table.
    ordered
        Whether the group levels are ordered (NETPET score, WHO grade), so a trend test makes sense.
    """
    data = analysed_rows(data)
    frame, excluded = data.frame, dict(data.excluded)
    if frame.height == 0:
        reasons = "; ".join(f"{reason}: {n}" for reason, n in excluded.items()) or "the registry is empty"
        raise AnalysisError(f"no patients to analyse (excluded: {reasons})")
    levels = _levels_for(frame, data.by)
    counts = survival_counts(frame, levels=levels)
    fit = km_fit(counts, conf_type=conf_type, conf_level=conf_level)
    several = len(fit.levels) > 1
    return KMReport(
        fit=fit,
        logrank=logrank_where_defined(counts),
        trend=logrank_trend(counts) if several and ordered else None,
        pairwise=pairwise_logrank(frame, levels=levels) if len(fit.levels) > 2 else None,
        at=survival_at(fit, at) if at else None,
        excluded=excluded,
        endpoint=data.endpoint,
        origin=data.origin,
        time_unit=data.time_unit,
        delayed_entry=counts.entry is not None,
    )


def _levels_for(frame: pl.DataFrame, by: str | None) -> list[str] | None:
    order = GROUPINGS.get(by) if by else None
    if order is None or "group" not in frame.columns:
        return None
    present = set(frame.get_column("group").cast(pl.String).unique().to_list())
    return [level for level in order if level in present]
