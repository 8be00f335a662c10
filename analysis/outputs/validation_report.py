"""The folder `netpet validate --out DIR` writes: a TRIPOD-style `validation.md`, figures, CSV tables, manifest.

`write_validation` writes everything into a temporary folder beside `DIR` and renames it into place, so a
reader never sees half a report and a failed run leaves the previous one intact. The manifest is
`netpet.analysis.outputs.report.manifest_record`'s, as `netpet report` writes it. The measures come from
`netpet.analysis.studies.validation.validate_schemes`; the figures from `netpet.analysis.outputs.validation_figures`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.serialise import to_json

if TYPE_CHECKING:
    from netpet.analysis.studies.validation import ValidationReport
    from netpet.registry import Registry

__all__ = ["INDEX", "write_validation"]

INDEX = "validation.md"
FIGURES = {"km_by_scheme": "double", "concordance": "single", "calibration": "double"}


def write_validation(
    reg: Registry,
    report: ValidationReport,
    out_dir: str | Path,
    *,
    options: Mapping[str, Any],
    formats: Sequence[str] = ("pdf", "png"),
    versions: Mapping[str, str] | None = None,
    min_cell: int | None = None,
) -> dict[str, Any]:
    """Write the validation report into `out_dir` atomically and return its manifest.

    Parameters
    ----------
    reg : Registry
        The registry the report was computed from (its checksum and import batches go in the manifest).
    report : ValidationReport
        From `validate_schemes`.
    out_dir : str or Path
        The folder; replaced as a whole if it exists.
    options : mapping
        The options the report was run with, recorded in the manifest.
    formats : sequence of str
        Figure formats among pdf, png and svg.
    versions : mapping, optional
        Software versions to record over those found installed.
    min_cell : int, optional
        The report is shareable (`netpet.analysis.outputs.validation_shareable` suppressed it at this
        threshold): `km_curves.csv` is left out, the KM panels stop and hide counts below it, and the manifest
        records `shareable` and `min_cell`.

    Returns
    -------
    dict
        The manifest, also written as ``manifest.json``.
    """
    from netpet.analysis.outputs.provenance import MANIFEST, manifest_record

    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        files = [*_write_tables(report, work, curves=min_cell is None),
                 *_write_figures(report, work, formats, min_cell)]
        (work / INDEX).write_text(validation_markdown(report, [f.name for f in files], min_cell), encoding="utf-8")
        files.append(work / INDEX)
        manifest = manifest_record(reg, cohort=report.study["cohort"], options=options, versions=versions,
                                   numbers=_key_numbers(report), files=files)
        manifest |= {"shareable": min_cell is not None, "min_cell": min_cell}
        if min_cell is not None and manifest["cohort"]:  # the cohort's size, unsuppressed
            manifest["cohort"].pop("member_count")
        (work / MANIFEST).write_text(to_json(manifest) + "\n", encoding="utf-8")
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _swap_into_place(work: Path, out: Path) -> None:
    """Rename the finished folder to `out`; an existing `out` is moved aside first and removed after."""
    if not out.exists():
        work.rename(out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    work.rename(out)
    shutil.rmtree(old)


def _write_tables(report: ValidationReport, folder: Path, *, curves: bool = True) -> list[Path]:
    """The tables as CSV, and the curves (a row per event time) unless the report is shareable."""
    paths = []
    for name, table in report.tables().items():
        paths.append(folder / f"{name}.csv")
        table.write_csv(paths[-1])
    if curves:
        paths.append(folder / "km_curves.csv")
        report.curves.write_csv(paths[-1])
    return paths


def _write_figures(report: ValidationReport, folder: Path, formats: Sequence[str],
                   min_cell: int | None = None) -> list[Path]:
    from netpet.analysis.outputs.figures import save_figure
    from netpet.analysis.outputs.report import FIGURE_FORMATS
    from netpet.analysis.outputs.validation_figures import calibration_figure, concordance_figure, km_panels_figure

    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown or not formats:
        raise AnalysisError(f"figure format(s) {', '.join(unknown) or 'none given'}: use {', '.join(FIGURE_FORMATS)}")
    draw: dict[str, Callable[[], Any]] = {
        "km_by_scheme": lambda: km_panels_figure(report, min_cell=min_cell),
        "concordance": lambda: concordance_figure(report).figure,
        "calibration": lambda: calibration_figure(report),
    }
    if report.calibration.height == 0:
        draw.pop("calibration")
    paths = []
    for stem, make in draw.items():
        fig = make()
        paths += [save_figure(fig, folder / f"{stem}.{fmt}", preset=FIGURES[stem]) for fmt in formats]
    return paths


def _key_numbers(report: ValidationReport) -> dict[str, Any]:
    """The manifest's numbers: the JSON contract of the report."""
    return report.to_dict()


