"""What `netpet report` publishes: its counts as written, suppressed when the report is shareable.

`Published.of` takes the report's analyses and, given a threshold, puts every count the folder writes through
the one suppression engine (`netpet.analysis.outputs.shareable`, `table_one_shared`): the KM summary's n and
events, the landmark table on its times, the cohort flow, Table 1 and the key numbers of `report.md` and the
manifest. Without a threshold it passes the counts through as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.registry.suppression import HIDDEN

if TYPE_CHECKING:
    from netpet.analysis.studies.cox_analysis import CoxReport
    from netpet.analysis.studies.km_analysis import KMReport

#: What report.md says of a shareable report.
NOTE = ("Shareable report: counts from 1 to {low} and the further counts that would give them away show as `*` "
        "(null in CSV files), percentages only where their count and denominator show, estimates over fewer than "
        "{threshold} patients are hidden, the curves stop where fewer than {threshold} remain at risk, and "
        "`km_curves.csv` (a row per event time) is left out (docs/disclosure.md).")


@dataclass(frozen=True)
class Published:
    """The counts a report folder writes: the KM summary and landmarks, the flow, Table 1, the key numbers."""

    summary: pl.DataFrame
    at: pl.DataFrame | None
    flow: pl.DataFrame
    table1: pl.DataFrame
    numbers: dict[str, Any]
    pairwise: pl.DataFrame | None
    min_cell: int | None = None

    @classmethod
    def of(cls, km: KMReport, cox: CoxReport, flow: pl.DataFrame, table1: pl.DataFrame,
           min_cell: int | None) -> Published:
        """Return what the report publishes, suppressed at `min_cell` when it is given."""
        if min_cell is None:
            return cls(km.fit.summary, km.at, flow, table1, _key_numbers(km, cox, None), km.pairwise)
        from netpet.analysis.outputs.shareable import curve_grid, flow_counts, group_counts, pairwise_shown, totals
        from netpet.analysis.outputs.table_one_shared import shareable_table_one

        # The flow's patients analysed is the KM groups' total (and Table 1's): hidden in one, hidden in all.
        hidden = totals(km.fit.summary, min_cell)[0] is None
        shown_flow = flow_counts(flow, min_cell, hide_analysed=hidden)
        hidden = hidden or shown_flow["remaining"][-1] == HIDDEN
        at = None if km.at is None else curve_grid(km, km.at["time"].unique(maintain_order=True).to_list(),
                                                   min_cell)
        return cls(group_counts(km.fit.summary, min_cell, hide_total=hidden), at, shown_flow,
                   shareable_table_one(table1, min_cell, hide_total=hidden),
                   _key_numbers(km, cox, (shown_flow, min_cell, hidden)), pairwise_shown(km, min_cell), min_cell)

    def manifest_keys(self) -> dict[str, Any]:
        """The manifest's record of suppression: `shareable` and the threshold `min_cell` (null when not)."""
        return {"shareable": self.min_cell is not None, "min_cell": self.min_cell}

    def medians(self, unit: str) -> pl.DataFrame:
        """The median table of report.md: NR where not reached, `*` where hidden."""
        frame = self.summary if "suppressed" in self.summary.columns else self.summary.with_columns(
            suppressed=pl.lit(False))
        return frame.select(
            "group", *[pl.col(c).cast(pl.String).fill_null("*") for c in ("n", "events")],
            *[pl.when(pl.col("suppressed")).then(pl.lit("*")).otherwise(
                pl.col(c).round(1).cast(pl.String).fill_null("NR")).alias(name) for c, name in (
                ("median", f"median ({unit})"), ("median_lower", "95% CI lower"),
                ("median_upper", "95% CI upper"))])

    def note(self) -> list[str]:
        """The lines report.md gives to say the report is shareable (none when it is not)."""
        if self.min_cell is None:
            return []
        return [NOTE.format(low=self.min_cell - 1, threshold=self.min_cell), ""]


def _key_numbers(km: KMReport, cox: CoxReport, shareable: tuple[pl.DataFrame, int, bool] | None) -> dict[str, Any]:
    """The numbers a reader looks for first, as recorded in the manifest and `report.md`; suppressed as the
    flow and the KM summary show them when `shareable` holds the suppressed flow, the threshold and whether
    the patients analysed are hidden."""
    ph = {row.term: row.p for row in cox.ph_test}
    patients, events = int(km.fit.summary["n"].sum()), int(km.fit.summary["events"].sum())
    counts: dict[str, Any] = {"patients_analysed": patients, "events": events, "excluded": dict(km.excluded),
                              "medians": {r["group"]: r["median"] for r in km.fit.summary.iter_rows(named=True)},
                              "cox_n": cox.n, "cox_events": cox.events}
    if shareable is not None:
        from netpet.analysis.outputs.shareable import flow_excluded, group_counts, totals

        flow, threshold, hidden = shareable
        shown_n, shown_events = totals(km.fit.summary, threshold, hide_total=hidden)
        summary = group_counts(km.fit.summary, threshold, hide_total=hidden)
        counts = {"patients_analysed": shown_n, "events": shown_events, "excluded": flow_excluded(flow),
                  "medians": {r["group"]: None if r["suppressed"] else r["median"]
                              for r in summary.iter_rows(named=True)},
                  "cox_n": shown_n if cox.n == patients else None,
                  "cox_events": shown_events if cox.events == events else None}
    return {
        **{key: counts[key] for key in ("patients_analysed", "events", "excluded", "medians")},
        "logrank_chisq": km.logrank.chisq,
        "logrank_df": km.logrank.df,
        "logrank_p": km.logrank.p,
        "cox_n": counts["cox_n"],
        "cox_events": counts["cox_events"],
        "concordance": cox.concordance,
        "concordance_se": cox.concordance_se,
        "ph_global_p": ph.get("GLOBAL"),
        "cox_converged": cox.converged,
        "cox_warnings": list(cox.warnings),
        "cox_not_estimable": cox.not_estimable,
    }
