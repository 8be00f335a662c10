"""The randomized cross-check against R (issue 15): random small survival data sets, our numbers, R's numbers.

`generate` draws data sets as a reviewer would to probe the edges: n from 3 to 500 (log-uniform), integer
times with many ties (a few sets with continuous times), an integer and a continuous predictor, groups,
strata, clusters, and (entry, time] rows including entry == time. `ours` computes every statistic of
tests/reference/random/make_reference.R with this project's engine; `compare` says where the two differ
(values beyond `RTOL`, or R erring or warning where we do not, and the reverse).

Regenerate the stored sets and R's values (needs Rscript with survival 3.5-3):

    python -m tests.random_sets                  # tests/reference/random, SEED, N_SETS, and known_defects.csv
    python -m tests.random_sets --summary        # worst relative difference per statistic, from the stored values
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

FOLDER = Path(__file__).parent / "reference" / "random"
R_SCRIPT = FOLDER / "make_reference.R"
#: The cases that disagree with R today, each with the issue-15 defect it shows (the tests mark them xfail).
KNOWN_DEFECTS = "known_defects.csv"
SEED = 2026
N_SETS = 300
#: Relative tolerance of every comparison; ATOL is the absolute floor for values R computes as ~0.
RTOL = 1e-6
ATOL = 1e-9
#: Our refusal of a Cox model without events, where R returns one of NA coefficients.
NO_EVENTS = "no events among the rows"
#: R's warning of a Cox fit stopped at its iteration limit: its estimates are not compared, the warning is.
NOT_CONVERGED = "Ran out of iterations"
#: Notes of fit_cox that say what R shows without a warning (an NA coefficient in its table; the rank it
#: takes as the Wald test's df): kept out of the warnings compared, since R is silent; the values are compared.
SILENT_IN_R = ("Not estimable (collinear with other terms, or constant)", "The robust variance is singular")
STATISTICS = ("km", "logrank", "cox_efron", "cox_breslow", "zph_efron", "zph_breslow", "concordance")


def generate(n_sets: int = N_SETS, seed: int = SEED) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (sets, data): one row per set (set, n, counting, strata, cluster) and the sets' rows."""
    rng = np.random.default_rng(seed)
    metas, frames = [], []
    for number in range(1, n_sets + 1):
        n = round(math.exp(rng.uniform(math.log(3), math.log(500))))
        meta = {"set": number, "n": n, "counting": bool(rng.random() < 0.3), "strata": bool(rng.random() < 0.3),
                "cluster": bool(rng.random() < 0.25)}
        metas.append(meta)
        frames.append(_rows(rng, meta))
    return pl.DataFrame(metas), pl.concat(frames)


