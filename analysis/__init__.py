"""NETPET analysis: survival statistics by NETPET group that agree with R's survival package.

Three layers, each importing only those below it: `survival` (the estimators: arrays and frames in, frozen
results out, never the registry), `studies` (a registry in, typed reports out) and `outputs` (figures, tables,
report writers). The main entry points are named here and loaded on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netpet.analysis.outputs.figures import cohort_flow, forest_plot, save_figure
    from netpet.analysis.outputs.km_figure import km_figure
    from netpet.analysis.outputs.tables import cox_table, table_one, write_table
    from netpet.analysis.studies.cox_analysis import cox_analysis
    from netpet.analysis.studies.frames import SurvivalData, survival_frame
    from netpet.analysis.studies.km_analysis import km_report
    from netpet.analysis.studies.longitudinal import landmark_frame, score_intervals, time_varying_frame
    from netpet.analysis.studies.transitions import score_transitions
    from netpet.analysis.survival.concordance import concordance_index
    from netpet.analysis.survival.cox import cox_coefficients, cox_tests, fit_cox
    from netpet.analysis.survival.km import km_fit, km_summary, km_table, survival_at
    from netpet.analysis.survival.logrank import logrank_test, logrank_trend, pairwise_logrank
    from netpet.analysis.survival.phtest import ph_test

#: public name -> the module (below netpet.analysis) that defines it
_HOMES = {
    "concordance_index": "survival.concordance",
    "cox_coefficients": "survival.cox",
    "cox_tests": "survival.cox",
    "fit_cox": "survival.cox",
    "km_fit": "survival.km",
    "km_summary": "survival.km",
    "km_table": "survival.km",
    "survival_at": "survival.km",
    "logrank_test": "survival.logrank",
    "logrank_trend": "survival.logrank",
    "pairwise_logrank": "survival.logrank",
    "ph_test": "survival.phtest",
    "SurvivalData": "studies.frames",
    "survival_frame": "studies.frames",
    "cox_analysis": "studies.cox_analysis",
    "km_report": "studies.km_analysis",
    "landmark_frame": "studies.longitudinal",
    "score_intervals": "studies.longitudinal",
    "score_transitions": "studies.transitions",
    "time_varying_frame": "studies.longitudinal",
    "cohort_flow": "outputs.figures",
    "forest_plot": "outputs.figures",
    "km_figure": "outputs.km_figure",
    "save_figure": "outputs.figures",
    "cox_table": "outputs.tables",
    "table_one": "outputs.tables",
    "write_table": "outputs.tables",
}
__all__ = [
    "SurvivalData",
    "cohort_flow",
    "concordance_index",
    "cox_analysis",
    "cox_coefficients",
    "cox_table",
    "cox_tests",
    "fit_cox",
    "forest_plot",
    "km_figure",
    "km_fit",
    "km_report",
    "km_summary",
    "km_table",
    "landmark_frame",
    "logrank_test",
    "logrank_trend",
    "pairwise_logrank",
    "ph_test",
    "save_figure",
    "score_intervals",
    "score_transitions",
    "survival_at",
    "survival_frame",
    "table_one",
    "time_varying_frame",
    "write_table",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
