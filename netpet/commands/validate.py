"""`netpet validate`: compare the NETPET score with other prognostic schemes and write the validation report."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.analysis.vocabulary import ENDPOINTS, ORIGINS
from netpet.options import (
    cohort_option,
    db_option,
    disclosure_options,
    dumps,
    min_cell_count,
    open_registry,
    progress_bar,
    render,
)

if TYPE_CHECKING:
    from netpet.analysis.studies.validation import ValidationReport


def _names(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _times(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, ...]:
    try:
        times = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: give times as numbers separated by commas, e.g. 12,36,60") from None
    if not times or any(t <= 0 for t in times):
        raise click.BadParameter(f"{value!r}: give one or more positive times, e.g. 12,36,60")
    return times


@click.command()
@db_option
@click.option("--endpoint", type=click.Choice(list(ENDPOINTS)), default="os", show_default=True)
@click.option("--schemes", default="netpet_group,karfis,fdg_status,who_grade", show_default=True, callback=_names,
              help="Comma-separated schemes (netpet_group, netpet_score, karfis, zidan, fdg_status, who_grade, "
              "ki67, extrahepatic, age, bjc2023); combine predictors with +, e.g. who_grade+age.")
@click.option("--at", default="12,36,60", show_default=True, callback=_times,
              help="Times (months) of the time-dependent AUC and calibration.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for validation.md, figures, tables and manifest (replaced as a whole).")
@cohort_option
@click.option("--origin", type=click.Choice(ORIGINS), default="first-timepoint",
              show_default=True, help="Time zero; from diagnosis, patients enter at their first timepoint.")
@click.option("--reference", default="netpet_group", show_default=True, help="Scheme the others are compared with.")
@click.option("--tau", type=float, default=None,
              help="RMST horizon (months); default the latest time every level still has patients at risk.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=200, show_default=True,
              help="Bootstrap replicates of the optimism-corrected C (0: none).")
@click.option("--seed", type=int, default=20231, show_default=True, help="Seed of the bootstrap.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="What to print: the discrimination table, or the JSON contract.")
@disclosure_options
def validate(db: str | None, endpoint: str, schemes: tuple[str, ...], at: tuple[float, ...], out_dir: str,
             cohort: str | None, origin: str, reference: str, tau: float | None, bootstrap: int, seed: int,
             fmt: str, min_cell: int | None, shareable: bool) -> None:
    """Measure and compare prognostic schemes on the same patients (C, AUC, RMST, calibration).

    With --shareable (or --min-cell) counts per scheme and level are suppressed, small levels' estimates hidden
    and km_curves.csv left out; the JSON's "min_cell" is the threshold (docs/disclosure.md).
    """
    from netpet import __version__
    from netpet.analysis.outputs.validation_report import write_validation
    from netpet.analysis.studies.validation import validate_schemes

    options = {"endpoint": endpoint, "schemes": list(schemes), "at": list(at), "cohort": cohort, "origin": origin,
               "reference": reference, "tau": tau, "bootstrap": bootstrap, "seed": seed, "time_unit": "months"}
    with open_registry(db, read_only=True) as reg, progress_bar("bootstrap") as bar:
        report = validate_schemes(reg, endpoint=endpoint, schemes=schemes, at=at, origin=origin, cohort=cohort,
                                  tau=tau, reference=reference, bootstrap=bootstrap, seed=seed,
                                  progress=(lambda done, total: bar("bootstrap", done, total)) if bar else None)
        threshold = min_cell_count(reg, min_cell) if shareable or min_cell is not None else None
        if threshold is not None:
            from netpet.analysis.outputs.validation_shareable import shareable_validation

            report = shareable_validation(report, threshold)
        write_validation(reg, report, out_dir, options=options, versions={"netpet": __version__},
                         min_cell=threshold)
    for name, reason in report.skipped.items():
        click.echo(f"scheme {name} set aside: {reason}", err=True)
    payload = report.to_dict() | ({} if threshold is None else {"min_cell": threshold})
    click.echo(dumps(payload) if fmt == "json" else _table(report))


def _table(report: ValidationReport) -> str:
    import polars as pl

    excluded = "; ".join(f"{reason}: {'*' if n is None else n}" for reason, n in report.excluded.items()) or "none"
    table = report.schemes.join(report.optimism.select("scheme", "corrected_c"), on="scheme", how="left").select(
        "scheme", pl.col("n", "events").cast(pl.String).fill_null("*"),  # null: suppressed (--shareable)
        "harrell_c", "harrell_c_lower", "harrell_c_upper", "corrected_c", "uno_c", "aic")
    return f"{report.endpoint.upper()}; excluded: {excluded}; RMST horizon {report.tau:.1f} months\n" + render(
        table, "table")
