"""Load the R reference cases in tests/reference/cox (written by make_reference.R) and fit them in Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from netpet.analysis.survival.cox import CoxResult, fit_cox

REFERENCE = Path(__file__).parent / "reference" / "cox"
VETERAN_LEVELS = {"celltype": ["squamous", "smallcell", "adeno", "large"]}
RX_LEVELS = {"rx": ["Obs", "Lev", "Lev+5FU"]}

#: case -> (input CSV, terms, fit_cox keywords); the R call of each case is in make_reference.R.
CASES: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "veteran_efron": ("veteran", ["trt", "celltype", "karno", "age"], {"levels": VETERAN_LEVELS}),
    "veteran_breslow": ("veteran", ["trt", "celltype", "karno", "age"], {"levels": VETERAN_LEVELS,
                                                                         "ties": "breslow"}),
    "lung_efron": ("lung", ["age", "sex", "ph_ecog"], {}),
    "lung_breslow": ("lung", ["age", "sex", "ph_ecog"], {"ties": "breslow"}),
    "lung_single": ("lung", ["age"], {}),
    "colon_strata": ("colon", ["rx", "age", "nodes"], {"levels": RX_LEVELS, "strata": "sex"}),
    "colon_cluster": ("colon", ["rx", "age", "nodes"], {"levels": RX_LEVELS, "strata": "etype",
                                                        "cluster": "id"}),
    "colon_cluster_breslow": ("colon", ["rx", "age", "nodes"], {"levels": RX_LEVELS, "strata": "etype",
                                                                "cluster": "id", "ties": "breslow"}),
    "rossi_efron": ("rossi", ["fin", "age", "race", "wexp", "mar", "paro", "prio"], {}),
    "rossi_breslow": ("rossi", ["fin", "age", "race", "wexp", "mar", "paro", "prio"], {"ties": "breslow"}),
    "heart_efron": ("heart", ["age", "year", "surgery", "transplant"], {}),
    "heart_breslow": ("heart", ["age", "year", "surgery", "transplant"], {"ties": "breslow"}),
    "heart_cluster": ("heart", ["age", "year", "surgery", "transplant"], {"cluster": "id"}),
    "edge_efron": ("edge", ["x"], {"strata": "g"}),
    "edge_breslow": ("edge", ["x"], {"strata": "g", "ties": "breslow"}),
}


def read_input(name: str) -> pl.DataFrame:
    """Return an input CSV written by make_reference.R (or, for rossi, from lifelines)."""
    return pl.read_csv(REFERENCE / f"{name}.csv")


def fit_case(case: str) -> CoxResult:
    """Fit one reference case in Python; colon_strata uses only the death rows (etype 2) of colon.csv."""
    name, terms, kwargs = CASES[case]
    data = read_input(name)
    if case == "colon_strata":
        data = data.filter(pl.col("etype") == 2)
    return fit_cox(data, terms=terms, **kwargs)


def r_output(case: str, part: str) -> pl.DataFrame:
    """Return R's output table `part` (coef, fit or zph) of a case."""
    return pl.read_csv(REFERENCE / f"{case}_{part}.csv", null_values="NA")


def r_term(name: str) -> str:
    """Map R's coefficient name to ours: celltypesmallcell -> celltype=smallcell, rxLev -> rx=Lev."""
    for factor in ("celltype", "rx"):
        if name.startswith(factor):
            return f"{factor}={name[len(factor):]}"
    return name
