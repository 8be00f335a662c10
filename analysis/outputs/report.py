"""The survival report of a registry or saved cohort: figures, tables and a manifest tracing them to their data.

`write_report` writes Kaplan-Meier curves by group (with log-rank tests), the Cox model (table, forest plot,
PH test), Table 1 and the cohort flow into one folder under fixed file names, with a `report.md` listing
the files and key numbers and a `manifest.json` recording the registry's checksum (or, for PostgreSQL, its
URL without password and a row-count fingerprint), the import batches, the options, the software versions
and the time. Every number is computed on one analysed set of patients: those with a group, follow-up and
every covariate (complete cases), so the flow diagram, the curves, the model and Table 1 agree.
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
from netpet.analysis.outputs.km_style import KMStyle, styled_km_figure
from netpet.analysis.outputs.provenance import MANIFEST, manifest_record
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

#: survival_frame / km_report exclusion reason -> step of the flow diagram at which it applies.
_FLOW_STEP = {"no dual-PET timepoint": 1, "no NETPET score": 2, "P0 (no measurable disease)": 2,
              "impossible follow-up": 3, "no follow-up after entry": 3}


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
    step()
    with whole_folder(out_dir, last=MANIFEST) as out:
        files = [
            *_write_km(km, out, formats, preset, style or KMStyle()),
            *_write_cox(cox, out, formats),
            *_write_tables(table1, flow, out),
            *_write_flow(flow, out, formats, preset),
        ]
        numbers = _key_numbers(km, cox)
        (out / INDEX).write_text(_index(options, numbers, km, cox, flow, files), encoding="utf-8")
        files.append(out / INDEX)
        manifest = manifest_record(reg, cohort=cohort, options=options, versions=versions, numbers=numbers,
                                   files=files)
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


def flow_table(
    reg: Registry, excluded: Mapping[str, int], *, by: str = "netpet_group", cohort: str | None = None
) -> pl.DataFrame:
    """Return the cohort flow (CONSORT) table: the registry, each selection step, and the patients analysed.

    Without a cohort the steps are: patients in the registry, with a dual-PET timepoint, with a group
    (scored), with follow-up, analysed. With a saved cohort its own attrition steps come first, then the
    same analysis steps among its members.

    Parameters
    ----------
    reg : Registry
        The registry the analysis read.
    excluded : mapping of str to int
        Patients left out by reason, as `SurvivalData.excluded` or `KMReport.excluded`; reasons not tied
        to an earlier step (missing covariates) are shown at the last step.
    by : str
        The grouping, naming the "scored" step.
    cohort : str, optional
        A saved cohort whose attrition starts the flow.

    Returns
    -------
    pl.DataFrame
        step, label, remaining, excluded, reason: the input of `netpet.analysis.outputs.figures.cohort_flow`, one row
        per exclusion reason (a step without exclusions has one row, excluded 0 and no reason). After a
        cohort's steps, analysis steps that exclude nobody are left out, but for the last.
    """
    rows = _cohort_steps(reg, cohort) if cohort else [(0, "Patients in the registry", _patient_count(reg), [])]
    first = len(rows)
    grouped = "Scored (NETPET P1–P5)" if by == "netpet_group" else (
        "Scored (NETPET P0–P5)" if by == "netpet_score" else f"With {by.replace('_', ' ')}")
    labels = ["With a dual-PET timepoint", grouped, "With follow-up", "Analysed"]
    reasons: list[list[tuple[int, str | None]]] = [[] for _ in labels]
    for reason, n in excluded.items():
        at = _FLOW_STEP.get(reason, 2 if reason == f"no {by}" else 4)
        reasons[at - 1].append((n, reason))
    remaining, step = rows[-1][2], first
    for i, label in enumerate(labels):
        # A cohort's own criteria already select patients: its analysis steps show only where some left.
        if cohort and not reasons[i] and label != labels[-1]:
            continue
        remaining -= sum(n for n, _ in reasons[i])
        rows.append((step, label, remaining, reasons[i]))
        step += 1
    return pl.DataFrame(
        [(step, label, left, n, reason) for step, label, left, out in rows for n, reason in (out or [_NONE_LEFT])],
        schema={"step": pl.Int64, "label": pl.String, "remaining": pl.Int64, "excluded": pl.Int64,
                "reason": pl.String},
        orient="row",
    )


_NONE_LEFT: tuple[int, str | None] = (0, None)  # a flow step nobody left at


def _patient_count(reg: Registry) -> int:
    from netpet.registry.cohorts import registry_state

    return int(registry_state(reg)["patients"])


def _cohort_steps(reg: Registry, cohort: str) -> list[tuple[int, str, int, list[tuple[int, str | None]]]]:
    """The saved cohort's attrition as flow steps: box label, remaining, and why the removed left."""
    from netpet.analysis.outputs.tables import LABELS
    from netpet.registry.cohorts import attrition

    steps = []
    for row in attrition(reg, cohort).iter_rows(named=True):
        criterion, kind = row["criterion"], row["kind"]
        if kind == "registry":
            label, why = "Patients in the registry", None
        elif kind == "entry":
            event = criterion.removeprefix("entry event: ")
            label, why = f"Cohort {cohort}, entry: {event}", f"no {event}"
        elif kind == "exclude":
            rest = criterion.removeprefix("exclude ")
            label, why = f"Without {rest}", rest
        else:
            column, space, rest = criterion.partition(" ")
            criterion = LABELS.get(column, column) + space + rest
            lower = criterion[:1].lower() + criterion[1:] if criterion[1:2].islower() else criterion
            label, why = criterion[:1].upper() + criterion[1:], f"not {lower}"
        # Column and treatment names read as words (and wrap between them) in the boxes.
        label, why = label.replace("_", " "), why and why.replace("_", " ")
        steps.append((row["step"], label, row["remaining"], [(row["removed"], why)] if row["removed"] else []))
    return steps


