"""The demo cohort's parameters: every number the generator uses, with its source or stated assumption.

`DEMO_PARAMETERS` is what `netpet.registry.demo` draws from (calibration targets from Chan et al., Br J Cancer
2023; score rules from Chan et al., Theranostics 2017); the constants fix the generator's blocks and units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

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
    # Share of patients whose metastases are all in the liver (no extrahepatic disease), drawn from a stream of
    # its own. Assumption: liver-limited disease is common in metastatic GEP-NENs; BJC 2023 tested extrahepatic
    # disease and found it not prognostic, so survival does not depend on it here.
    liver_only_share: float = 0.35
    # Treatment line at a timepoint: at baseline, after progression or new P5, otherwise rarely.
    treat_at_baseline: float = 0.85
    treat_after_progression: float = 0.8
    treat_otherwise: float = 0.1
    # Treatment mix by current score: PRRT mostly for P1-P4 (P1 suited to PRRT, P5 not: Chan 2017 via
    # docs/domain.md), chemotherapy mostly for P5; a few P5 patients get PRRT so the audit has
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
    # de-differentiation of the published case P5 -> P5 -> P3 -> P5 in docs/domain.md); P5 after
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

NO_DAY = -(10**9)  # a missing day number (an ongoing course's end)
EARLY_REASONS = ("toxicity", "patient_choice", "other", "completed")
RECEPTOR_TARGETED = ("prrt_lu177_dotatate", "ssa_octreotide", "ssa_lanreotide")
CHEMOTHERAPY = ("capecitabine_temozolomide", "platinum_etoposide")
GROUP_OF_SCORE = np.array([0, 1, 2, 2, 2, 3])  # score -> index in GROUPS
