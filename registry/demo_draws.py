"""One block of demo patients as numeric frames (indices, codes, day numbers), drawn from its own random stream.

Survival times, timepoints and scores, scans, lesion reads, treatments (`netpet.registry.demo_courses`) and
outcomes, as the model in `netpet.registry.demo` describes; `netpet.registry.demo_tables` turns the frames into the
interchange format.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from netpet.registry.columns import (
    LOCATIONS,
    PRIMARY_SITES,
    SSTR_TRACERS,
    TREATMENTS,
    WHO_GRADES,
)
from netpet.registry.demo_calibration import MixtureQuantiles, calibrated_scales, clipped_normal_nodes
from netpet.registry.demo_courses import treatment_courses
from netpet.registry.demo_parameters import (
    CHEMOTHERAPY,
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    EPOCH,
    GROUP_OF_SCORE,
    GROUPS,
    MAX_PROGRESSIONS,
    MAX_TIMEPOINTS,
    DemoParameters,
)
from netpet.registry.demo_random import draw, draw_rows

# --- one block of patients: numeric frames (indices, codes, day numbers) -------------------------------


def draw_block(
    rng: np.random.Generator, extra: np.random.Generator, first: int, n: int, as_of_day: int, lam: float,
    params: DemoParameters, model: dict[str, tuple[np.ndarray, MixtureQuantiles]],
) -> dict[str, pl.DataFrame]:
    pat = _patients(rng, first, n, as_of_day, params, model)
    pat["liver_only"] = extra.random(n) < params.liver_only_share
    tps = _timepoints(rng, pat, params)
    reads = _reads(rng, pat, tps, lam, params)
    return {
        "patients": pl.DataFrame({k: pat[k] for k in (
            "pid", "site", "sex", "birth", "diagnosis", "primary_site", "grade", "ki67")}),
        "pet_scans": _scans(rng, pat, tps, params),
        "timepoints": reads["timepoints"],
        "lesion_reads": reads["lesion_reads"],
        "treatments": treatment_courses(rng, pat, tps, params),
        "outcomes": _outcomes(rng, pat, params),
    }


def _stratified_uniform(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Uniforms stratified within each group (one per 1/n stratum) so that a block matches its target."""
    u = np.empty(len(groups))
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        u[idx] = (rng.permutation(len(idx)) + rng.random(len(idx))) / len(idx)
    return u


def survival_model(params: DemoParameters) -> dict[str, tuple[np.ndarray, MixtureQuantiles]]:
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
        [group == 0, group == 1, group == 3], [0, 1, 5], 2 + draw(rng, np.array(params.p2_4_split), n=n)
    )
    grade = draw(rng, np.array([params.grade_by_group[g] for g in GROUPS]), rows=group)
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
        "site": draw(rng, np.array(params.site_shares), n=n),
        "sex": draw(rng, np.array(params.sex_shares), n=n),
        "birth": birth,
        "diagnosis": diagnosis,
        "primary_site": draw(rng, np.array([params.primary_site_shares[s] for s in PRIMARY_SITES]), n=n),
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
    chemo = np.array([TREATMENTS.index(t) for t in CHEMOTHERAPY])
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
            score[:, k] = draw_rows(rng, matrix_rows)
            new_p5 = (score[:, k] == 5) & (prev != 5)
            chance = np.where(progressed | new_p5, params.treat_after_progression, params.treat_otherwise)
            decide = rng.random(n) < chance
        treatment[:, k] = np.where(decide & active[:, k], _choose_treatment(rng, score[:, k], params), -1)
    return {"offset": offset, "active": active, "score": score, "treatment": treatment}


def _choose_treatment(rng: np.random.Generator, score: np.ndarray, params: DemoParameters) -> np.ndarray:
    mix = np.array([[params.treatment_mix[g].get(t, 0.0) for t in TREATMENTS] for g in GROUPS])
    return draw(rng, mix, rows=GROUP_OF_SCORE[score])


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
    tracer = draw(rng, np.array(params.sstr_tracer_shares), n=m)
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
    source = draw(rng, np.array(params.score_source_shares), n=m)
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
    pool_location = draw(rng, shares, n=int(pool.sum()))
    in_situ = (rng.random(n) < params.primary_in_situ_share) & (pool > 0)
    # Liver-limited patients: every metastasis in the liver (the primary, if seen, stays where it is).
    pool_location[np.repeat(pat["liver_only"], pool)] = LOCATIONS.index("liver")
    pool_location[pool_start[in_situ]] = LOCATIONS.index("primary")
    location = pool_location[pool_start[i[row_tp]] + j]
    s = score[row_tp]
    index_lesion = np.floor(rng.random(len(i)) * count).astype(np.int64)[row_tp]
    step = draw(rng, np.array(params.lesion_step_down), n=len(s))
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