def _count(value: int | None) -> str:
    """A count as validation.md shows it: `*` where a shareable report hides it."""
    return "*" if value is None else str(value)


def _number(value: float | None, digits: int = 3) -> str:
    return "NA" if value is None or value != value else f"{value:.{digits}f}"


def _interval(value: float | None, lower: float | None, upper: float | None, digits: int = 3) -> str:
    if value is None or value != value:
        return "NA"
    return f"{value:.{digits}f} ({_number(lower, digits)} to {_number(upper, digits)})"


def _p(value: float | None) -> str:
    from netpet.analysis.outputs.tables import format_p

    return "NA" if value is None or value != value else format_p(value, prefix=False)


#: What validation.md says of a shareable report.
SHAREABLE_NOTE = ("Shareable report: counts from 1 to {low}, and the further counts that would give them away, show "
                  "as `*` (null in CSV and JSON); estimates of levels with fewer than {threshold} patients are "
                  "hidden; `km_curves.csv` (a row per event time) is left out and the curves stop where fewer than "
                  "{threshold} remain at risk (docs/disclosure.md).")


def validation_markdown(report: ValidationReport, files: Sequence[str], min_cell: int | None = None) -> str:
    """Return `validation.md`: the TRIPOD items of a validation (source, participants, outcome, predictors,
    missing data, analysis) and every measure with its 95% CI; first, whether the counts are suppressed."""
    note = [] if min_cell is None else [SHAREABLE_NOTE.format(low=min_cell - 1, threshold=min_cell), ""]
    return "\n".join([*note, *_methods(report), *_results(report), "## Files", "",
                      *[f"- [{name}]({name})" for name in files],
                      "- [manifest.json](manifest.json): registry checksum, import batches, options, versions", ""])


def _methods(report: ValidationReport) -> list[str]:
    from netpet.analysis.studies.schemes import PREDICTORS, resolve_schemes

    study, unit = report.study, report.time_unit
    analysed = _count(report.schemes["n"][0]) if report.schemes.height else "0"
    who = f"the members of saved cohort `{study['cohort']}`" if study["cohort"] else "every registry patient"
    excluded = "; ".join(f"{reason}: {_count(n)}" for reason, n in report.excluded.items()) or "none"
    origin = ("the first dual-PET timepoint" if report.origin == "first-timepoint"
              else "diagnosis, with entry at the first dual-PET timepoint (delayed entry)")
    names = report.schemes["scheme"].to_list() + list(report.skipped)
    predictors = dict.fromkeys(p for s in resolve_schemes(names) for p in s.predictors)
    lines = [
        f"# Prognostic validation of the NETPET score: {report.endpoint.upper()} by scheme", "",
        "## Source of data", "",
        f"NETPET Registry ({study['registry_patients']} patients; the registry file's checksum and import "
        "batches are in manifest.json). First dual-PET timepoints of the analysed patients from "
        f"{study['first_origin_date']} to {study['last_origin_date']}; follow-up to {study['last_followup_date']}.",
        "",
        "## Participants", "",
        f"Eligible: {who} with a dual-PET timepoint scored P1-P5 (P0, no measurable disease, excluded as in the "
        "published analyses), with follow-up, and with every predictor of every scheme (complete cases, so all "
        f"schemes are measured on the same patients). Analysed: {analysed}. Excluded: {excluded}.", "",
        "## Outcome", "",
        f"Endpoint {report.endpoint.upper()}, timed from {origin}, in {unit}. SSTR and FDG scans were paired within "
        f"{study['pairing_window_days']} days; the NETPET score source was `{study['score_source']}`.", "",
        "## Predictors", "",
        *[f"- `{name}`: {PREDICTORS[name].source}" for name in predictors], "",
        "## Missing data", "",
        "Complete-case analysis; patients left out are counted by reason above. "
        + ("Schemes set aside: " + "; ".join(f"`{k}`: {v}" for k, v in report.skipped.items()) + "."
           if report.skipped else "No scheme was set aside."), "",
        "## Statistical analysis", "",
        "Each scheme is a Cox model (Efron ties) of its predictors; its linear predictor is its risk score. "
        "Harrell's C with R's infinitesimal-jackknife SE (95% CI C +/- 1.96 SE); Uno's C (censoring weights "
        f"1/G(t)^2, to tau); cumulative/dynamic time-dependent AUC (IPCW) at {', '.join(f'{t:g}' for t in report.at)} "
        f"{unit}; the difference in C from `{report.reference}` with the joint IJ covariance (R's "
        f"`concordance(fit1, fit2)`); AIC; the likelihood-ratio test of adding the NETPET group to each clinical "
        f"model; Harrell's bootstrap optimism ({report.bootstrap} replicates, seed {report.seed}); KM medians and "
        f"RMST to tau = {report.tau:.1f} {unit} per level (R's survfit rmean; differences as survRM2); calibration "
        "as mean Cox-predicted against KM-observed survival per level. Schemes with one categorical predictor "
        "are grouped by its levels, others by thirds of the linear predictor.", "",
    ]
    return lines


