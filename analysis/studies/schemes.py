"""The prognostic schemes a validation compares, and the complete-case frame of their predictors.

A scheme is a named set of predictors, each derived from data the registry holds (the rule's paper named
beside it): the NETPET group and score, Karfis C1-C3, FDG status and extrahepatic disease from the lesion
reads of the first dual-PET timepoint, Zidan 1-4 from their Krenning scores where every lesion has one
(`sql/queries/baseline_schemes.sql` holds those rules), WHO grade, Ki-67 and age at diagnosis. Schemes
combine with `+` (`who_grade+age`), and `bjc2023` names the multivariable model of the 2023 validation.
`scheme_frame` builds the one set of patients every scheme is measured on (complete cases over all of them),
counting each patient left out by reason, and sets aside a scheme that cannot be derived at all (no lesion
reads, no Krenning scores, no Ki-67 recorded) with its reason. The estimators are left to
`netpet.analysis.survival.discrimination`, `netpet.analysis.survival.rmst` and `netpet.analysis.survival.cox`; the
study to `netpet.analysis.studies.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.registry.columns import WHO_GRADES

if TYPE_CHECKING:
    from netpet.registry import Registry


@dataclass(frozen=True)
class Predictor:
    """One predictor column: its levels (None for a continuous one), where it comes from, and its source."""

    column: str
    levels: tuple[str, ...] | None
    source: str
    from_lesion_reads: bool = False
    unclassified: str = ""  # a column saying why a patient has no level (codes of `UNCLASSIFIED`), if any


#: Every predictor a scheme can use, by name on the command line.
PREDICTORS: dict[str, Predictor] = {
    "netpet_group": Predictor("netpet_group", ("P1", "P2-4", "P5"),
                              "NETPET group (Chan et al., Theranostics 2017; Br J Cancer 2023)"),
    "netpet_score": Predictor("netpet_score", ("P1", "P2", "P3", "P4", "P5"),
                              "NETPET score (Chan et al., Theranostics 2017)"),
    "karfis": Predictor("karfis", ("C1", "C2", "C3"),
                        "Karfis C1-C3 from the lesion reads (Karfis et al., Oncotarget 2020)", True),
    "zidan": Predictor("zidan", ("Z1", "Z2", "Z3", "Z4"),
                       "Zidan 1-4 from the lesion reads' Krenning scores (Zidan et al., Eur J Nucl Med Mol Imaging "
                       "2021;48:204-216)", True, "zidan_unclassified"),
    "fdg_status": Predictor("fdg_status", ("FDG-", "FDG+"),
                            "any FDG-avid lesion (Binderup et al., J Nucl Med 2021)", True),
    "who_grade": Predictor("who_grade", WHO_GRADES, "WHO grade (WHO 2019 classification)"),
    "ki67": Predictor("ki67_percent", None, "Ki-67 index, % (continuous)"),
    "extrahepatic": Predictor("extrahepatic", ("no", "yes"),
                              "avid disease outside the liver and primary (Chan et al., Br J Cancer 2023)", True),
    "age": Predictor("age_at_diagnosis", None, "age at diagnosis, years (Chan et al., Br J Cancer 2023)"),
}

#: Why a lesion-read scheme has no level for a patient (codes of its `unclassified` column), as reported.
UNCLASSIFIED: dict[str, str] = {
    "krenning_missing": "a lesion at the first timepoint has no sstr_krenning",
    "undefined": "Zidan class not defined (some lesions above liver, some not; no FDG+ lesion at or below liver)",
}

#: Named combinations: the 2023 multicentre validation's multivariable model (Chan et al., Br J Cancer 2023).
ALIASES: dict[str, str] = {"bjc2023": "netpet_group+who_grade+age+extrahepatic"}

#: Predictors read from the same lesions as the NETPET score: adding the NETPET group to them is no test.
IMAGING = frozenset({"netpet_group", "netpet_score", "karfis", "fdg_status", "zidan"})


@dataclass(frozen=True)
class Scheme:
    """A scheme as named on the command line and the predictors (keys of `PREDICTORS`) it combines."""

    name: str
    predictors: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        """The frame columns of its predictors, in model order."""
        return [PREDICTORS[p].column for p in self.predictors]

    @property
    def levels(self) -> dict[str, list[str]]:
        """Level order of each categorical column (its first level the model's reference)."""
        return {PREDICTORS[p].column: list(PREDICTORS[p].levels or ()) for p in self.predictors
                if PREDICTORS[p].levels is not None}

    @property
    def is_grouping(self) -> bool:
        """Whether it is one categorical predictor, whose levels are the groups of curves and RMST."""
        return len(self.predictors) == 1 and PREDICTORS[self.predictors[0]].levels is not None

    @property
    def is_clinical(self) -> bool:
        """Whether none of its predictors is read from the lesions (so adding the NETPET group is a test)."""
        return not IMAGING.intersection(self.predictors)


def known_schemes() -> list[str]:
    """Return the scheme names `resolve_schemes` accepts on their own (and combines with `+`)."""
    return [*PREDICTORS, *ALIASES]


def resolve_schemes(names: Sequence[str]) -> list[Scheme]:
    """Return the schemes named (`a+b` combines predictors), or raise naming the unknown ones and the known."""
    schemes, unknown = [], []
    for raw in names:
        name = raw.strip()
        parts = [p.strip() for p in ALIASES.get(name, name).split("+")]
        bad = [p for p in parts if p not in PREDICTORS]
        if bad or not name:
            unknown.append(name or "''")
            continue
        schemes.append(Scheme(name, tuple(dict.fromkeys(parts))))
    if unknown:
        raise AnalysisError(
            f"unknown scheme(s) {', '.join(unknown)}; known schemes: {', '.join(known_schemes())} "
            f"(combine with +, e.g. who_grade+age)")
    if not schemes:
        raise AnalysisError(f"no scheme given; known schemes: {', '.join(known_schemes())}")
    return list({s.name: s for s in schemes}.values())


@dataclass(frozen=True)
class SchemeData:
    """The complete-case rows every scheme is measured on, who was left out, and the schemes set aside.

    `frame` has patient_id, entry, time, event and one column per predictor; `excluded` counts patients
    by reason (in the order they were applied); `skipped` maps a scheme that could not be measured to why.
    """

    frame: pl.DataFrame
    schemes: list[Scheme]
    excluded: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def scheme_frame(
    reg: Registry,
    schemes: Sequence[Scheme],
    *,
    endpoint: str = "os",
    origin: str = "first-timepoint",
    time_unit: str = "months",
    patients: pl.DataFrame | None = None,
) -> SchemeData:
    """Return the patients with a NETPET group (P1-P5), follow-up and every scheme's predictors.

    Parameters
    ----------
    reg : Registry
        The registry (read-only is enough).
    schemes : sequence of Scheme
        From `resolve_schemes`.
    endpoint, origin, time_unit : str
        As `netpet.analysis.studies.frames.survival_frame`.
    patients : pl.DataFrame, optional
        Restrict to these `patient_id`s (a saved cohort).

    Returns
    -------
    SchemeData
    """
    from netpet.analysis.studies.frames import survival_frame

    data = survival_frame(reg, endpoint=endpoint, origin=origin, time_unit=time_unit, by="netpet_group",
                          patients=patients)
    predictors = reg.query_file("queries", "baseline_schemes").drop("netpet_group", strict=False)
    frame = data.frame.rename({"group": "netpet_group"}).join(predictors, on="patient_id", how="left")
    excluded = dict(data.excluded)
    skipped = _underivable(frame, schemes)
    kept = [s for s in schemes if s.name not in skipped]
    used = list(dict.fromkeys(p for s in kept for p in s.predictors))
    for name in used:
        predictor = PREDICTORS[name]
        if predictor.from_lesion_reads:
            frame = _drop(frame, pl.col("baseline_lesion_reads") == 0, "no lesion reads at the first timepoint",
                          excluded)
        for code, why in UNCLASSIFIED.items() if predictor.unclassified else ():
            frame = _drop(frame, pl.col(predictor.unclassified).eq_missing(code), why, excluded)
        reason = ("no PET-avid lesion at the first timepoint" if predictor.from_lesion_reads
                  else f"missing {predictor.column}")
        frame = _drop(frame, pl.col(predictor.column).is_null(), reason, excluded)
    for scheme in kept:
        single = [c for c in scheme.columns if frame.get_column(c).n_unique() < 2]
        if single or frame.height == 0:
            skipped[scheme.name] = (f"{' and '.join(single)} take a single value among the analysed patients"
                                    if single else "no patients left to analyse")
    columns = ["patient_id", "entry", "time", "event", *dict.fromkeys(PREDICTORS[p].column for p in used)]
    return SchemeData(frame.select(columns), [s for s in kept if s.name not in skipped], excluded, skipped)


def _underivable(frame: pl.DataFrame, schemes: Sequence[Scheme]) -> dict[str, str]:
    """Schemes with a predictor no eligible patient has, and why (no lesion reads, nothing recorded)."""
    reasons: dict[str, str] = {}
    no_reads = frame.height == 0 or frame.get_column("baseline_lesion_reads").max() == 0
    for scheme in schemes:
        for name in scheme.predictors:
            predictor = PREDICTORS[name]
            if frame.height and frame.get_column(predictor.column).null_count() < frame.height:
                continue
            if predictor.from_lesion_reads and no_reads:
                reasons[scheme.name] = f"{name} cannot be derived: no lesion reads at the first dual-PET timepoint"
            elif predictor.unclassified and frame.get_column(predictor.unclassified).eq("krenning_missing").all():
                reasons[scheme.name] = (f"{name} cannot be derived: no first-timepoint lesion reads carry "
                                        "sstr_krenning (docs/import-format.md)")
            else:
                reasons[scheme.name] = f"{name} cannot be derived: no analysable patient has {predictor.column}"
            break
    return reasons


def _drop(frame: pl.DataFrame, bad: pl.Expr, reason: str, excluded: dict[str, int]) -> pl.DataFrame:
    n = frame.filter(bad).height
    if n:
        excluded[reason] = excluded.get(reason, 0) + n
    return frame.filter(~bad)


def scheme_levels(schemes: Sequence[Scheme]) -> Mapping[str, list[str]]:
    """Return the level order of every categorical column the schemes use."""
    return {column: levels for s in schemes for column, levels in s.levels.items()}