def _rows(rng: np.random.Generator, meta: dict) -> pl.DataFrame:
    n = meta["n"]
    if rng.random() < 0.15:  # continuous times, two decimals
        time = np.round(rng.exponential(10.0, n) + 0.01, 2)
        entry = np.round(time * rng.choice([0.0, 0.3, 0.7, 1.0], n), 2)
    else:  # integer times on a short scale: many ties
        time = rng.integers(1, int(rng.choice([3, 5, 10, 30, 100])) + 1, n).astype(float)
        entry = np.floor(rng.uniform(0, time + 1))  # 0 .. time, entry == time included
    x1 = rng.integers(0, int(rng.integers(1, 5)) + 1, n)
    return pl.DataFrame({
        "set": np.full(n, meta["set"]),
        "entry": entry if meta["counting"] else np.zeros(n),
        "time": time,
        "event": (rng.random(n) < rng.uniform(0.1, 0.95)).astype(np.int64),
        "grp": rng.integers(1, int(rng.choice([1, 2, 3], p=[0.1, 0.45, 0.45])) + 1, n),
        "x1": x1,
        "x2": np.round(rng.normal(0.3 * x1, 1.0, n), 3),
        "stratum": rng.integers(1, int(rng.integers(2, 5)) + 1, n),
        "cl": rng.integers(1, int(rng.integers(2, max(3, n // 2) + 1)) + 1, n),
    })


def write(folder: Path, n_sets: int = N_SETS, seed: int = SEED) -> None:
    """Write sets.csv and data.csv into `folder`, then R's values with make_reference.R."""
    folder.mkdir(parents=True, exist_ok=True)
    sets, data = generate(n_sets, seed)
    sets.write_csv(folder / "sets.csv")
    data.write_csv(folder / "data.csv")
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not installed: R's values cannot be computed")
    subprocess.run([rscript, str(R_SCRIPT), str(folder)], check=True)


# --- our side -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One statistic of one set: ok, warning or error, the messages, and the values by name."""

    outcome: str = "ok"
    message: str = ""
    values: dict[str, float] = field(default_factory=dict)


@contextmanager
def _capture(out: Outcome) -> Iterator[list]:
    """Record warnings (and notes the caller appends) as a warning, an exception as an error."""
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield notes
        except Exception as exc:
            out.outcome, out.message = "error", f"{type(exc).__name__}: {exc}"
            return
    messages = [str(w.message) for w in caught] + notes
    if messages:
        out.outcome, out.message = "warning", " | ".join(messages)


def ours(meta: dict, rows: pl.DataFrame) -> dict[str, Outcome]:
    """Every statistic of make_reference.R on one set, computed by this project's engine."""
    from netpet.analysis.studies.frames import SurvivalData, analysed_rows

    frame = rows.with_columns(pl.col("grp").cast(pl.String))
    if not meta["counting"]:
        frame = frame.drop("entry")
    data = analysed_rows(SurvivalData(frame, origin="diagnosis" if meta["counting"] else "first-timepoint",
                                      by="grp"))
    frame = data.frame
    results = {"km": _km(frame, sum(data.excluded.values()))}
    if not meta["counting"]:
        results["logrank"] = _logrank(frame, meta)
    for ties in ("efron", "breslow"):
        cox, fit = _cox(frame, meta, ties)
        results[f"cox_{ties}"] = cox
        if fit is not None:
            results[f"zph_{ties}"] = _zph(fit)
    results["concordance"] = _concordance(frame, meta)
    return results


def _run(compute: Callable[[list[str]], dict[str, float]]) -> Outcome:
    out = Outcome()
    with _capture(out) as notes:
        out.values = compute(notes)
    return out


def _km(frame: pl.DataFrame, dropped: int) -> Outcome:
    from netpet.analysis.survival.km import km_fit

    def compute(notes: list[str]) -> dict[str, float]:
        one = frame["grp"].n_unique() == 1  # R's survfit(~ grp) with one level has no strata: "all"
        fit = km_fit(frame, group=None if one else "grp")
        values: dict[str, float] = {"dropped": dropped}
        for row in fit.table.iter_rows(named=True):
            for column in ("n_risk", "n_event", "surv", "std_err", "lower", "upper"):
                values[f"{row['group']}@{row['time']:g}:{column}"] = _num(row[column])
        for row in fit.summary.iter_rows(named=True):
            for column in ("median", "median_lower", "median_upper"):
                values[f"{row['group']}:{column}"] = _num(row[column])
        return values

    return _run(compute)


def _logrank(frame: pl.DataFrame, meta: dict) -> Outcome:
    from netpet.analysis.survival.logrank import logrank_test

    def compute(notes: list[str]) -> dict[str, float]:
        result = logrank_test(frame, group="grp", strata="stratum" if meta["strata"] else None)
        return {"chisq": result.chisq, "df": result.df}

    return _run(compute)


def _cox(frame: pl.DataFrame, meta: dict, ties: str):
    from netpet.analysis.studies.cox_analysis import cox_concordance
    from netpet.analysis.survival.cox import fit_cox

    fitted = []

    def compute(notes: list[str]) -> dict[str, float]:
        fit = fit_cox(frame, terms=["x1", "x2"], ties=ties,  # type: ignore[arg-type]
                      strata="stratum" if meta["strata"] else None, cluster="cl" if meta["cluster"] else None)
        fitted.append(fit)
        c, c_se = cox_concordance(fit)
        values = {"n": fit.n, "events": fit.events, "loglik_null": fit.loglik_null, "loglik": fit.loglik,
                  "likelihood_ratio": fit.likelihood_ratio.chisq, "wald": fit.wald.chisq,
                  "score": fit.score.chisq, "concordance": c, "concordance_se": c_se}
        naive = fit.naive_var if fit.naive_var is not None else fit.var
        with np.errstate(invalid="ignore"):
            for j, name in enumerate(fit.columns):
                values[f"coef:{name}"] = float(fit.coef[j])
                values[f"se:{name}"] = float(np.sqrt(naive[j, j]))
                if fit.robust:
                    values[f"robust_se:{name}"] = float(np.sqrt(fit.var[j, j]))
        if fit.robust_score is not None:
            values["robust_score"] = fit.robust_score.chisq
        notes.extend(note for note in fit.notes if not note.startswith(SILENT_IN_R))
        return values

    out = _run(compute)
    return out, (fitted[0] if fitted and out.outcome != "error" else None)


def _zph(fit) -> Outcome:
    from netpet.analysis.survival.phtest import ph_test

    def compute(notes: list[str]) -> dict[str, float]:
        table = ph_test(fit)
        return {**{f"chisq:{r['term']}": r["chisq"] for r in table.iter_rows(named=True)},
                **{f"df:{r['term']}": float(r["df"]) for r in table.iter_rows(named=True)}}

    return _run(compute)


def _concordance(frame: pl.DataFrame, meta: dict) -> Outcome:
    from netpet.analysis.survival.concordance import concordance_index

    def compute(notes: list[str]) -> dict[str, float]:
        c, se = concordance_index(
            frame["time"].to_numpy(), frame["event"].to_numpy(), frame["x1"].to_numpy(),
            frame["stratum"].to_numpy() if meta["strata"] else None,
            entry=frame["entry"].to_numpy() if "entry" in frame.columns else None)
        return {"c": c, "se": se}

    return _run(compute)


def _num(value: object) -> float:
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


# --- R's side and the comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """R's outcomes and values of a folder written by make_reference.R."""

    sets: pl.DataFrame
    data: pl.DataFrame
    status: pl.DataFrame
    values: pl.DataFrame

    @classmethod
    def read(cls, folder: Path = FOLDER) -> Reference:
        """Read sets.csv, data.csv, r_status.csv and r_values.csv of `folder`."""
        status = pl.read_csv(folder / "r_status.csv", null_values="NA", schema_overrides={"message": pl.String})
        values = pl.read_csv(folder / "r_values.csv", null_values="NA", schema_overrides={"value": pl.Float64})
        return cls(pl.read_csv(folder / "sets.csv"), pl.read_csv(folder / "data.csv"), status, values)

    def cases(self) -> list[tuple[int, str]]:
        """Every (set, statistic) R computed or refused."""
        return [(int(s), str(t)) for s, t in self.status.select("set", "statistic").iter_rows()]

    def r_outcome(self, set_number: int, statistic: str) -> Outcome:
        """R's outcome of one case, with its values."""
        row = self.status.filter((pl.col("set") == set_number) & (pl.col("statistic") == statistic)).row(
            0, named=True)
        part = self.values.filter((pl.col("set") == set_number) & (pl.col("statistic") == statistic))
        values = {name: _num(value) for name, value in part.select("name", "value").iter_rows()}
        return Outcome(row["outcome"], row["message"] or "", values)

    def problems(self, set_number: int, statistic: str, us: Outcome | None) -> list[str]:
        """`compare` R's outcome of one case with ours, values left out where R's Cox fit did not converge."""
        return compare(self.r_outcome(set_number, statistic), us, values=self.values_compared(set_number, statistic))

    def values_compared(self, set_number: int, statistic: str) -> bool:
        """False for a Cox fit (and its PH test) that R stopped at the iteration limit."""
        if not statistic.startswith(("cox_", "zph_")):
            return True
        return NOT_CONVERGED not in self.r_outcome(set_number, "cox_" + statistic.split("_")[1]).message

    def ours(self, set_number: int) -> dict[str, Outcome]:
        """Our outcomes on one set."""
        meta = self.sets.filter(pl.col("set") == set_number).row(0, named=True)
        return ours(meta, self.data.filter(pl.col("set") == set_number))


def relative_difference(ours_value: float, r_value: float) -> float:
    """|ours - R| / |R|: 0 when both are NA or equal, inf when only one is NA; a value R computes as ~0
    (|R| < ATOL, such as a coefficient of 1e-17) is compared absolutely, 0 when within ATOL."""
    if math.isnan(ours_value) and math.isnan(r_value):
        return 0.0
    if math.isnan(ours_value) or math.isnan(r_value):
        return math.inf
    if ours_value == r_value:
        return 0.0
    if abs(r_value) < ATOL:
        return 0.0 if abs(ours_value - r_value) <= ATOL else math.inf
    return abs(ours_value - r_value) / abs(r_value)


def compare(r: Outcome, us: Outcome | None, *, values: bool = True) -> list[str]:
    """What differs between R's and our outcome of one case; empty when they agree.

    `values=False` compares only the outcomes: for a Cox fit R stopped without converging (its 20th
    iterate, an estimate R itself calls undefined) and the PH test of that fit.
    """
    if us is None:  # a PH test of a model we refused
        return [] if r.outcome == "error" else [f"R {r.outcome}, we did not compute it"]
    if r.values.get("events") == 0 and us.outcome == "error" and NO_EVENTS in us.message:
        return []  # R returns a model of NA coefficients without events; we refuse it by name (docs/r-parity.md)
    if (r.outcome == "error") != (us.outcome == "error"):
        return [f"R {r.outcome} ({r.message}) but we {us.outcome} ({us.message})"]
    if r.outcome == "error":
        return []
    problems = []
    if (r.outcome == "warning") != (us.outcome == "warning"):
        problems.append(f"R {r.outcome} ({r.message}) but we {us.outcome} ({us.message})")
    if not values:
        return problems
    for name in sorted(set(r.values) | set(us.values)):
        if name not in us.values or name not in r.values:
            problems.append(f"{name}: only {'R' if name in r.values else 'we'} give it")
            continue
        diff = relative_difference(us.values[name], r.values[name])
        if diff > RTOL:
            problems.append(f"{name}: ours {us.values[name]!r}, R {r.values[name]!r} (relative {diff:.3g})")
    return problems


def likely_defect(reference: Reference, set_number: int, statistic: str, problems: list[str]) -> tuple[str, str]:
    """The issue-15 defect (number, reason) a disagreement most likely shows, from R's outcome and the set:
    what R does and what we do instead."""
    r = reference.r_outcome(set_number, statistic)
    if statistic == "logrank":
        return _logrank_defect(r)
    if statistic == "concordance" or all(p.startswith("concordance") for p in problems):
        if r.outcome == "error":
            return "1", f"R's concordance stops ({r.message.strip()}); concordance_index does not"
        return "1", "concordance pair counts"
    cox = reference.r_outcome(set_number, "cox_" + statistic.split("_")[1])
    if statistic.startswith("cox_") and r.outcome == "error":
        return "8", (f"R's coxph fails internally ({r.message.strip()}) on a fit with an aliased column; we fit "
                     "it and report the column not estimable")
    if statistic.startswith("zph_") and NOT_CONVERGED in cox.message:
        return "5", ("cox.zph of a fit R stopped at the iteration limit: at R's 20th iterate R's information is "
                     f"{'singular' if r.outcome == 'error' else 'not singular'}, at ours it is "
                     f"{'not ' if r.outcome == 'error' else ''}singular; the estimate is undefined on both sides")
    if cox.outcome == "warning" and "infinite" in cox.message:
        return "5", ("monotone likelihood: a coefficient heads to infinity (R and we warn), and the finite "
                     "value where each stops differs" + (", so does cox.zph's information (R: singular)"
                                                         if statistic.startswith("zph_") else ""))
    if any(name.startswith("coef:") and math.isnan(v) for name, v in cox.values.items()):
        return "8", "R finds an aliased column (coefficient NA)"
    if cox.outcome == "warning":
        return "5", "R's fit does not converge (coefficients may be infinite)"
    meta = reference.sets.filter(pl.col("set") == set_number).row(0, named=True)
    clusters = reference.data.filter(pl.col("set") == set_number)["cl"].n_unique()
    if meta["cluster"] and clusters <= 2:
        return "4", "no more clusters than coefficients: the robust variance is singular"
    return "8", "cox.zph's information is singular: R refuses, ph_test solves it"


def _logrank_defect(r: Outcome) -> tuple[str, str]:
    if "only 1 group" in r.message:
        return "9", "R refuses a log-rank test of one group; logrank_test does not"
    if r.outcome == "warning":
        return "9", ("no events: R's survdiff warns (pchisq on df -1: 'NaNs produced'); we give chisq 0 on "
                     "0 df, p NaN, and say 'No events' in the counts' notes, not as a warning")
    return "9", "R's survdiff variance is singular and R refuses; logrank_test does not"


def known_defects(reference: Reference) -> pl.DataFrame:
    """Every case where we disagree with R: set, statistic, likely defect, its reason, the first difference."""
    rows = []
    for set_number in reference.sets["set"].to_list():
        us = reference.ours(set_number)
        for statistic in STATISTICS:
            if reference.status.filter((pl.col("set") == set_number)
                                       & (pl.col("statistic") == statistic)).is_empty():
                continue
            problems = reference.problems(set_number, statistic, us.get(statistic))
            if problems:
                rows.append((set_number, statistic, *likely_defect(reference, set_number, statistic, problems),
                             problems[0]))
    return pl.DataFrame(rows, schema=["set", "statistic", "defect", "reason", "first_difference"], orient="row")


def worst_differences(reference: Reference) -> pl.DataFrame:
    """Per statistic: cases, cases that agree, those where R warns or errs, and the worst relative difference
    among the values compared (all agreeing cases, and those where R neither warns nor errs)."""
    rows = []
    by_set: dict[int, dict[str, Outcome]] = {}
    for set_number, statistic in reference.cases():
        if set_number not in by_set:
            by_set[set_number] = reference.ours(set_number)
        r, us = reference.r_outcome(set_number, statistic), by_set[set_number].get(statistic)
        agree = not reference.problems(set_number, statistic, us)
        computed = agree and us is not None and us.outcome != "error" and reference.values_compared(
            set_number, statistic)
        worst = max((relative_difference(us.values[k], v) for k, v in r.values.items()), default=0.0) if (
            computed and us is not None) else math.nan
        rows.append({"statistic": statistic, "agree": agree, "r_outcome": r.outcome, "worst": worst})
    return (pl.DataFrame(rows).group_by("statistic", maintain_order=True)
            .agg(pl.len().alias("cases"), pl.col("agree").sum().alias("agree"),
                 (pl.col("r_outcome") != "ok").sum().alias("r_warns_or_errs"),
                 pl.col("worst").filter(pl.col("agree")).max().alias("worst_relative_difference"),
                 pl.col("worst").filter(pl.col("agree") & (pl.col("r_outcome") == "ok")).max()
                 .alias("worst_where_r_is_silent")))


def main() -> None:
    """Regenerate the stored sets and R's values, or print the summary of the stored ones."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=FOLDER)
    parser.add_argument("--sets", type=int, default=N_SETS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--summary", action="store_true", help="print the worst differences, write nothing")
    args = parser.parse_args()
    if not args.summary:
        write(args.out, args.sets, args.seed)
        known_defects(Reference.read(args.out)).write_csv(args.out / KNOWN_DEFECTS)
    with pl.Config(tbl_rows=-1):
        print(worst_differences(Reference.read(args.out)))


if __name__ == "__main__":
    main()