def _results(report: ValidationReport) -> list[str]:
    from netpet.analysis.outputs.tables import to_markdown

    unit = report.time_unit
    corrected = {r["scheme"]: r["corrected_c"] for r in report.optimism.iter_rows(named=True)}
    discrimination = pl.DataFrame([{
        "scheme": r["scheme"], "n": _count(r["n"]), "events": _count(r["events"]),
        "Harrell's C (95% CI)": _interval(r["harrell_c"], r["harrell_c_lower"], r["harrell_c_upper"]),
        "corrected C": _number(corrected.get(r["scheme"])), "Uno's C": _number(r["uno_c"]),
        "AIC": _number(r["aic"], 1)} for r in report.schemes.iter_rows(named=True)])
    sections = [("Discrimination", discrimination)]
    if report.comparisons.height:
        sections.append((f"Difference in C from {report.reference}", pl.DataFrame([{
            "scheme": r["scheme"], "difference (95% CI)": _interval(r["c_difference"], r["lower"], r["upper"]),
            "p": _p(r["p"])} for r in report.comparisons.iter_rows(named=True)])))
    if report.likelihood_ratio.height:
        sections.append(("Adding the NETPET group to clinical models (likelihood-ratio test)", pl.DataFrame([{
            "model": r["scheme"], "chi-square": _number(r["chisq"], 2), "df": str(r["df"]), "p": _p(r["p"])}
            for r in report.likelihood_ratio.iter_rows(named=True)])))
    if report.auc.height:
        sections.append(("Time-dependent AUC (95% CI)", pl.DataFrame([{
            "scheme": r["scheme"], f"time ({unit})": f"{r['time']:g}",
            "AUC (95% CI)": _interval(r["auc"], r["lower"], r["upper"])} for r in report.auc.iter_rows(named=True)])))
    sections.append((f"Median {report.endpoint.upper()} per level ({unit}, 95% CI)", pl.DataFrame([{
        "scheme": r["scheme"], "level": r["level"], "n": _count(r["n"]), "events": _count(r["events"]),
        "median (95% CI)": _interval(r["median"], r["median_lower"], r["median_upper"], 1)}
        for r in report.medians.iter_rows(named=True)])))
    if report.rmst.height:
        sections.append((f"RMST to {report.tau:.1f} {unit} (95% CI)", pl.DataFrame([{
            "scheme": r["scheme"], "level": r["level"],
            "RMST (95% CI)": _interval(r["rmst"], r["lower"], r["upper"], 1), "SE": _number(r["se"], 2)}
            for r in report.rmst.iter_rows(named=True)])))
    if report.calibration.height:
        sections.append(("Calibration: predicted and observed survival", pl.DataFrame([{
            "scheme": r["scheme"], f"time ({unit})": f"{r['time']:g}", "level": r["level"], "n": _count(r["n"]),
            "predicted": _number(r["predicted"]),
            "observed (95% CI)": _interval(r["observed"], r["observed_lower"], r["observed_upper"])}
            for r in report.calibration.iter_rows(named=True)])))
    lines = ["## Results", ""]
    for title, table in sections:
        lines += [f"### {title}", "", to_markdown(table)]
    return lines
