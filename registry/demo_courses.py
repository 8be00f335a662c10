"""Treatment courses of a block of demo patients: chosen at timepoints plus a background SSA, ended by plan,
progression or death, with the PRRT cycles and activity given (`netpet.registry.demo_draws` draws the rest)."""

from __future__ import annotations

import numpy as np
import polars as pl

from netpet.registry.columns import STOP_REASONS, TREATMENTS
from netpet.registry.demo_parameters import EARLY_REASONS, NO_DAY, RECEPTOR_TARGETED, DemoParameters
from netpet.registry.demo_random import draw


def treatment_courses(rng: np.random.Generator, pat: dict, tps: dict, params: DemoParameters) -> pl.DataFrame:
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
        "end": np.where(end >= 0, origin + end, NO_DAY),
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
    early = draw(rng, early_shares, n=len(code))
    early[planned == 0] = 3
    early_reason = np.array([STOP_REASONS.index(r) for r in EARLY_REASONS])
    natural_end = np.where(early < 3, start + np.floor(rng.random(len(code)) * planned), start + planned)
    natural_end = natural_end.astype(np.int64)
    receptor_targeted = np.isin(code, [TREATMENTS.index(t) for t in RECEPTOR_TARGETED])
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
