"""The analysis vocabulary: endpoints, origins, groupings, covariates, units and method names, defined once.

Every layer and the CLI's choice lists read these, so a choice offered by one command is offered by all that
make sense of it. Plain Python values only: the CLI imports this module to build its options.
"""

from netpet.registry.units import DAYS_PER_UNIT

#: Days per unit (the registry's units of time: a month is 30.4375 days).
TIME_UNITS: dict[str, float] = DAYS_PER_UNIT

#: endpoint -> (time column in days from the first timepoint, event column) in `patient_survival`.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "os": ("os_days", "os_event"),
    "pfs": ("pfs_days", "pfs_event"),
    "ttp": ("ttp_days", "ttp_event"),
}

#: Where follow-up starts: the first dual-PET timepoint, or the diagnosis (with delayed entry).
ORIGINS = ("first-timepoint", "diagnosis")

#: Groupings a KM or Cox analysis can use, and the order of their levels (None: alphabetical).
GROUPINGS: dict[str, tuple[str, ...] | None] = {
    "netpet_group": ("P1", "P2-4", "P5"),
    "netpet_score": ("P0", "P1", "P2", "P3", "P4", "P5"),
    "who_grade": ("G1", "G2", "G3", "NEC"),
    "primary_site": None,
    "site": None,
    "sex": None,
}

#: Groupings whose levels are ordered, so a log-rank trend test makes sense.
ORDERED_GROUPINGS = ("netpet_group", "netpet_score", "who_grade")

#: The NETPET groupings a time-varying analysis can follow from timepoint to timepoint.
SCORE_GROUPINGS = ("netpet_score", "netpet_group")

#: Covariates a Cox model may use (numeric or categorical) from `patient_survival`.
COVARIATES = ("ki67_percent", "who_grade", "age_at_origin", "age_at_diagnosis", "primary_site", "sex", "site")

#: Confidence-interval types of R's survfit(conf.type=); "log" is R's default.
CONF_TYPES = ("log", "log-log", "plain", "logit", "arcsin")

#: Tie handling of R's coxph(ties=); Efron is R's default.
TIES = ("efron", "breslow")

#: Journal figure widths: single column (85 mm) and double column (174 mm).
FIGURE_PRESETS = ("single", "double")

#: Output formats of the commands that print a table.
OUTPUT_FORMATS = ("table", "csv", "json")
