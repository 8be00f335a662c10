"""Commands for NETPET scores and dual-PET timepoints: `score` (timeline, disagreements) and `pair`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.options import db_option, dumps, format_option, open_registry, render

if TYPE_CHECKING:
    import polars as pl

    from netpet.registry.pairing import PairingResult

SOURCES = ("auto", "derived", "recorded")
LESION_COLUMNS = ("lesion_id", "location", "lesion_class", "previous_class", "status", "change", "sets_score")


@click.command()
@db_option
@format_option
@click.option(
    "--patient", "patient_id", default=None, help="Print this patient's timeline of scores and lesions."
)
@click.option(
    "--disagreements", is_flag=True, help="List timepoints whose recorded and derived scores differ."
)
@click.option(
    "--set-source",
    type=click.Choice(SOURCES),
    default=None,
    help="Store which score analyses use: derived when lesion reads exist (auto), or always one.",
)
def score(
    db: str | None, fmt: str, patient_id: str | None, disagreements: bool, set_source: str | None
) -> None:
    """Show NETPET scores: a patient's timeline (--patient), disagreements, or set the score source."""
    from netpet.registry.lesions import patient_timeline, score_disagreements

    if not (patient_id or disagreements or set_source):
        raise click.UsageError("give --patient ID, --disagreements or --set-source auto|derived|recorded")
    with open_registry(db, read_only=set_source is None) as reg:
        if set_source:
            reg.set_setting("score_source", set_source)
            click.echo(f"analyses now use the {set_source} score (setting score_source)", err=True)
        if disagreements:
            click.echo(render(score_disagreements(reg, patient_id), fmt))
        elif patient_id:
            timeline = patient_timeline(reg, patient_id)
            click.echo(_timeline_text(timeline) if fmt == "table" else render(timeline, fmt))


@click.command()
@db_option
@format_option
@click.option(
    "--window-days",
    type=click.IntRange(min=0),
    default=None,
    help="Largest gap between paired scans [default: the registry setting pairing_window_days, 31].",
)
@click.option("--dry-run", is_flag=True, help="Report the pairing without adding timepoints.")
def pair(db: str | None, fmt: str, window_days: int | None, dry_run: bool) -> None:
    """Pair each unpaired SSTR scan with the nearest FDG scan of the patient into a new timepoint.

    One-to-one, nearest first; ties are reported as ambiguous and left for you to pair in timepoints.csv.
    """
    from netpet.registry.pairing import pair_registry

    with open_registry(db, read_only=dry_run) as reg:
        result = pair_registry(reg, window_days=window_days, dry_run=dry_run)
    if fmt == "json":
        click.echo(
            dumps({name: getattr(result, name).to_dicts() for name in ("pairs", "unpaired", "ambiguous")})
        )
    elif fmt == "csv":
        click.echo(_pairing_tidy(result).write_csv(), nl=False)
    else:
        click.echo(_pairing_text(result, dry_run=dry_run))


def _score_text(score: int | None, subclass: str | None) -> str:
    return "none" if score is None else subclass or f"P{score}"


def _timeline_text(timeline: pl.DataFrame) -> str:
    """Render a patient timeline as one block per timepoint: its scores, then its lesions."""
    blocks = []
    for (_, timepoint_id), rows in timeline.group_by("timepoint_number", "timepoint_id", maintain_order=True):
        first = rows.row(0, named=True)
        derived = _score_text(first["derived_score"], first["p4_subclass"])
        used = _score_text(
            first["score"], first["p4_subclass"] if first["score_origin"] == "derived" else None
        )
        head = (
            f"timepoint {first['timepoint_number']} {timepoint_id} ({first['timepoint_date']}): "
            f"derived {derived}, recorded {_score_text(first['recorded_score'], None)}; "
            f"analyses use {used} ({first['score_origin'] or 'no score'}), group {first['netpet_group']}"
        )
        lesions = rows.filter(rows["lesion_id"].is_not_null()).select(LESION_COLUMNS)
        blocks.append(head + "\n" + (render(lesions, "table") if lesions.height else "no lesion reads"))
    return "\n\n".join(blocks)


def _pairing_tidy(result: PairingResult) -> pl.DataFrame:
    """Return pairs, unpaired scans and ambiguous candidates as one tidy frame with a `kind` column."""
    import polars as pl

    pairs = result.pairs.select(
        pl.lit("pair").alias("kind"), "patient_id", "timepoint_id", "sstr_scan_id", "fdg_scan_id", "gap_days"
    )
    unpaired = result.unpaired.select(
        pl.lit("unpaired").alias("kind"), "patient_id", "scan_id", "tracer", "scan_date", "reason"
    )
    ambiguous = result.ambiguous.select(
        pl.lit("ambiguous").alias("kind"), "patient_id", "sstr_scan_id", "fdg_scan_id", "gap_days"
    )
    return pl.concat([pairs, unpaired, ambiguous], how="diagonal")


def _pairing_text(result: PairingResult, *, dry_run: bool) -> str:
    verb = "would add" if dry_run else "added"
    parts = [f"{verb} {result.pairs.height} timepoint(s)"]
    if result.pairs.height:
        parts.append(render(result.pairs, "table"))
    if result.unpaired.height:
        parts.append(f"{result.unpaired.height} scan(s) left unpaired")
        parts.append(render(result.unpaired, "table"))
    if result.ambiguous.height:
        parts.append(
            f"{result.ambiguous.height} ambiguous candidate pair(s) (equal gaps): "
            "pair these by hand in timepoints.csv"
        )
        parts.append(render(result.ambiguous, "table"))
    return "\n".join(parts)
