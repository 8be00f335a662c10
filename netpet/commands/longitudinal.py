"""Commands for the score over time: `transitions` (tables) and `swimmer` (a swimmer-plot figure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.options import db_option, disclosure_options, format_option, min_cell_count, open_registry, render

if TYPE_CHECKING:
    import polars as pl

    from netpet.registry import Registry

TABLES = ("pairs", "matrix", "time-in-score", "discordance", "prrt-p5")


def _table(reg: Registry, table: str, by: str) -> pl.DataFrame:
    from netpet.analysis.studies import longitudinal as lo

    if table == "pairs":
        return lo.score_transitions(reg, by=by)
    if table == "matrix":
        return lo.transition_matrix(lo.score_transitions(reg, by=by))
    if table == "time-in-score":
        return lo.time_in_score(reg, by=by)
    if table == "discordance":
        return lo.discordant_after_prrt(reg)
    return lo.prrt_given_to_p5(reg)


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
    "--by", type=click.Choice(["netpet_score", "netpet_group"]), default="netpet_score", show_default=True,
    help="Single scores (P0-P5) or NETPET groups (P1, P2-4, P5).",
)
@disclosure_options
def transitions(db: str | None, fmt: str, table: str, by: str, min_cell: int | None, shareable: bool) -> None:
    """Show how NETPET scores change between consecutive dual-PET timepoints, and around PRRT.

    With --shareable (or --min-cell) only the matrix is shown, suppressed with its totals.
    """
    from netpet.registry.suppression import suppressed_crosstab

    if (shareable or min_cell is not None) and table != "matrix":
        raise click.UsageError("--shareable and --min-cell apply to --table matrix only: the other tables show "
                               "proportions of small counts or row-level courses")
    with open_registry(db, read_only=True) as reg:
        frame = _table(reg, table, by)
        if shareable or min_cell is not None:
            frame = suppressed_crosstab(frame, index="from", threshold=min_cell_count(reg, min_cell))
        click.echo(render(frame, fmt))


@click.command()
@db_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Figure file (.png/.pdf/.svg).")
@click.option("--patients", "count", type=click.IntRange(min=1), default=None,
              help="The first N patients by ID [default: 30 unless --patient is given].")
@click.option("--patient", "patient_ids", multiple=True, help="A patient to show (repeat for several).")
@click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]), default="months",
              show_default=True)
def swimmer(db: str | None, out: str, count: int | None, patient_ids: tuple[str, ...], time_unit: str) -> None:
    """Draw a swimmer plot: one lane per patient with scores, treatments, progression and death."""
    from netpet.analysis.outputs.figures import save_figure
    from netpet.analysis.outputs.swimmer import swimmer_plot

    if count and patient_ids:
        raise click.UsageError("give --patients N or --patient ID, not both")
    with open_registry(db, read_only=True) as reg:
        fig = swimmer_plot(reg, list(patient_ids) or count or 30, time_unit=time_unit).get_figure(root=True)
    assert fig is not None  # swimmer_plot draws on a figure of its own
    click.echo(f"wrote {save_figure(fig, out, preset='double')}", err=True)
