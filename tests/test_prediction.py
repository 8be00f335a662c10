"""netpet.analysis.survival.prediction agrees with R's survfit(coxph_fit, newdata) (survival 3.5.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.cox import fit_cox
from netpet.analysis.survival.prediction import cox_predicted_survival

REFERENCE = Path(__file__).parent / "reference" / "validation"
REL = 1e-6

#: case -> (data, terms, fit_cox keywords); the R fits are in prediction.R.
CASES: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "veteran_efron": ("veteran", ["trt", "celltype", "karno", "age"],
                      {"levels": {"celltype": ["squamous", "smallcell", "adeno", "large"]}}),
    "lung_breslow": ("lung", ["age", "sex", "ph_ecog"], {"ties": "breslow"}),
    "lung_strata_sex": ("lung", ["age", "ph_ecog"], {"strata": "sex"}),
    "pbc_efron": ("pbc", ["log_bili", "albumin", "age", "edema"], {}),
    "heart_entry": ("heart", ["age", "surgery"], {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_predicted_survival_matches_r_survfit_newdata(case: str) -> None:
    """R: summary(survfit(fit, newdata = d), times = times, extend = TRUE)$surv for every row of d."""
    name, terms, options = CASES[case]
    d = pl.read_csv(REFERENCE / f"{name}.csv").with_columns(
        *([pl.col("bili").log().alias("log_bili")] if name == "pbc" else []))
    expected = pl.read_csv(REFERENCE / "prediction.csv").filter(pl.col("case") == case)
    times = expected.filter(pl.col("row") == 1)["time"].to_numpy()
    got = cox_predicted_survival(fit_cox(d, terms=terms, **options), times)
    want = expected.sort("row", "time")["surv"].to_numpy().reshape(d.height, times.size)
    np.testing.assert_allclose(got, want, rtol=REL)


def test_before_the_first_event_survival_is_one_and_it_falls_with_risk() -> None:
    """S(t) = 1 before any event; at a later time, the patient with the higher linear predictor has the
    lower predicted survival."""
    d = pl.read_csv(REFERENCE / "lung.csv")
    result = fit_cox(d, terms=["age"])
    got = cox_predicted_survival(result, [0.0, 365.0])
    assert np.all(got[:, 0] == 1.0)
    order = np.argsort(result.linear_predictor)
    assert np.all(np.diff(got[order, 1]) <= 0)
