"""`netpet cox`: a Cox model of survival by NETPET group (or another grouping) and covariates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.analysis.vocabulary import ENDPOINTS, GROUPINGS, ORIGINS, TIES, TIME_UNITS
from netpet.options import cohort_option, cohort_patients, db_option, dumps, format_option, open_registry, render

if TYPE_CHECKING:
    import polars as pl

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
def cox(db: str | None, cohort: str | None, by: str, reference: str | None, covariates: str, strata: str | None,
        robust: bool, cluster: str | None, ties: str, endpoint: str, origin: str, time_unit: str, time_varying: bool,
        fmt: str) -> None:
    """Fit a Cox model (as R's coxph) with its model tests, PH test (cox.zph) and concordance."""
    from netpet.analysis.studies.cox_analysis import cox_analysis
    from netpet.analysis.studies.selection import cox_selection

    chosen = [c.strip() for c in covariates.split(",") if c.strip()]
    with open_registry(db, read_only=True) as reg:
        data = cox_selection(reg, by=by, covariates=chosen, strata=strata, cluster=cluster, endpoint=endpoint,
                             origin=origin, time_unit=time_unit, time_varying=time_varying,
                             patients=cohort_patients(reg, cohort))
        report = cox_analysis(data, covariates=chosen, reference=reference, ties=ties,  # type: ignore[arg-type]
                              strata=strata, cluster=cluster, robust=robust)
    click.echo(_render(report, fmt))


def _render(report: CoxReport, fmt: str) -> str:
    import polars as pl

    from netpet.analysis.outputs.tables import PER_UNIT

    if fmt == "json":
        return dumps(report.to_dict())
    if fmt == "csv":
        return render(report.coefficients, "csv")
    excluded = "; ".join(f"{reason}: {count}" for reason, count in report.excluded.items()) or "none"
    reference = ", ".join(f"{term}={level}" for term, level in report.reference.items()) or "none"
    lines = [
        f"Cox model of {report.endpoint.upper()} ({report.time_unit} from {report.origin}), "
        f"ties {report.ties}, reference levels {reference}",
        (f"n = {report.n}" if report.patients == report.n else
         f"n = {report.n} intervals of {report.patients} patients") +
        f", events = {report.events}; excluded: {excluded}",
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
