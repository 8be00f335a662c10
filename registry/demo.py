"""The deterministic synthetic NETPET demo cohort: interchange-format files calibrated to published results.

`write_demo_files` writes a folder of the six import tables (shared/registry-format.md, column names from
`netpet.registry.columns`) for a synthetic multicentre dual-PET registry. Its survival times are calibrated to the
NETPET validation study (Chan et al., Br J Cancer 2023;128:549-555: median OS / TTP 101.8 / 25.5 months for
P1, 46.5 / 16.7 for P2-4, 11.5 / 6.6 for P5, from the first dual-PET timepoint) and its scores follow the
NETPET rules (Chan et al., Theranostics 2017;7(5):1149-1158), so the registry derives the intended score
from the generated lesion reads. Every parameter, with its source or stated assumption, is in
`DEMO_PARAMETERS`. The importer, the survival views and the CLI are left to other modules.

Model: death and progression times are Weibull proportional-hazards given the baseline NETPET group, WHO
grade and age at diagnosis (BJC 2023 found grade and, for OS, age prognostic within the score; the hazard
ratios are stated assumptions in `DEMO_PARAMETERS`), independent of each other given those, of treatment
and of later scores, with independent censoring (loss to follow-up and the `as_of` cut-off after entry
staggered over 2011-2024). Each group's baseline Weibull scale is solved (`netpet.registry.demo_calibration`) so
that the Kaplan-Meier median of OS or TTP (death censoring TTP) by baseline group, over that group's grade
and age mix, is the published median. Group and entry date are sampled stratified within each block
(Latin-hypercube style); the two survival times take their order within a group and third of the entry
window from the proportional-hazards model and their values from stratified quantiles of the group's
marginal distribution (`_ranked_days`). That keeps the 1,000-patient medians close to their targets: over
60 seeds the noisiest, P1 OS (long and heavily censored), has a standard deviation of 4% (its worst seed
in 20 about 10% off) and the others at most 3%. Later scores follow documented transition matrices
(`DemoParameters.transitions_*`): worse after a progression, P5 -> P3 after chemotherapy.

Determinism: patients are made in fixed blocks of `BLOCK_PATIENTS`, each with its own numpy stream seeded
by (seed, block number), and Parquet row groups have a fixed size, so the same arguments give
byte-identical files whatever `chunk_size` is, and a cohort of N patients (N a multiple of
`BLOCK_PATIENTS`) is the start of every larger cohort with the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from netpet.registry.columns import (
    LOCATIONS,
    PRIMARY_SITES,
    SEXES,
    SSTR_TRACERS,
    STOP_REASONS,
    TABLES,
    TREATMENTS,
    WHO_GRADES,
    Table,
)
from netpet.registry.demo_calibration import MixtureQuantiles, calibrated_scales, clipped_normal_nodes

#: Patients per random stream. Fixed, so output does not depend on `chunk_size`.
BLOCK_PATIENTS = 500
#: Rows per Parquet row group. Fixed, so Parquet bytes do not depend on `chunk_size`.
ROW_GROUP_ROWS = 262_144
#: At most this many dual-PET timepoints per patient (1 baseline + up to 5 restagings).
MAX_TIMEPOINTS = 6
#: At most this many progression events per patient.
MAX_PROGRESSIONS = 3
DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25
EPOCH = date(1970, 1, 1)
GROUPS = ("P0", "P1", "P2-4", "P5")
SITES = ("Sydney", "London", "Brussels")


@dataclass(frozen=True)
class DemoParameters:
    """The generator's parameters, each with its source (a publication) or its stated assumption.

    Survival medians are in months from the first dual-PET timepoint by baseline NETPET group; times are
    Weibull with the given shapes (assumed, >1 for a rising hazard), proportional hazards in WHO grade and
    age within a group, and the published medians as the group's Kaplan-Meier medians.
    """

    # Chan et al., Br J Cancer 2023 (BJC 2023): median OS from the dual-PET timepoint, months.
    os_median_months: dict[str, float] = field(
        default_factory=lambda: {"P0": 150.0, "P1": 101.8, "P2-4": 46.5, "P5": 11.5}
    )
    # BJC 2023: median time to progression, months. P0 (no measurable disease) values are assumed.
    ttp_median_months: dict[str, float] = field(
        default_factory=lambda: {"P0": 60.0, "P1": 25.5, "P2-4": 16.7, "P5": 6.6}
    )
    os_weibull_shape: float = 1.5  # assumption
    ttp_weibull_shape: float = 1.4  # assumption
    # Covariate effects within a baseline group (proportional hazards). BJC 2023: histological grade
    # significant on multivariate analysis, age at diagnosis significant for OS (not for TTP), extrahepatic
    # disease not significant (so not modelled). It gives no hazard ratios to copy: the sizes are assumptions
    # of a plausible order for GEP-NENs (worse with each grade step, NEC worst; about 3% more hazard per
    # year of age). Hazard ratios vs G1 for (G1, G2, G3, NEC), and per year of age at diagnosis.
    os_grade_hr: tuple[float, float, float, float] = (1.0, 1.4, 2.0, 2.8)
    os_age_hr_per_year: float = 1.03
    ttp_grade_hr: tuple[float, float, float, float] = (1.0, 1.3, 1.7, 2.2)
    ttp_age_hr_per_year: float = 1.0
    # Assumption: the BJC 2023 abstract gives no per-group counts; taken as P2-4 the largest group and P1
    # and P5 about a fifth each. A few P0 are added (excluded from group analyses).
    group_shares: dict[str, float] = field(
        default_factory=lambda: {"P0": 0.03, "P1": 0.21, "P2-4": 0.57, "P5": 0.19}
    )
    # Assumption: P2, P3, P4 shares within P2-4.
    p2_4_split: tuple[float, float, float] = (0.30, 0.40, 0.30)
    # BJC 2023 centres (Sydney, London, Brussels); shares assumed.
    site_shares: tuple[float, float, float] = (0.40, 0.35, 0.25)
    # WHO grade (G1, G2, G3, NEC) by baseline group: score correlates with grade (BJC 2023, p < 0.001);
    # P5 holds most G3/NEC. Shares assumed.
    grade_by_group: dict[str, tuple[float, float, float, float]] = field(
        default_factory=lambda: {
            "P0": (0.55, 0.40, 0.05, 0.00),
            "P1": (0.55, 0.40, 0.05, 0.00),
            "P2-4": (0.25, 0.58, 0.15, 0.02),
            "P5": (0.05, 0.35, 0.35, 0.25),
        }
    )
    # Ki-67 (%) range per grade, WHO 2019: G1 < 3, G2 3-20, G3 > 20; NEC usually > 55 (assumed 40-95).
    ki67_range_by_grade: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"G1": (0.5, 2.9), "G2": (3.0, 20.0), "G3": (21.0, 55.0), "NEC": (40.0, 95.0)}
    )
    ki67_missing_share: float = 0.05  # assumption
    # Primary sites: BJC 2023 enrolled GEP-NENs, where small bowel and pancreas dominate; shares assumed,
    # with a few lung/other primaries so every category occurs.
    primary_site_shares: dict[str, float] = field(
        default_factory=lambda: {
            "pancreas": 0.34, "small_bowel": 0.38, "appendix": 0.02, "colon": 0.03, "rectum": 0.04,
            "stomach": 0.03, "duodenum": 0.03, "lung": 0.03, "unknown": 0.08, "other": 0.02,
        }
    )
    sex_shares: tuple[float, float, float] = (0.46, 0.535, 0.005)  # female, male, other; assumption
    # Age at diagnosis (years) ~ normal(60, 12), clipped; BJC 2023 found age at diagnosis prognostic for OS.
    age_at_diagnosis: tuple[float, float, float, float] = (60.0, 12.0, 20.0, 90.0)
    # Staggered entry: first dual-PET timepoint uniform over 2011-2024 (Chan 2017 began in 2011).
    entry_window: tuple[date, date] = (date(2011, 1, 1), date(2024, 12, 31))
    # Diagnosis precedes the first scan by 30 days plus an exponential lag (mean days); assumption.
    diagnosis_min_lag_days: int = 30
    diagnosis_lag_mean_days: float = 700.0
    loss_to_follow_up_per_year: float = 0.02  # exponential hazard of loss to follow-up; assumption
    # Restaging every 6-12 months while alive (days), and a per-interval chance that imaging stops.
    restaging_interval_days: tuple[int, int] = (182, 365)
    restaging_stop_share: float = 0.12
    # FDG within 0-21 days of the SSTR scan (always inside the 31-day pairing window of Chan 2017).
    max_pairing_gap_days: int = 21
    pairing_gap_mean_days: float = 5.0  # most pairs within a week; assumption
    # SSTR tracers (ga68_dotatate, ga68_dotatoc, ga68_dotanoc, cu64_dotatate); Cu-64 only from its 2020
    # approval, Ga-68 DOTATATE before that.
    sstr_tracer_shares: tuple[float, float, float, float] = (0.75, 0.09, 0.08, 0.08)
    cu64_first_date: date = date(2020, 9, 3)
    # Timepoints with a recorded score and lesion reads / recorded score only / lesion reads only; and the
    # share of the first kind whose recorded score is one step off the lesion-derived one (for the audit).
    score_source_shares: tuple[float, float, float] = (0.85, 0.10, 0.05)
    recorded_disagreement_share: float = 0.02
    # P0 timepoints: share with no lesion read at all (the rest have 1+ negative lesions).
    p0_no_lesion_share: float = 0.6
    # A non-index lesion's class is the timepoint score minus 0, 1, 2 or 3 steps (never below SSTR-only),
    # so the most adverse lesion sets the score (Chan 2017); a few lesions are negative.
    lesion_step_down: tuple[float, float, float, float] = (0.5, 0.3, 0.15, 0.05)
    negative_lesion_share: float = 0.05
    suv_missing_share: float = 0.08
    # Location of each lesion (the first is the primary tumour in `primary_in_situ_share` of patients).
    lesion_location_shares: dict[str, float] = field(
        default_factory=lambda: {
            "liver": 0.45, "lymph_node": 0.25, "bone": 0.15, "peritoneum": 0.07, "lung": 0.04, "other": 0.04,
        }
    )
    primary_in_situ_share: float = 0.6
    # Treatment line at a timepoint: at baseline, after progression or new P5, otherwise rarely.
    treat_at_baseline: float = 0.85
    treat_after_progression: float = 0.8
    treat_otherwise: float = 0.1
    # Treatment mix by current score: PRRT mostly for P1-P4 (P1 suited to PRRT, P5 not: Chan 2017 via
    # shared/domain.md), chemotherapy mostly for P5; a few P5 patients get PRRT so the audit has
    # something to flag.
    treatment_mix: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "P0": {"surgery": 0.5, "ssa_octreotide": 0.25, "ssa_lanreotide": 0.25},
            "P1": {
                "prrt_lu177_dotatate": 0.45, "ssa_lanreotide": 0.2, "ssa_octreotide": 0.15,
                "everolimus": 0.05, "sunitinib": 0.03, "sirt": 0.03, "tace": 0.04, "surgery": 0.05,
            },
            "P2-4": {
                "prrt_lu177_dotatate": 0.5, "capecitabine_temozolomide": 0.1, "everolimus": 0.1,
                "sunitinib": 0.05, "ssa_lanreotide": 0.07, "ssa_octreotide": 0.05, "sirt": 0.04, "tace": 0.04,
                "surgery": 0.03, "other": 0.02,
            },
            "P5": {
                "capecitabine_temozolomide": 0.45, "platinum_etoposide": 0.35, "prrt_lu177_dotatate": 0.05,
                "everolimus": 0.05, "sunitinib": 0.03, "tace": 0.02, "other": 0.05,
            },
        }
    )
    # Background somatostatin analogue from baseline in P1-P4 patients; assumption.
    background_ssa_share: float = 0.5
    # Planned course length (days): PRRT usually 4 cycles of about 7.4 GBq, 8 weeks apart (NETTER-1,
    # Strosberg et al., N Engl J Med 2017); the rest assumed.
    planned_days: dict[str, int] = field(
        default_factory=lambda: {
            "prrt_lu177_dotatate": 182, "ssa_octreotide": 1095, "ssa_lanreotide": 1095,
            "capecitabine_temozolomide": 168, "platinum_etoposide": 84, "everolimus": 330, "sunitinib": 330,
            "sirt": 0, "tace": 0, "surgery": 0, "other": 90,
        }
    )
    prrt_cycles: int = 4
    prrt_cycle_days: int = 56
    prrt_activity_gbq: tuple[float, float] = (7.4, 0.25)  # per cycle, mean and sd
    # Early stops of a course that neither progression nor death ended: toxicity, patient choice, other.
    early_stop_shares: tuple[float, float, float] = (0.08, 0.03, 0.02)
    # Share of progression stops on PRRT or an SSA recorded as de-differentiation.
    de_differentiation_share: float = 0.3
    # Score transitions between consecutive timepoints (rows: from P0..P5, columns: to P0..P5).
    # Without progression the score mostly stays; after progression it tends to worsen, toward P5 (the
    # de-differentiation of the published case P5 -> P5 -> P3 -> P5 in shared/domain.md); P5 after
    # chemotherapy may fall to P3. All probabilities are assumptions.
    transitions_stable: tuple[tuple[float, ...], ...] = (
        (0.90, 0.06, 0.02, 0.01, 0.01, 0.00),
        (0.03, 0.85, 0.06, 0.04, 0.02, 0.00),
        (0.00, 0.08, 0.75, 0.10, 0.05, 0.02),
        (0.00, 0.04, 0.10, 0.72, 0.10, 0.04),
        (0.00, 0.02, 0.05, 0.10, 0.75, 0.08),
        (0.00, 0.00, 0.03, 0.07, 0.05, 0.85),
    )
    transitions_progressed: tuple[tuple[float, ...], ...] = (
        (0.40, 0.30, 0.10, 0.10, 0.05, 0.05),
        (0.00, 0.55, 0.15, 0.15, 0.10, 0.05),
        (0.00, 0.03, 0.45, 0.22, 0.15, 0.15),
        (0.00, 0.02, 0.05, 0.45, 0.23, 0.25),
        (0.00, 0.00, 0.03, 0.07, 0.55, 0.35),
        (0.00, 0.00, 0.00, 0.05, 0.05, 0.90),
    )
    p5_after_chemotherapy: tuple[float, ...] = (0.00, 0.00, 0.05, 0.25, 0.10, 0.60)
    # Cause of death (detail) among deaths: NET-related share; assumption.
    net_death_share: float = 0.85


#: The parameters `write_demo_files` uses.
DEMO_PARAMETERS = DemoParameters()

_NO_DAY = -(10**9)  # a missing day number (an ongoing course's end)
_EARLY_REASONS = ("toxicity", "patient_choice", "other", "completed")
_RECEPTOR_TARGETED = ("prrt_lu177_dotatate", "ssa_octreotide", "ssa_lanreotide")
_CHEMOTHERAPY = ("capecitabine_temozolomide", "platinum_etoposide")
_GROUP_OF_SCORE = np.array([0, 1, 2, 2, 2, 3])  # score -> index in GROUPS


def write_demo_files(
    out_dir: str | Path,
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    fmt: str = "parquet",
    lesions_per_timepoint: float = 6.0,
    chunk_size: int = 100_000,
    progress: Callable[[str, int, int], None] | None = None,
    params: DemoParameters = DEMO_PARAMETERS,
) -> dict[str, int]:
    """Write a synthetic registry as one import file per table and return the rows written per table.

    Parameters
    ----------
    out_dir
        Folder to write ``patients``, ``pet_scans``, ``timepoints``, ``lesion_reads``, ``treatments`` and
        ``outcomes`` (``.parquet`` or ``.csv``) into; created if missing, files overwritten.
    patients
        Number of patients.
    seed
        Seed of the random streams; the same arguments give byte-identical files.
    as_of
        Data cut-off: nothing is dated after it; alive patients are censored at it or earlier.
    fmt
        ``"parquet"`` or ``"csv"``.
    lesions_per_timepoint
        Mean (Poisson) number of lesion reads per scored timepoint.
    chunk_size
        Patients generated per batch (rounded up to whole blocks of `BLOCK_PATIENTS`); bounds memory and
        does not change the output.
    progress
        Optional callback ``progress(step, done, total)`` called after each batch.
    params
        Generator parameters; the default is the calibrated `DEMO_PARAMETERS`.

    Returns
    -------
    dict[str, int]
        Rows written per table name.

    Examples
    --------
    >>> import tempfile
    >>> counts = write_demo_files(tempfile.mkdtemp(), patients=10)
    >>> counts["patients"]
    10
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}; choose parquet or csv")
    if patients < 0 or chunk_size < 1 or lesions_per_timepoint < 0:
        raise ValueError("patients and lesions_per_timepoint must be >= 0, chunk_size >= 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = {t.name: _TableWriter(out / f"{t.name}.{fmt}", t, fmt) for t in TABLES}
    done = 0
    try:
        for frames in demo_chunks(
            patients=patients, seed=seed, as_of=as_of, lesions_per_timepoint=lesions_per_timepoint,
            chunk_size=chunk_size, params=params,
        ):
            for name, frame in frames.items():
                writers[name].write(frame)
            done += frames["patients"].height
            if progress is not None:
                progress("patients", done, patients)
    finally:
        for writer in writers.values():
            writer.close()
    return {name: writer.rows for name, writer in writers.items()}


def build_demo_registry(
    path: str | Path,
    data_dir: str | Path,
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    lesions_per_timepoint: float = 6.0,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> pl.DataFrame:
    """Write the demo files into `data_dir` and import them into a new registry at `path`.

    The demo goes through the real importer, validation included, so it is also an end-to-end check of
    the import path. Returns the importer's per-file summary.
    """
    from netpet.registry.db import Registry, is_postgres_url
    from netpet.registry.errors import RegistryError
    from netpet.registry.ingest import import_folder

    if is_postgres_url(path):
        if replace:
            raise RegistryError(
                "--replace deletes a registry file; on PostgreSQL drop and re-create the database instead"
            )
    elif Path(path).exists():
        if not replace:
            raise RegistryError(f"{path} already exists; pass --replace to rebuild the demo registry")
        Path(path).unlink()
        Path(f"{path}.wal").unlink(missing_ok=True)
    write_demo_files(
        data_dir, patients=patients, seed=seed, as_of=as_of, lesions_per_timepoint=lesions_per_timepoint,
        progress=progress,
    )
    with Registry.create(path) as reg:
        return import_folder(reg, data_dir, operator="demo", command="demo", progress=progress)


def demo_chunks(
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    lesions_per_timepoint: float = 6.0,
    chunk_size: int = 100_000,
    params: DemoParameters = DEMO_PARAMETERS,
) -> Iterator[dict[str, pl.DataFrame]]:
    """Yield the demo tables (one polars frame per import table) for successive batches of patients."""
    as_of_day = (as_of - EPOCH).days
    model = _survival_model(params)
    blocks_per_chunk = max(1, -(-chunk_size // BLOCK_PATIENTS))
    n_blocks = -(-patients // BLOCK_PATIENTS)
    for first_block in range(0, n_blocks, blocks_per_chunk):
        parts = []
        for block in range(first_block, min(first_block + blocks_per_chunk, n_blocks)):
            first = block * BLOCK_PATIENTS
            n = min(BLOCK_PATIENTS, patients - first)
            rng = np.random.default_rng([seed, block])
            parts.append(_block(rng, first, n, as_of_day, lesions_per_timepoint, params, model))
        yield _finish({name: pl.concat([p[name] for p in parts]) for name in parts[0]})


# --- one block of patients: numeric frames (indices, codes, day numbers) -------------------------------


def _block(
    rng: np.random.Generator, first: int, n: int, as_of_day: int, lam: float, params: DemoParameters,
    model: dict[str, tuple[np.ndarray, MixtureQuantiles]],
) -> dict[str, pl.DataFrame]:
    pat = _patients(rng, first, n, as_of_day, params, model)
    tps = _timepoints(rng, pat, params)
    reads = _reads(rng, pat, tps, lam, params)
    return {
        "patients": pl.DataFrame({k: pat[k] for k in (
            "pid", "site", "sex", "birth", "diagnosis", "primary_site", "grade", "ki67")}),
        "pet_scans": _scans(rng, pat, tps, params),
        "timepoints": reads["timepoints"],
        "lesion_reads": reads["lesion_reads"],
        "treatments": _treatments(rng, pat, tps, params),
        "outcomes": _outcomes(rng, pat, params),
    }


def _draw(
    rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray | None = None, n: int = 0
) -> np.ndarray:
    """Draw one category per row: from `probs` (1-D), or from row `rows[i]` of a matrix of probabilities."""
    table = np.asarray(probs, dtype=float)
    if rows is not None:
        return _draw_rows(rng, table[rows])
    cum = np.cumsum(table / table.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _stratified_uniform(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Uniforms stratified within each group (one per 1/n stratum) so that a block matches its target."""
    u = np.empty(len(groups))
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        u[idx] = (rng.permutation(len(idx)) + rng.random(len(idx))) / len(idx)
    return u


def _survival_model(params: DemoParameters) -> dict[str, tuple[np.ndarray, MixtureQuantiles]]:
    """Per endpoint ("os", "ttp"): the baseline Weibull scale (days) per group and each group's marginal.

    The scale is the time at which a patient with linear predictor 0 (G1, mean age at diagnosis) has
    cumulative hazard 1, solved over the group's grade mix and age distribution so that the group's
    Kaplan-Meier median (death censoring TTP) is the published one.
    """
    ages = clipped_normal_nodes(*params.age_at_diagnosis, nodes=100)
    grade_share = np.array([params.grade_by_group[g] for g in GROUPS])  # (groups, grades)
    weight = np.repeat(grade_share / len(ages), len(ages), axis=1)  # (groups, grades x ages)
    grade = np.repeat(np.arange(len(WHO_GRADES)), len(ages))
    age = np.tile(ages, len(WHO_GRADES))
    eta = {e: np.broadcast_to(_linear_predictor(grade, age, e, params), weight.shape) for e in ("os", "ttp")}
    shape = {"os": params.os_weibull_shape, "ttp": params.ttp_weibull_shape}
    median = {
        "os": np.array([params.os_median_months[g] for g in GROUPS]) * DAYS_PER_MONTH,
        "ttp": np.array([params.ttp_median_months[g] for g in GROUPS]) * DAYS_PER_MONTH,
    }
    os_scale = calibrated_scales(median["os"], shape["os"], eta["os"], weight)
    scale = {"os": os_scale, "ttp": calibrated_scales(
        median["ttp"], shape["ttp"], eta["ttp"], weight, competing=(os_scale, shape["os"], eta["os"])
    )}
    return {e: (scale[e], MixtureQuantiles.tabulate(scale[e], shape[e], eta[e], weight)) for e in scale}


def _linear_predictor(grade: np.ndarray, age: np.ndarray, endpoint: str, params: DemoParameters) -> np.ndarray:
    """Log hazard ratio of WHO grade (vs G1) and age at diagnosis (vs the mean age) for "os" or "ttp"."""
    grade_hr = np.array(getattr(params, f"{endpoint}_grade_hr"))
    age_hr = getattr(params, f"{endpoint}_age_hr_per_year")
    return np.log(grade_hr)[grade] + np.log(age_hr) * (age - params.age_at_diagnosis[0])


def _weibull_days(u: np.ndarray, scale_days: np.ndarray, shape: float, eta: np.ndarray) -> np.ndarray:
    """Weibull proportional-hazards times (days, >= 1) by inversion of uniforms `u`: H(t) = (t/scale)^shape e^eta."""
    t = scale_days * (-np.log1p(-u) * np.exp(-eta)) ** (1.0 / shape)
    return np.maximum(1, np.round(t)).astype(np.int64)


def _ranked_days(
    rng: np.random.Generator, strata: np.ndarray, group: np.ndarray, eta: np.ndarray, marginal: MixtureQuantiles
) -> np.ndarray:
    """Proportional-hazards times (days, >= 1) whose marginal within each stratum of a group is stratified.

    Draw each patient's rank within the stratum from the PH model (cumulative hazard at the time, Exp(1),
    divided by exp(eta) orders the times for any Weibull scale and shape), then give the k-th of n the
    group's marginal quantile at a uniform in the k-th 1/n stratum. The order, all a Cox fit uses, is the
    PH model's; the marginal is stratified, so the group's median sits close to target at 1,000 patients.
    """
    key = rng.exponential(size=len(group)) * np.exp(-eta)
    u = np.empty(len(group))
    for g in np.unique(strata):
        idx = np.flatnonzero(strata == g)
        rank = np.argsort(np.argsort(key[idx], kind="stable"), kind="stable")
        u[idx] = (rank + rng.random(len(idx))) / len(idx)
    return np.maximum(1, np.round(marginal(group, u))).astype(np.int64)


def _patients(
    rng: np.random.Generator, first: int, n: int, as_of_day: int, params: DemoParameters,
    model: dict[str, tuple[np.ndarray, MixtureQuantiles]],
) -> dict:
    shares = np.array([params.group_shares[g] for g in GROUPS])
    # Stratified: every block holds the group shares to within one patient.
    u = _stratified_uniform(rng, np.zeros(n))
    group = np.searchsorted(np.cumsum(shares / shares.sum()), u, side="right")
    score = np.select(
        [group == 0, group == 1, group == 3], [0, 1, 5], 2 + _draw(rng, np.array(params.p2_4_split), n=n)
    )
    grade = _draw(rng, np.array([params.grade_by_group[g] for g in GROUPS]), rows=group)
    lo, hi = np.array([params.ki67_range_by_grade[g] for g in WHO_GRADES]).T
    ki67 = np.round(lo[grade] + (hi[grade] - lo[grade]) * rng.random(n) ** 1.5, 1)
    ki67[rng.random(n) < params.ki67_missing_share] = np.nan
    start, end = ((d - EPOCH).days for d in params.entry_window)
    end = min(end, as_of_day - 30)
    if end <= start:
        raise ValueError("as_of must be at least a month after the start of the entry window")
    origin = start + np.floor(_stratified_uniform(rng, group) * (end - start + 1)).astype(np.int64)
    gap = _pairing_gap(rng, n, params)
    lag = np.floor(rng.exponential(params.diagnosis_lag_mean_days, n)).astype(np.int64)
    diagnosis = origin - gap - params.diagnosis_min_lag_days - lag
    mean, sd, age_lo, age_hi = params.age_at_diagnosis
    age = np.clip(rng.normal(mean, sd, n), age_lo, age_hi)
    birth = diagnosis - np.round(age * DAYS_PER_YEAR).astype(np.int64)
    eta_ttp = _linear_predictor(grade, age, "ttp", params)
    # Strata: group x third of the entry window, so long follow-up (early entry) gets a balanced share.
    strata = group * 3 + (origin - start) * 3 // (end - start + 1)
    death = _ranked_days(rng, strata, group, _linear_predictor(grade, age, "os", params), model["os"][1])
    lost = np.ceil(rng.exponential(DAYS_PER_YEAR / params.loss_to_follow_up_per_year, n)).astype(np.int64)
    followup = np.minimum(death, np.minimum(lost, as_of_day - origin))
    progression = np.full((n, MAX_PROGRESSIONS), np.iinfo(np.int64).max)
    progression[:, 0] = _ranked_days(rng, strata, group, eta_ttp, model["ttp"][1])
    ttp_scale = model["ttp"][0][group]
    for j in range(1, MAX_PROGRESSIONS):
        later = _weibull_days(rng.random(n), 0.8 * ttp_scale, params.ttp_weibull_shape, eta_ttp)
        progression[:, j] = progression[:, j - 1] + later
    progression[progression >= followup[:, None]] = np.iinfo(np.int64).max
    return {
        "pid": np.arange(first, first + n, dtype=np.int64),
        "site": _draw(rng, np.array(params.site_shares), n=n),
        "sex": _draw(rng, np.array(params.sex_shares), n=n),
        "birth": birth,
        "diagnosis": diagnosis,
        "primary_site": _draw(rng, np.array([params.primary_site_shares[s] for s in PRIMARY_SITES]), n=n),
        "grade": grade,
        "ki67": ki67,
        "group": group,
        "score": score,
        "origin": origin,
        "gap": gap,
        "is_dead": death <= followup,
        "followup": followup,
        "progression": progression,
    }


def _timepoints(rng: np.random.Generator, pat: dict, params: DemoParameters) -> dict:
    """Restaging schedule, score path and treatment decisions: arrays of shape (patients, MAX_TIMEPOINTS)."""
    n = len(pat["pid"])
    lo, hi = params.restaging_interval_days
    steps = rng.integers(lo, hi + 1, size=(n, MAX_TIMEPOINTS))
    steps[:, 0] = 0
    offset = np.cumsum(steps, axis=1)
    go_on = rng.random((n, MAX_TIMEPOINTS)) >= params.restaging_stop_share
    keep = (offset < pat["followup"][:, None]) & go_on
    keep[:, 0] = True
    active = np.cumprod(keep, axis=1).astype(bool)
    prog = pat["progression"]
    score = np.zeros((n, MAX_TIMEPOINTS), dtype=np.int64)
    treatment = np.full((n, MAX_TIMEPOINTS), -1)
    stable = np.array(params.transitions_stable)
    worse = np.array(params.transitions_progressed)
    after_chemo = np.array(params.p5_after_chemotherapy)
    chemo = np.array([TREATMENTS.index(t) for t in _CHEMOTHERAPY])
    for k in range(MAX_TIMEPOINTS):
        if k == 0:
            score[:, 0] = pat["score"]
            decide = rng.random(n) < params.treat_at_baseline
        else:
            progressed = ((prog > offset[:, [k - 1]]) & (prog <= offset[:, [k]])).any(axis=1)
            prev = score[:, k - 1]
            matrix_rows = np.where(progressed[:, None], worse[prev], stable[prev])
            responded = (prev == 5) & ~progressed & np.isin(treatment[:, k - 1], chemo)
            matrix_rows[responded] = after_chemo
            score[:, k] = _draw_rows(rng, matrix_rows)
            new_p5 = (score[:, k] == 5) & (prev != 5)
            chance = np.where(progressed | new_p5, params.treat_after_progression, params.treat_otherwise)
            decide = rng.random(n) < chance
        treatment[:, k] = np.where(decide & active[:, k], _choose_treatment(rng, score[:, k], params), -1)
    return {"offset": offset, "active": active, "score": score, "treatment": treatment}


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of a matrix of probabilities."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random(len(probs))[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _choose_treatment(rng: np.random.Generator, score: np.ndarray, params: DemoParameters) -> np.ndarray:
    mix = np.array([[params.treatment_mix[g].get(t, 0.0) for t in TREATMENTS] for g in GROUPS])
    return _draw(rng, mix, rows=_GROUP_OF_SCORE[score])


def _pairing_gap(rng: np.random.Generator, n: int, params: DemoParameters) -> np.ndarray:
    """Days between the two scans of a timepoint: exponential, at most `max_pairing_gap_days`."""
    gap = np.floor(rng.exponential(params.pairing_gap_mean_days, n))
    return np.minimum(gap, params.max_pairing_gap_days).astype(np.int64)


def _scans(rng: np.random.Generator, pat: dict, tps: dict, params: DemoParameters) -> pl.DataFrame:
    """Two scans per active timepoint; the later one is dated at the timepoint, the other 0-21 days before."""
    i, k = np.nonzero(tps["active"])
    m = len(i)
    tp_day = pat["origin"][i] + tps["offset"][i, k]
    gap = np.where(k == 0, pat["gap"][i], _pairing_gap(rng, m, params))
    fdg_later = rng.random(m) < 0.5
    sstr_day = np.where(fdg_later, tp_day - gap, tp_day)
    fdg_day = np.where(fdg_later, tp_day, tp_day - gap)
    tracer = _draw(rng, np.array(params.sstr_tracer_shares), n=m)
    too_early = (tracer == SSTR_TRACERS.index("cu64_dotatate")) & (
        sstr_day < (params.cu64_first_date - EPOCH).days
    )
    tracer[too_early] = 0
    fdg = len(SSTR_TRACERS)
    return pl.DataFrame({
        "pid": np.concatenate([pat["pid"][i], pat["pid"][i]]),
        "tp": np.concatenate([k, k]) + 1,
        "is_fdg": np.concatenate([np.zeros(m, bool), np.ones(m, bool)]),
        "tracer": np.concatenate([tracer, np.full(m, fdg)]),
        "day": np.concatenate([sstr_day, fdg_day]),
    }).sort("pid", "tp", "is_fdg")


def _reads(rng: np.random.Generator, pat: dict, tps: dict, lam: float, params: DemoParameters) -> dict:
    """Recorded scores and lesion reads per timepoint, consistent with the intended score (Chan 2017)."""
    i, k = np.nonzero(tps["active"])
    m = len(i)
    score = tps["score"][i, k]
    # source 0: recorded score and lesion reads, 1: recorded score only, 2: lesion reads only
    source = _draw(rng, np.array(params.score_source_shares), n=m)
    count = np.maximum(1, rng.poisson(lam, m))
    p0_count = np.where(rng.random(m) < params.p0_no_lesion_share, 0, 1 + rng.poisson(1.0, m))
    count = np.where(score == 0, p0_count, count)
    source[count == 0] = 1
    count[source == 1] = 0
    recorded = np.where(source == 2, -1, score)
    disagree = (source == 0) & (rng.random(m) < params.recorded_disagreement_share)
    recorded[disagree] = np.where(score[disagree] < 5, score[disagree] + 1, 4)
    timepoints = pl.DataFrame({"pid": pat["pid"][i], "tp": k + 1, "recorded": recorded})
    return {"timepoints": timepoints, "lesion_reads": _lesion_rows(rng, pat, i, k, score, count, params)}


def _lesion_rows(
    rng: np.random.Generator, pat: dict, i: np.ndarray, k: np.ndarray, score: np.ndarray, count: np.ndarray,
    params: DemoParameters,
) -> pl.DataFrame:
    """One row per lesion per timepoint; lesion j of a patient keeps its location at every timepoint."""
    n = len(pat["pid"])
    row_tp = np.repeat(np.arange(len(i)), count)
    j = np.arange(len(row_tp)) - np.repeat(np.cumsum(count) - count, count)
    pool = np.zeros(n, dtype=np.int64)
    np.maximum.at(pool, i, count)
    pool_start = np.cumsum(pool) - pool
    shares = np.array([params.lesion_location_shares.get(loc, 0.0) for loc in LOCATIONS])
    pool_location = _draw(rng, shares, n=int(pool.sum()))
    in_situ = (rng.random(n) < params.primary_in_situ_share) & (pool > 0)
    pool_location[pool_start[in_situ]] = LOCATIONS.index("primary")
    location = pool_location[pool_start[i[row_tp]] + j]
    s = score[row_tp]
    index_lesion = np.floor(rng.random(len(i)) * count).astype(np.int64)[row_tp]
    step = _draw(rng, np.array(params.lesion_step_down), n=len(s))
    other = np.where(rng.random(len(s)) < params.negative_lesion_share, 0, np.maximum(1, s - step))
    cls = np.where((j == index_lesion) | (s == 0), s, np.minimum(other, s))
    sstr_avid = (cls >= 1) & (cls <= 4)
    fdg_avid = cls >= 2
    sstr_suv = np.where(sstr_avid, np.maximum(3.0, rng.lognormal(np.log(18.0), 0.5, len(s))),
                        rng.uniform(1.0, 3.0, len(s)))
    fdg_scale = np.array([1.0, 1.0, 0.7, 1.0, 1.6, 1.2])[cls]
    fdg_suv = np.where(fdg_avid, np.maximum(2.6, fdg_scale * rng.lognormal(np.log(6.0), 0.5, len(s))),
                       rng.uniform(0.8, 2.5, len(s)))
    sstr_suv[rng.random(len(s)) < params.suv_missing_share] = np.nan
    fdg_suv[rng.random(len(s)) < params.suv_missing_share] = np.nan
    return pl.DataFrame({
        "pid": pat["pid"][i[row_tp]],
        "tp": k[row_tp] + 1,
        "lesion": j + 1,
        "location": location,
        "sstr_suvmax": np.round(sstr_suv, 1),
        "fdg_suvmax": np.round(fdg_suv, 1),
        "sstr_avid": sstr_avid,
        "fdg_avid": fdg_avid,
        "comparison": np.where(sstr_avid & fdg_avid, cls - 2, -1),
    })


def _treatments(rng: np.random.Generator, pat: dict, tps: dict, params: DemoParameters) -> pl.DataFrame:
    """Treatment courses chosen at timepoints, plus a background SSA; ended by progression, death or plan."""
    i, k = np.nonzero(tps["treatment"] >= 0)
    code = tps["treatment"][i, k]
    start = tps["offset"][i, k] + rng.integers(7, 57, len(i))
    wants_ssa = rng.random(len(pat["pid"])) < params.background_ssa_share
    ssa = np.flatnonzero((pat["score"] >= 1) & (pat["score"] <= 4) & wants_ssa)
    ssa_code = np.where(rng.random(len(ssa)) < 0.5, TREATMENTS.index("ssa_lanreotide"),
                        TREATMENTS.index("ssa_octreotide"))
    i = np.concatenate([i, ssa])
    code = np.concatenate([code, ssa_code])
    start = np.concatenate([start, rng.integers(0, 31, len(ssa))])
    followup = pat["followup"][i]
    keep = start < followup
    i, code, start, followup = i[keep], code[keep], start[keep], followup[keep]
    prog = pat["progression"][i]
    next_prog = np.where(prog > start[:, None], prog, np.iinfo(np.int64).max).min(axis=1)
    end, reason = _course_ends(rng, code, start, next_prog, followup, pat["is_dead"][i], params)
    cycles, activity = _prrt_dose(rng, code, start, end, followup, reason, params)
    origin = pat["origin"][i]
    return pl.DataFrame({
        "pid": pat["pid"][i],
        "treatment": code,
        "start": origin + start,
        "end": np.where(end >= 0, origin + end, _NO_DAY),
        "cycles": cycles,
        "activity_gbq": activity,
        "stop_reason": reason,
    }).sort("pid", "start", "treatment")


def _course_ends(
    rng: np.random.Generator, code: np.ndarray, start: np.ndarray, next_prog: np.ndarray,
    followup: np.ndarray, is_dead: np.ndarray, params: DemoParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """End day (-1 when ongoing at the end of follow-up) and stop reason code (-1 when ongoing)."""
    planned = np.array([params.planned_days[t] for t in TREATMENTS])[code]
    early_shares = np.array([*params.early_stop_shares, 1.0 - sum(params.early_stop_shares)])
    early = _draw(rng, early_shares, n=len(code))
    early[planned == 0] = 3
    early_reason = np.array([STOP_REASONS.index(r) for r in _EARLY_REASONS])
    natural_end = np.where(early < 3, start + np.floor(rng.random(len(code)) * planned), start + planned)
    natural_end = natural_end.astype(np.int64)
    receptor_targeted = np.isin(code, [TREATMENTS.index(t) for t in _RECEPTOR_TARGETED])
    dedifferentiation = receptor_targeted & (rng.random(len(code)) < params.de_differentiation_share)
    progression_reason = np.where(dedifferentiation, STOP_REASONS.index("de_differentiation"),
                                  STOP_REASONS.index("progression"))
    by_progression = next_prog < followup
    end = np.select(
        [natural_end < np.minimum(next_prog, followup), by_progression, is_dead],
        [natural_end, next_prog, followup], -1,
    )
    reason = np.select(
        [natural_end < np.minimum(next_prog, followup), by_progression, is_dead],
        [early_reason[early], progression_reason, STOP_REASONS.index("death")], -1,
    )
    return end, reason


def _prrt_dose(
    rng: np.random.Generator, code: np.ndarray, start: np.ndarray, end: np.ndarray, followup: np.ndarray,
    reason: np.ndarray, params: DemoParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """PRRT cycles given (4 x ~7.4 GBq when completed, NETTER-1) and total activity; -1 / NaN otherwise."""
    is_prrt = code == TREATMENTS.index("prrt_lu177_dotatate")
    last = np.where(end >= 0, end, followup)
    given = np.minimum(params.prrt_cycles, 1 + (last - start) // params.prrt_cycle_days)
    cycles = np.where(reason == STOP_REASONS.index("completed"), params.prrt_cycles, given)
    mean, sd = params.prrt_activity_gbq
    activity = np.round(cycles * mean + sd * np.sqrt(cycles) * rng.standard_normal(len(code)), 2)
    return np.where(is_prrt, cycles, -1), np.where(is_prrt, activity, np.nan)


def _outcomes(rng: np.random.Generator, pat: dict, params: DemoParameters) -> pl.DataFrame:
    """Death (cause in detail), progression events (RECIST 1.1) and last contact of patients alive."""
    dead = np.flatnonzero(pat["is_dead"])
    alive = np.flatnonzero(~pat["is_dead"])
    pi, pj = np.nonzero(pat["progression"] < pat["followup"][:, None])
    end = pat["origin"] + pat["followup"]
    cause = np.where(rng.random(len(dead)) < params.net_death_share, 1, 2)
    return pl.DataFrame({
        "pid": np.concatenate([pat["pid"][dead], pat["pid"][pi], pat["pid"][alive]]),
        "outcome": np.repeat([0, 1, 2], [len(dead), len(pi), len(alive)]),
        "day": np.concatenate([end[dead], pat["origin"][pi] + pat["progression"][pi, pj], end[alive]]),
        "detail": np.concatenate([cause, np.zeros(len(pi)), np.full(len(alive), -1)]).astype(np.int64),
    }).sort("pid", "day", "outcome")


# --- from numeric frames to the interchange format ----------------------------------------------------

_DETAILS = ("recist_1_1", "neuroendocrine tumour", "other cause")


def _label(column: str, values: tuple[str, ...], name: str | None = None) -> pl.Expr:
    """Map integer codes to their labels; -1 (or null) becomes null."""
    mapping = dict(enumerate(values))
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String).alias(name or column)


def _day(column: str, name: str) -> pl.Expr:
    """Day numbers (since 1970-01-01) as dates; `_NO_DAY` becomes null."""
    return pl.when(pl.col(column) != _NO_DAY).then(pl.col(column)).cast(pl.Int32).cast(pl.Date).alias(name)


def _pid(column: str = "pid") -> pl.Expr:
    return pl.format("D{}", pl.col(column).cast(pl.String).str.zfill(7))


def _finish(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Turn the numeric frames of a batch into the import tables, columns in `netpet.registry.columns` order."""
    nan_to_null = pl.selectors.float().fill_nan(None)
    out = {
        "patients": frames["patients"].select(
            _pid().alias("patient_id"), _label("site", SITES), _label("sex", SEXES),
            _day("birth", "birth_date"),
            _day("diagnosis", "diagnosis_date"), _label("primary_site", PRIMARY_SITES),
            _label("grade", WHO_GRADES, "who_grade"), pl.col("ki67").alias("ki67_percent"),
        ),
        "pet_scans": frames["pet_scans"].select(
            pl.format("{}-{}{}", _pid(), pl.when("is_fdg").then(pl.lit("F")).otherwise(pl.lit("S")), "tp")
            .alias("scan_id"),
            _pid().alias("patient_id"), _label("tracer", (*SSTR_TRACERS, "fdg")), _day("day", "scan_date"),
        ),
        "timepoints": frames["timepoints"].select(
            pl.format("{}-T{}", _pid(), "tp").alias("timepoint_id"), _pid().alias("patient_id"),
            pl.format("{}-S{}", _pid(), "tp").alias("sstr_scan_id"),
            pl.format("{}-F{}", _pid(), "tp").alias("fdg_scan_id"),
            pl.when(pl.col("recorded") >= 0).then(pl.format("P{}", "recorded")).alias("netpet_score"),
        ),
        "lesion_reads": frames["lesion_reads"].select(
            pl.format("{}-T{}", _pid(), "tp").alias("timepoint_id"),
            pl.when(pl.col("location") == LOCATIONS.index("primary")).then(pl.lit("primary"))
            .otherwise(pl.format("{}-{}", _label("location", LOCATIONS), "lesion")).alias("lesion_id"),
            _label("location", LOCATIONS), "sstr_suvmax", "fdg_suvmax", "sstr_avid", "fdg_avid",
            _label("comparison", ("lower", "similar", "higher"), "fdg_vs_sstr"),
        ),
        "treatments": frames["treatments"].select(
            pl.format("{}-R{}", _pid(), pl.int_range(1, pl.len() + 1).over("pid")).alias("treatment_id"),
            _pid().alias("patient_id"), _label("treatment", TREATMENTS), _day("start", "start_date"),
            _day("end", "end_date"), pl.when(pl.col("cycles") >= 1).then(pl.col("cycles")).alias("cycles"),
            "activity_gbq", _label("stop_reason", STOP_REASONS),
        ),
        "outcomes": frames["outcomes"].select(
            _pid().alias("patient_id"), _label("outcome", ("death", "progression", "last_contact")),
            _day("day", "outcome_date"), _label("detail", _DETAILS),
        ),
    }
    return {name: frame.with_columns(nan_to_null) for name, frame in out.items()}


# --- writers: one file per table, appended batch by batch ---------------------------------------------


class _TableWriter:
    """Append batches to one CSV or Parquet file; Parquet row groups have a fixed size for determinism."""

    def __init__(self, path: Path, table: Table, fmt: str) -> None:
        import pyarrow as pa

        self.path, self.table, self.fmt, self.rows = path, table, fmt, 0
        kinds = {"text": pa.string(), "enum": pa.string(), "score": pa.string(), "date": pa.date32(),
                 "number": pa.float64(), "integer": pa.int64(), "boolean": pa.bool_()}
        self.schema = pa.schema([pa.field(c.name, kinds[c.kind]) for c in table.columns])
        self.pending: list = []
        self.pending_rows = 0
        self._writer = None
        self._file = None
        if fmt == "csv":
            self._file = path.open("wb")
            pl.DataFrame(schema=list(table.column_names)).write_csv(self._file)
        else:
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(path, self.schema)

    def write(self, frame: pl.DataFrame) -> None:
        frame = frame.select(self.table.column_names)
        self.rows += frame.height
        if self._file is not None:
            frame.write_csv(self._file, include_header=False)
            return
        self.pending.append(frame.to_arrow().cast(self.schema))
        self.pending_rows += frame.height
        while self.pending_rows >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        assert self._writer is not None  # only Parquet writers buffer
        data = pa.concat_tables(self.pending)
        # One contiguous chunk per row group: page and dictionary-fallback boundaries follow Arrow chunks.
        self._writer.write_table(data.slice(0, rows).combine_chunks(), row_group_size=rows)
        rest = data.slice(rows)
        self.pending, self.pending_rows = [rest], rest.num_rows

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self._writer is not None:
            if self.pending_rows:
                self._flush(self.pending_rows)
            self._writer.close()
