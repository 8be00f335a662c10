"""Commands for the score over time: `transitions` (tables) and `swimmer` (a swimmer-plot figure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.analysis.vocabulary import SCORE_GROUPINGS, TIME_UNITS
from netpet.options import (
    cohort_option,
    cohort_patients,
    db_option,
    disclosure_options,
    format_option,
    min_cell_count,
    open_registry,
    render,
)

if TYPE_CHECKING:
    import polars as pl

    from netpet.registry import Registry

TABLES = ("pairs", "matrix", "time-in-score", "discordance", "prrt-p5")


def _table(reg: Registry, table: str, by: str, time_unit: str, patients: pl.DataFrame | None) -> pl.DataFrame:
    from netpet.analysis.studies import transitions as lo

    if table == "pairs":
        return lo.score_transitions(reg, by=by, patients=patients)
    if table == "matrix":
        return lo.transition_matrix(lo.score_transitions(reg, by=by, patients=patients))
    if table == "time-in-score":
        return lo.time_in_score(reg, by=by, time_unit=time_unit, patients=patients)
    if table == "discordance":
        return lo.discordant_after_prrt(reg, patients=patients)
    return lo.prrt_given_to_p5(reg, patients=patients)


@click.command()
@db_option
@format_option
@click.option(
    "--table",
    type=click.Choice(TABLES),
    default="pairs",
    show_default=True,
    help="pairs: counts and row proportions; matrix: from x to counts; time-in-score: person-time per score; "
    "discordance: share becoming P5 after PRRT; prrt-p5: PRRT courses started after a P5 score.",
)
@click.option(
    "--by", type=click.Choice(SCORE_GROUPINGS), default="netpet_score", show_default=True,
    help="Single scores (P0-P5) or NETPET groups (P1, P2-4, P5).",
)
@cohort_option
@click.option("--time-unit", type=click.Choice(list(TIME_UNITS)), default="months",
              show_default=True, help="Unit of person-time (--table time-in-score).")
@disclosure_options
def transitions(db: str | None, fmt: str, table: str, by: str, cohort: str | None, time_unit: str,
                min_cell: int | None, shareable: bool) -> None:
    """Show how NETPET scores change between consecutive dual-PET timepoints, and around PRRT.

    With --shareable (or --min-cell) only the matrix is shown, suppressed with its totals.
    """
    from netpet.registry.suppression import suppressed_crosstab

    if (shareable or min_cell is not None) and table != "matrix":
        raise click.UsageError("--shareable and --min-cell apply to --table matrix only: the other tables show "
                               "proportions of small counts or row-level courses")
    with open_registry(db, read_only=True) as reg:
        frame = _table(reg, table, by, time_unit, cohort_patients(reg, cohort))
        if shareable or min_cell is not None:
            frame = suppressed_crosstab(frame, index="from", threshold=min_cell_count(reg, min_cell))
        click.echo(render(frame, fmt))


def _patients(ctx: click.Context, param: click.Parameter, value: str | None) -> int | list[str] | None:
    """`--patients 30` (a count) or `--patients D0000001,D0000042` (IDs)."""
    if value is None:
        return None
    if value.strip().isdigit():
        if int(value) < 1:
            raise click.BadParameter("give a count of at least 1, or patient IDs separated by commas")
        return int(value)
    return [part.strip() for part in value.split(",") if part.strip()]


@click.command()
@db_option
@cohort_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Figure file (.png/.pdf/.svg).")
@click.option("--patients", "patients", callback=_patients, default=None, metavar="N|ID1,ID2,...",
              help="How many patients (the first N in --sort order), or which (IDs, comma-separated) "
              "[default: 30].")
@click.option("--patient", "patient_ids", multiple=True, help="A patient to show (repeat for several).")
@click.option("--sort", type=click.Choice(["follow-up", "id", "origin", "score"]), default="follow-up",
              show_default=True, help="Lane order, top to bottom, which also picks the first N: longest "
              "follow-up, patient ID, earliest first timepoint, or worst baseline score.")
@click.option("--hide-ids", is_flag=True, help="Number the lanes 1, 2, ... instead of showing patient IDs.")
@click.option("--time-unit", type=click.Choice(list(TIME_UNITS)), default="months",
              show_default=True)
def swimmer(db: str | None, cohort: str | None, out: str, patients: int | list[str] | None,
            patient_ids: tuple[str, ...], sort: str, hide_ids: bool, time_unit: str) -> None:
    """Draw a swimmer plot: one lane per patient with scores, treatments, progression and death."""
    from netpet.analysis.outputs.figures import save_figure
    from netpet.analysis.outputs.swimmer import swimmer_plot

    ids = [*patient_ids, *(patients if isinstance(patients, list) else [])]
    count = patients if isinstance(patients, int) else None
    if ids and (count or cohort):
        raise click.UsageError("give patient IDs, or --patients N with an optional --cohort, not both")
    with open_registry(db, read_only=True) as reg:
        chosen = ids or cohort_patients(reg, cohort)
        ax = swimmer_plot(reg, chosen, time_unit=time_unit, sort=sort, count=None if ids else count or 30,
                          hide_ids=hide_ids)
    fig = ax.get_figure(root=True)
    assert fig is not None  # swimmer_plot draws on a figure of its own
    click.echo(f"wrote {save_figure(fig, out, preset='double')}", err=True)
