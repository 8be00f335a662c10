"""NETPET analysis: survival statistics by NETPET group that agree with R's survival package.

The main entry points; each module's docstring says what it owns.
"""

from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.survival.cox import cox_coefficients, cox_tests, fit_cox
from netpet.analysis.studies.cox_analysis import cox_analysis
from netpet.analysis.outputs.figures import cohort_flow, forest_plot, km_figure, save_figure
from netpet.analysis.studies.frames import SurvivalData, survival_frame
from netpet.analysis.survival.km import km_fit, km_summary, km_table, survival_at
from netpet.analysis.studies.km_analysis import km_report
from netpet.analysis.survival.logrank import logrank_test, logrank_trend, pairwise_logrank
from netpet.analysis.studies.longitudinal import landmark_frame, score_intervals, score_transitions, time_varying_frame
from netpet.analysis.survival.phtest import ph_test
from netpet.analysis.outputs.tables import cox_table, table_one, write_table

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
