"""The randomized cross-check against R (issue 15): our engine on 300 random small data sets, to 1e-6 relative.

The sets and R's answers are stored in tests/reference/random (made by tests/random_sets.py and
make_reference.R), so this runs in CI without R. Each (set, statistic) is one test: KM with its intervals and
medians, survdiff, coxph with Efron and Breslow ties (robust with clusters), cox.zph and concordance; where R
errs or warns we must too. The cases that show a defect of issue 15 still open in the engine are listed in
known_defects.csv and marked xfail(strict=True), with the defect's number: when it is fixed they pass, and
strict xfail fails until the mark is dropped (regenerate the list with `python -m tests.random_sets`).

`python -m pytest -m rcheck` draws fresh sets (seed $NETPET_RCHECK_SEED, else a random one) and runs R live.
"""

from __future__ import annotations

import os
import secrets
import shutil
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.random_sets import (
    FOLDER,
    KNOWN_DEFECTS,
    N_SETS,
    SEED,
    STATISTICS,
    Outcome,
    Reference,
    compare,
    generate,
    known_defects,
    relative_difference,
    write,
)

REFERENCE = Reference.read()
KNOWN = {(row["set"], row["statistic"]): row for row in pl.read_csv(FOLDER / KNOWN_DEFECTS).iter_rows(named=True)}


def _case(set_number: int, statistic: str):
    known = KNOWN.get((set_number, statistic))
    marks = [pytest.mark.xfail(strict=True, reason=f"issue 15 defect {known['defect']}: {known['reason']}")] if (
        known) else []
    return pytest.param(set_number, statistic, marks=marks, id=f"set{set_number}-{statistic}")


@cache
def ours(set_number: int) -> dict[str, Outcome]:
    """Our outcomes on one stored set (computed once for its seven statistics)."""
    return REFERENCE.ours(set_number)


@pytest.mark.parametrize(("set_number", "statistic"), [_case(s, t) for s, t in REFERENCE.cases()])
def test_engine_agrees_with_r(set_number: int, statistic: str) -> None:
    problems = REFERENCE.problems(set_number, statistic, ours(set_number).get(statistic))
    assert not problems, "\n".join(problems)


def test_stored_sets_are_what_the_generator_makes() -> None:
    sets, data = generate(N_SETS, SEED)
    assert sets.equals(REFERENCE.sets)
    assert data.equals(REFERENCE.data)


def test_stored_sets_cover_the_edges_the_issue_names() -> None:
    sets, data = REFERENCE.sets, REFERENCE.data
    assert sets.height >= 300
    assert sets["n"].min() <= 4
    assert sets["n"].max() >= 450
    counting = data.join(sets.filter("counting").select("set"), on="set", how="semi")
    assert counting.filter(pl.col("entry") == pl.col("time")).height > 0
    assert counting.filter(pl.col("entry") < pl.col("time")).height > 0
    integer_times = data.filter(pl.col("time") == pl.col("time").round(0))
    assert integer_times.group_by("set", "time").len()["len"].max() >= 10  # type: ignore[operator]
    assert sets["strata"].sum() >= 50
    assert sets["cluster"].sum() >= 50
    assert set(np.unique(data["x1"].to_numpy())) <= {0, 1, 2, 3, 4}
    assert data["x2"].n_unique() > 1000


def test_every_statistic_is_checked_on_hundreds_of_sets() -> None:
    counts = REFERENCE.status.group_by("statistic").len()
    assert set(counts["statistic"]) == set(STATISTICS)
    assert counts["len"].min() >= 200  # type: ignore[operator]


def test_the_comparison_catches_differences_and_mismatched_outcomes() -> None:
    r = Outcome("ok", "", {"coef:x1": 0.5, "se:x1": 0.1, "small": 1e-17})
    assert compare(r, Outcome("ok", "", {"coef:x1": 0.5 * (1 + 5e-7), "se:x1": 0.1, "small": -3e-16})) == []
    assert compare(r, Outcome("ok", "", {"coef:x1": 0.5 * (1 + 2e-6), "se:x1": 0.1, "small": 0.0}))
    assert compare(r, Outcome("warning", "ran out", r.values))
    assert compare(Outcome("error", "only 1 group"), Outcome("ok", "", {}))
    assert compare(r, Outcome("ok", "", {"coef:x1": 0.5, "se:x1": 0.1}))  # a value R gives and we do not
    assert relative_difference(float("nan"), float("nan")) == 0.0
    assert relative_difference(1.0, float("nan")) == float("inf")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[Reference, int]:
    """Fresh random sets and R's values on them, computed now by Rscript."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (apt-get install r-cran-survival)")
    seed = int(os.environ.get("NETPET_RCHECK_SEED") or secrets.randbelow(2**31))
    folder = Path(tmp_path_factory.mktemp("rcheck"))
    write(folder, int(os.environ.get("NETPET_RCHECK_SETS", "200")), seed)
    return Reference.read(folder), seed


@pytest.mark.rcheck
@pytest.mark.parametrize("statistic", STATISTICS)
def test_fresh_random_sets_agree_with_r_live(live: tuple[Reference, int], statistic: str) -> None:
    reference, seed = live
    found = known_defects(reference).filter(pl.col("statistic") == statistic)
    lines = [f"set {row['set']}: likely issue 15 defect {row['defect']} ({row['reason']}): {row['first_difference']}"
             for row in found.iter_rows(named=True)]
    assert not lines, f"seed {seed}: {len(lines)} sets disagree with R\n" + "\n".join(lines)
