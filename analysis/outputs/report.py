"""The survival report of a registry or saved cohort: figures, tables and a manifest tracing them to their data.

`write_report` writes Kaplan-Meier curves by group (with log-rank tests), the Cox model (table, forest plot,
PH test), Table 1 and the cohort flow into one folder under fixed file names, with a `report.md` listing
the files and key numbers and a `manifest.json` recording the registry's checksum (or, for PostgreSQL, its
URL without password and a row-count fingerprint), the import batches, the options, the software versions
and the time. Every number is computed on one analysed set of patients: those with a group, follow-up and
every covariate (complete cases), so the flow diagram, the curves, the model and Table 1 agree. With
`min_cell` the report is shareable: its counts go through `netpet.analysis.outputs.report_shareable`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.outputs.flow import flow_table
from netpet.analysis.outputs.km_style import KMStyle, styled_km_figure
from netpet.analysis.outputs.provenance import MANIFEST, manifest_record
from netpet.analysis.outputs.report_shareable import Published
from netpet.analysis.serialise import to_json
from netpet.registry.whole_folder import whole_folder

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from netpet.analysis.studies.cox_analysis import CoxReport
    from netpet.analysis.studies.frames import SurvivalData
    from netpet.analysis.studies.km_analysis import KMReport
    from netpet.registry import Registry

__all__ = ["DEFAULT_COVARIATES", "FIGURE_FORMATS", "flow_table", "forest_report_figure", "km_report_figure",
           "write_report"]

DEFAULT_COVARIATES = ("who_grade", "age_at_origin")
FIGURE_FORMATS = ("pdf", "png", "svg")
#: Groupings with ordered levels: the report adds a log-rank test for trend.
#: Survival is reported at these times in years (converted to the report's time unit).
LANDMARK_YEARS = (1, 2, 5)
#: How report.md names the time zero of each origin.
_ORIGIN_TEXT = {"first-timepoint": "the first dual-PET timepoint",
                "diagnosis": "diagnosis (patients enter at their first dual-PET timepoint)"}
INDEX = "report.md"


def write_report(
    reg: Registry,
    out_dir: str | Path,
    *,
    cohort: str | None = None,
    endpoint: str = "os",
    origin: str = "first-timepoint",
    at: Sequence[float] | None = None,
    by: str = "netpet_group",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    time_unit: str = "months",
    conf_type: str = "log",
    formats: Sequence[str] = ("pdf", "png"),
    preset: str = "single",
    versions: Mapping[str, str] | None = None,
    style: KMStyle | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    min_cell: int | None = None,
) -> dict[str, Any]:
    """Write the survival report of the registry (or of saved cohort `cohort`) into `out_dir`.

    Parameters
    ----------
    reg : Registry
        The registry (read-only is enough).
    out_dir : str or Path
        Folder for the files; created if missing, files of the same names replaced. Written whole or not
        at all (`netpet.registry.whole_folder`): a failure leaves no half-written folder.
    cohort : str, optional
        A saved cohort (`netpet.registry.cohorts`): the analysis is restricted to its members.
    endpoint, origin, by, time_unit : str
        As `netpet.analysis.studies.frames.survival_frame`: endpoint (os, pfs, ttp), time zero (first-timepoint, or
        diagnosis with delayed entry), grouping and unit of time.
    at : sequence of float, optional
        Times (in `time_unit`) of the survival table `km_landmarks.csv`; default 1, 2 and 5 years.
    covariates : sequence of str
        Adjustment terms of the Cox model, beside `by`; patients missing one are left out of everything.
    conf_type : str
        Confidence interval type of the KM curves (R's survfit default "log").
    formats : sequence of str
        Figure formats among pdf, png and svg.
    preset : str
        Figure width: "single" (85 mm) or "double" (174 mm) column; the forest plot is always double.
    versions : mapping, optional
        Software versions to record over those found installed (e.g. netpet's own when run from source).
    style : KMStyle, optional
        The look of the KM figure (`netpet.analysis.outputs.km_style`); its `preset` is not used (`preset` is).
    progress : callable, optional
        Called as `progress("report", done, 5)` after each stage (data, KM, Cox, tables, files).
    min_cell : int, optional
        Write a shareable report (docs/disclosure.md): every count suppressed at this threshold
        (`netpet.analysis.outputs.report_shareable`), no row-level file (`km_curves.csv`).

    Returns
    -------
    dict
        The manifest, also written as ``manifest.json``: created_at, registry, import_batches, cohort,
        options, versions, numbers and files ({name: sha256} of every other file written).
    """
    from netpet.analysis.studies.cox_analysis import cox_analysis
    from netpet.analysis.studies.frames import survival_frame
    from netpet.registry.cohorts import cohort_members

    formats = _check_formats(formats)
    options = {"cohort": cohort, "endpoint": endpoint, "origin": origin, "by": by,
               "covariates": list(covariates), "time_unit": time_unit, "conf_type": conf_type,
               "formats": list(formats), "preset": preset, "style": asdict(style or KMStyle())}
    patients = cohort_members(reg, cohort) if cohort else None
    data = survival_frame(reg, endpoint=endpoint, origin=origin, time_unit=time_unit, by=by,
                          covariates=covariates, patients=patients)
    step = _stepper(progress, "report", 5)
    step()
    km = _km(data, conf_type, at)
    step()
    cox = cox_analysis(data, covariates=covariates)
    step()
    flow = flow_table(reg, km.excluded, by=by, cohort=cohort)
    table1 = _table_one(reg, data, by)
    shared = Published.of(km, cox, flow, table1, min_cell)
    step()
    with whole_folder(out_dir, last=MANIFEST) as out:
        files = [
            *_write_km(km, out, formats, preset, style or KMStyle(), shared),
            *_write_cox(cox, out, formats),
            *_write_tables(shared.table1, shared.flow, out),
            *_write_flow(shared.flow, out, formats, preset),
        ]
        numbers = shared.numbers
        (out / INDEX).write_text(_index(options, numbers, km, cox, shared, files), encoding="utf-8")
        files.append(out / INDEX)
        manifest = manifest_record(reg, cohort=cohort, options=options, versions=versions, numbers=numbers,
                                   files=files) | shared.manifest_keys()
        if min_cell is not None and manifest["cohort"]:  # its member count is the flow's, suppressed there
            manifest["cohort"].pop("member_count")
        (out / MANIFEST).write_text(to_json(manifest) + "\n", encoding="utf-8")
    step()
    return manifest


def _stepper(progress: Callable[[str, int, int], None] | None, label: str, total: int) -> Callable[[], None]:
    """Return a function reporting one more of `total` steps done to `progress` (if any)."""
    done = [0]

    def step() -> None:
        done[0] += 1
        if progress is not None:
            progress(label, done[0], total)

    return step


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FIGURE_FORMATS]
    if unknown or not chosen:
        raise AnalysisError(f"figure format(s) {', '.join(unknown) or 'none given'}: use {', '.join(FIGURE_FORMATS)}")
    return chosen


def _km(data: SurvivalData, conf_type: str, at: Sequence[float] | None = None) -> KMReport:
    from netpet.analysis.studies.km_analysis import km_report
    from netpet.analysis.vocabulary import ORDERED_GROUPINGS, TIME_UNITS

    scale = TIME_UNITS["years"] / TIME_UNITS[data.time_unit]
    times = list(at) if at else [y * scale for y in LANDMARK_YEARS]
    return km_report(data, conf_type=conf_type, at=times, ordered=data.by in ORDERED_GROUPINGS)


def _table_one(reg: Registry, data: SurvivalData, by: str) -> pl.DataFrame:
    """Table 1 of the analysed patients by group."""
    from netpet.analysis.outputs.tables import TABLE_ONE_VARIABLES, table_one

    patients = reg.query_file("queries", "patient_survival").join(
        data.frame.select("patient_id"), on="patient_id", how="semi")
    return table_one(patients, by=by, variables=[v for v in TABLE_ONE_VARIABLES if v != by])


def _save(fig: Any, out: Path, stem: str, formats: Sequence[str], preset: str) -> list[Path]:
    from netpet.analysis.outputs.figures import save_figure

    return [save_figure(fig, out / f"{stem}.{fmt}", preset=preset) for fmt in formats]


def _write_km(km: KMReport, out: Path, formats: Sequence[str], preset: str, style: KMStyle,
              shared: Published) -> list[Path]:
    """The curves (left out when shareable: a row per event time), medians, tests, landmarks and figure."""
    paths = [] if shared.min_cell is not None else [out / "km_curves.csv"]
    if paths:
        km.fit.table.write_csv(paths[0])
    paths += [out / "km_medians.csv", out / "logrank.csv"]
    shared.summary.write_csv(paths[-2])
    tests = [("log-rank", km.logrank), *([("trend", km.trend)] if km.trend is not None else [])]
    pl.DataFrame([{"test": name, **result._asdict()} for name, result in tests]).write_csv(paths[-1])
    if shared.pairwise is not None:
        paths.append(out / "logrank_pairwise.csv")
        shared.pairwise.write_csv(paths[-1])
    if shared.at is not None:
        paths.append(out / "km_landmarks.csv")
        shared.at.write_csv(paths[-1])
    figure = km_report_figure(km, style, min_cell=shared.min_cell)
    return [*paths, *_save(figure, out, "km", formats, preset)]


def km_report_figure(km: KMReport, style: KMStyle | None = None, *, min_cell: int | None = None) -> Figure:
    """Draw the report's KM figure: curves, medians, log-rank p and a number-at-risk table, in `style`."""
    return styled_km_figure(km, style or KMStyle(), min_cell=min_cell)


def _write_cox(cox: CoxReport, out: Path, formats: Sequence[str]) -> list[Path]:
    from netpet.analysis.outputs.tables import cox_table, write_table

    coefficients = cox.coefficients
    paths = [out / "cox_coefficients.csv", out / "cox_tests.csv", out / "ph_test.csv"]
    coefficients.write_csv(paths[0])
    cox.test_table.write_csv(paths[1])
    cox.ph_table.write_csv(paths[2])
    table = cox_table(coefficients, cox.reference)
    paths += [write_table(table, out / "cox_table.csv"), write_table(table, out / "cox_table.md")]
    # The forest plot's text columns need the double-column width whatever the preset.
    return [*paths, *_save(forest_report_figure(cox), out, "forest", formats, "double")]


def forest_report_figure(cox: CoxReport) -> Figure:
    """Draw the report's forest plot of a `cox_analysis` summary, reference levels shown."""
    from netpet.analysis.outputs.figures import forest_plot

    ax = forest_plot(cox.coefficients, reference=cox.reference)
    return ax.figure  # type: ignore[return-value]  # a new forest plot is on a top-level Figure


def _write_tables(table1: pl.DataFrame, flow: pl.DataFrame, out: Path) -> list[Path]:
    from netpet.analysis.outputs.tables import write_table

    paths = [write_table(table1, out / "table_one.csv"), write_table(table1, out / "table_one.md")]
    flow.write_csv(out / "cohort_flow.csv")
    return [*paths, out / "cohort_flow.csv"]


def _write_flow(flow: pl.DataFrame, out: Path, formats: Sequence[str], preset: str) -> list[Path]:
    from netpet.analysis.outputs.figures import FLOW_WRAP, cohort_flow, new_figure

    # Each step gets room for the tallest box (3.2 mm a line), so long criteria never touch the next box.
    texts = [*flow["label"].to_list(), *[r for r in flow["reason"].to_list() if r]]
    lines = max(len(textwrap.wrap(text, FLOW_WRAP)) + 1 for text in texts)
    fig = new_figure(preset, height_mm=6.0 + flow["step"].n_unique() * max(18.0, 3.2 * lines + 8.0))
    return _save(cohort_flow(flow, ax=fig.add_subplot()).figure, out, "cohort_flow", formats, preset)


def _index(options: Mapping[str, Any], numbers: Mapping[str, Any], km: KMReport, cox: CoxReport,
           shared: Published, files: Sequence[Path]) -> str:
    """`report.md`: what was analysed, the key numbers and the list of files."""
    from netpet.analysis.outputs.tables import cox_table, to_markdown

    unit = options["time_unit"]
    who = f"cohort `{options['cohort']}`" if options["cohort"] else "all registry patients"
    excluded = "; ".join(f"{reason}: {_n(n)}" for reason, n in numbers["excluded"].items()) or "none"
    ph = _p_text(numbers["ph_global_p"], "not tested")
    lines = [
        f"# Survival report: {options['endpoint'].upper()} by {options['by']}",
        "",
        f"Patients: {who}; time from {_ORIGIN_TEXT[options['origin']]} in {unit}. "
        f"Cox model adjusted for {', '.join(options['covariates']) or 'nothing'}. "
        "Every result uses the same complete-case set of patients.",
        "",
        *shared.note(),
        f"- Analysed: {_n(numbers['patients_analysed'])} patients, {_n(numbers['events'])} events "
        f"of {shared.flow['remaining'][0]} in the registry (excluded: {excluded})",
        f"- Log-rank: chi-square {km.logrank.chisq:.2f} on {km.logrank.df} df, {_p_text(km.logrank.p, 'not testable')}",
        f"- Cox concordance (Harrell's C): {cox.concordance:.3f} (SE {cox.concordance_se:.3f})",
        f"- Proportional hazards (cox.zph, global): {ph}",
        "",
        "## Median survival (95% CI)",
        "",
        to_markdown(shared.medians(unit)),
        "## Cox model",
        "",
        *_warning_lines(cox),
        to_markdown(cox_table(cox.coefficients, cox.reference)),
        "## Files",
        "",
        *[f"- [{path.name}]({path.name})" for path in files],
        f"- [{MANIFEST}]({MANIFEST}): registry checksum, import batches, options, versions",
        "",
    ]
    return "\n".join(lines)


def _n(count: int | None) -> str:
    """A count in report.md: `*` where a shareable report hides it."""
    return "*" if count is None else str(count)


def _p_text(p: float | None, missing: str) -> str:
    """A p value as journals print it, or `missing` where there is none (NaN: untestable, as R's NA)."""
    from netpet.analysis.outputs.tables import format_p

    return missing if p is None or math.isnan(p) else format_p(p)


def _warning_lines(cox: CoxReport) -> list[str]:
    """R's warnings about the Cox fit, as a quoted block above its table (none when the fit is sound)."""
    undefined = cox.not_estimable
    if not cox.warnings and not undefined:
        return []
    lines = ["> **Warning** (as R's coxph warns):", ">", *(f"> - {text}" for text in cox.warnings)]
    if undefined:
        lines += [">", f"> Not estimable, shown without a hazard ratio: {', '.join(undefined)}. These data cannot "
                  "estimate them (too few patients or events for the terms, or complete separation)."]
    return [*lines, ""]


