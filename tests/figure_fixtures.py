"""Test input for figure tests: KM tables in the `netpet.analysis.survival.km` contract, built with lifelines.

lifelines is used only to make input here; the figures must plot exactly the tables passed in.
"""

from __future__ import annotations

import random

import polars as pl


def km_tables(durations, events, groups) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (KM table, summary) per group in the contract of `netpet.analysis.survival.km` (censored rows included)."""
    from lifelines import KaplanMeierFitter

    frame = pl.DataFrame({"time": durations, "event": events, "group": groups})
    tables, summaries = [], []
    for group in sorted(set(groups)):
        rows = frame.filter(pl.col("group") == group)
        fit = KaplanMeierFitter().fit(rows["time"].to_list(), rows["event"].to_list())
        et = fit.event_table
        if et.index[0] == 0 and et["removed"].iloc[0] == 0:
            et = et.iloc[1:]  # lifelines' entry row at time 0, not a time in the data
        times = [float(t) for t in et.index]
        ci = fit.confidence_interval_survival_function_
        tables.append(pl.DataFrame({
            "group": [group] * len(times),
            "time": times,
            "n_risk": [int(v) for v in et["at_risk"]],
            "n_event": [int(v) for v in et["observed"]],
            "n_censor": [int(v) for v in et["censored"]],
            "surv": [float(fit.survival_function_.loc[t].iloc[0]) for t in times],
            "lower": [float(ci.loc[t].iloc[0]) for t in times],
            "upper": [float(ci.loc[t].iloc[1]) for t in times],
        }))
        median = float(fit.median_survival_time_)
        summaries.append({"group": group, "n": rows.height, "events": int(rows["event"].sum()),
                          "median": None if median == float("inf") else median,
                          "median_lower": None, "median_upper": None})
    return pl.concat(tables), pl.DataFrame(summaries, schema={
        "group": pl.String, "n": pl.Int64, "events": pl.Int64, "median": pl.Float64,
        "median_lower": pl.Float64, "median_upper": pl.Float64})


def synthetic_cohort(seed: int = 7, n: int = 120) -> tuple[list[float], list[int], list[str]]:
    """Exponential survival by NETPET group (medians near 100, 46 and 12 months), censored at 0-96 months."""
    rng = random.Random(seed)
    medians = {"P1": 100.0, "P2-4": 46.0, "P5": 12.0}
    durations, events, groups = [], [], []
    for i in range(n):
        group = ("P1", "P2-4", "P5")[i % 3]
        death = rng.expovariate(0.6931 / medians[group])
        censor = rng.uniform(6, 96)
        durations.append(round(min(death, censor), 2))
        events.append(int(death <= censor))
        groups.append(group)
    return durations, events, groups
