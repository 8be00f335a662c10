"""`netpet cox`: a Cox model of survival by NETPET group (or another grouping) and covariates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.analysis.vocabulary import ENDPOINTS, GROUPINGS, ORIGINS, TIES, TIME_UNITS
from netpet.options import (
    cohort_option,
    cohort_patients,
    db_option,
    disclosure_options,
    dumps,
    format_option,
    min_cell_count,
    open_registry,
    render,
)

if TYPE_CHECKING:
    import polars as pl

    from netpet.analysis.outputs.shareable import CoxCounts
    from netpet.analysis.studies.cox_analysis import CoxReport




@click.command()
@db_option
@cohort_option
@click.option("--by", type=click.Choice(list(GROUPINGS)), default="netpet_group", show_default=True,
              help="Grouping entered as a categorical term.")
@click.option("--reference", default=None, help="Reference level of --by (default P1, else the first level).")
@click.option("--covariates", default="", help="Comma-separated, e.g. ki67_percent,who_grade,age_at_origin.")
@click.option("--strata", default=None, help="Column with a separate baseline hazard per value, e.g. site.")
@click.option("--robust", is_flag=True, help="Robust (infinitesimal jackknife) standard errors.")
@click.option("--cluster", default=None, help="Column of correlated groups (implies --robust), e.g. site.")
@click.option("--ties", type=click.Choice(TIES), default="efron", show_default=True)
@click.option("--endpoint", type=click.Choice(list(ENDPOINTS)), default="os", show_default=True)
@click.option("--origin", type=click.Choice(ORIGINS), default="first-timepoint",
              show_default=True, help="Time zero; from diagnosis, patients enter at their first timepoint.")
@click.option("--time-unit", type=click.Choice(list(TIME_UNITS)), default="months",
              show_default=True)
@click.option("--time-varying", is_flag=True,
              help="Use the score in force over time (--by netpet_group or netpet_score, at each timepoint) "
              "on (start, stop] intervals, as R's coxph(Surv(tstart, tstop, event) ~ ...); OS only.")
@format_option
@disclosure_options
def cox(db: str | None, cohort: str | None, by: str, reference: str | None, covariates: str, strata: str | None,
        robust: bool, cluster: str | None, ties: str, endpoint: str, origin: str, time_unit: str, time_varying: bool,
        fmt: str, min_cell: int | None, shareable: bool) -> None:
    """Fit a Cox model (as R's coxph) with its model tests, PH test (cox.zph) and concordance.

    With --shareable (or --min-cell) n, events and exclusions are suppressed: * in the table, null in JSON,
    with the threshold as "min_cell" (docs/disclosure.md).
    """
    from netpet.analysis.studies.cox_analysis import cox_analysis
    from netpet.analysis.studies.selection import cox_selection

    chosen = [c.strip() for c in covariates.split(",") if c.strip()]
    with open_registry(db, read_only=True) as reg:
        data = cox_selection(reg, by=by, covariates=chosen, strata=strata, cluster=cluster, endpoint=endpoint,
                             origin=origin, time_unit=time_unit, time_varying=time_varying,
                             patients=cohort_patients(reg, cohort))
        report = cox_analysis(data, covariates=chosen, reference=reference, ties=ties,  # type: ignore[arg-type]
                              strata=strata, cluster=cluster, robust=robust)
        counts = None
        if shareable or min_cell is not None:
            from netpet.analysis.outputs.shareable import cox_counts

            counts = cox_counts(report, min_cell_count(reg, min_cell))
    click.echo(_render(report, fmt, counts))


def _render(report: CoxReport, fmt: str, counts: CoxCounts | None = None) -> str:
    """The report as JSON, the coefficients as CSV, or the whole model as tables; `counts` as published."""
    import polars as pl

    from netpet.analysis.outputs.tables import PER_UNIT

    if fmt == "json":
        return dumps(counts.payload(report) if counts else report.to_dict())
    if fmt == "csv":
        return render(report.coefficients, "csv")
    n, events, patients, excluded_by = (
        (counts.n, counts.events, counts.patients, counts.excluded) if counts
        else (report.n, report.events, report.patients, report.excluded))
    excluded = "; ".join(f"{reason}: {_n(count)}" for reason, count in excluded_by.items()) or "none"
    reference = ", ".join(f"{term}={level}" for term, level in report.reference.items()) or "none"
    lines = [
        f"Cox model of {report.endpoint.upper()} ({report.time_unit} from {report.origin}), "
        f"ties {report.ties}, reference levels {reference}",
        (f"n = {_n(n)}" if patients == n else f"n = {_n(n)} intervals of {_n(patients)} patients") +
        f", events = {_n(events)}; excluded: {excluded}",
        *(f"warning: {text}" for text in report.warnings),
        render(_shown(report.coefficients).with_columns(
            pl.col("term").replace_strict(PER_UNIT, default="").alias("hr per")), "table"),
        f"log-likelihood {report.loglik:.4f} (null {report.loglik_null:.4f}); "
        f"concordance {report.concordance:.4f} (SE {report.concordance_se:.4f})",
        render(report.test_table.with_columns(pl.col("chisq", "p").round_sig_figs(4)), "table"),
        "Proportional hazards test (cox.zph, transform km):",
        render(report.ph_table.with_columns(pl.col("chisq", "p").round_sig_figs(4)),
               "table") if report.ph_test else "none: R's cox.zph stops on this model (see the notes)",
        *(f"note: {note}" for note in report.notes if note not in report.warnings),
    ]
    return "\n".join(lines)


def _n(count: int | None) -> str:
    """A count as the table shows it: `*` where suppressed."""
    return "*" if count is None else str(count)


def _shown(coefficients: pl.DataFrame) -> pl.DataFrame:
    """The coefficient table for people: 4 significant digits, and no numbers where R's estimate is undefined."""
    import polars as pl

    from netpet.analysis.studies.cox_warnings import NOT_ESTIMABLE

    undefined = ~pl.col("estimable")
    numbers = [c for c, t in coefficients.schema.items() if t == pl.Float64]
    return coefficients.with_columns(
        *(pl.when(undefined).then(None).otherwise(pl.col(c).round_sig_figs(4)).alias(c) for c in numbers),
        pl.when(undefined).then(pl.lit(NOT_ESTIMABLE)).otherwise(pl.lit("")).alias("estimable"),
    )