def _table_one(reg: Registry, data: SurvivalData, by: str) -> pl.DataFrame:
    """Table 1 of the analysed patients by group."""
    from netpet.analysis.outputs.tables import TABLE_ONE_VARIABLES, table_one

    patients = reg.query_file("queries", "patient_survival").join(
        data.frame.select("patient_id"), on="patient_id", how="semi")
    return table_one(patients, by=by, variables=[v for v in TABLE_ONE_VARIABLES if v != by])


def _save(fig: Any, out: Path, stem: str, formats: Sequence[str], preset: str) -> list[Path]:
    from netpet.analysis.outputs.figures import save_figure

    return [save_figure(fig, out / f"{stem}.{fmt}", preset=preset) for fmt in formats]


def _write_km(km: KMReport, out: Path, formats: Sequence[str], preset: str, style: KMStyle) -> list[Path]:
    fit = km.fit
    paths = [out / "km_curves.csv", out / "km_medians.csv", out / "logrank.csv"]
    fit.table.write_csv(paths[0])
    fit.summary.write_csv(paths[1])
    tests = [("log-rank", km.logrank), *([("trend", km.trend)] if km.trend is not None else [])]
    pl.DataFrame([{"test": name, **result._asdict()} for name, result in tests]).write_csv(paths[2])
    if km.pairwise is not None:
        paths.append(out / "logrank_pairwise.csv")
        km.pairwise.write_csv(paths[-1])
    if km.at is not None:
        paths.append(out / "km_landmarks.csv")
        km.at.write_csv(paths[-1])
    return [*paths, *_save(km_report_figure(km, style), out, "km", formats, preset)]


def km_report_figure(km: KMReport, style: KMStyle | None = None) -> Figure:
    """Draw the report's KM figure: curves, medians, log-rank p and a number-at-risk table, in `style`."""
    return styled_km_figure(km, style or KMStyle())


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


def _key_numbers(km: KMReport, cox: CoxReport) -> dict[str, Any]:
    """The numbers a reader looks for first, as recorded in the manifest and `report.md`."""
    ph = {row.term: row.p for row in cox.ph_test}
    return {
        "patients_analysed": int(km.fit.summary["n"].sum()),
        "events": int(km.fit.summary["events"].sum()),
        "excluded": dict(km.excluded),
        "medians": {row["group"]: row["median"] for row in km.fit.summary.iter_rows(named=True)},
        "logrank_chisq": km.logrank.chisq,
        "logrank_df": km.logrank.df,
        "logrank_p": km.logrank.p,
        "cox_n": cox.n,
        "cox_events": cox.events,
        "concordance": cox.concordance,
        "concordance_se": cox.concordance_se,
        "ph_global_p": ph.get("GLOBAL"),
        "cox_converged": cox.converged,
        "cox_warnings": list(cox.warnings),
        "cox_not_estimable": cox.not_estimable,
    }


def _index(options: Mapping[str, Any], numbers: Mapping[str, Any], km: KMReport, cox: CoxReport,
           flow: pl.DataFrame, files: Sequence[Path]) -> str:
    """`report.md`: what was analysed, the key numbers and the list of files."""
    from netpet.analysis.outputs.tables import cox_table, to_markdown

    unit = options["time_unit"]
    who = f"cohort `{options['cohort']}`" if options["cohort"] else "all registry patients"
    excluded = "; ".join(f"{reason}: {n}" for reason, n in numbers["excluded"].items()) or "none"
    medians = km.fit.summary.select(
        "group", "n", "events",
        *[pl.col(c).round(1).cast(pl.String).fill_null("NR").alias(name) for c, name in (
            ("median", f"median ({unit})"), ("median_lower", "95% CI lower"), ("median_upper", "95% CI upper"))])
    ph = _p_text(numbers["ph_global_p"], "not tested")
    lines = [
        f"# Survival report: {options['endpoint'].upper()} by {options['by']}",
        "",
        f"Patients: {who}; time from {_ORIGIN_TEXT[options['origin']]} in {unit}. "
        f"Cox model adjusted for {', '.join(options['covariates']) or 'nothing'}. "
        "Every result uses the same complete-case set of patients.",
        "",
        f"- Analysed: {numbers['patients_analysed']} patients, {numbers['events']} events "
        f"of {flow['remaining'][0]} in the registry (excluded: {excluded})",
        f"- Log-rank: chi-square {km.logrank.chisq:.2f} on {km.logrank.df} df, {_p_text(km.logrank.p, 'not testable')}",
        f"- Cox concordance (Harrell's C): {cox.concordance:.3f} (SE {cox.concordance_se:.3f})",
        f"- Proportional hazards (cox.zph, global): {ph}",
        "",
        "## Median survival (95% CI)",
        "",
        to_markdown(medians),
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


