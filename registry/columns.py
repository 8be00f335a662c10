"""The import column spec: every table and column of the interchange format, the single source.

`shared/registry-format.md` is the contract; this module states it as data so that validation, the
importer, the exporter and the demo generator all agree on names, types, enumerations and keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SSTR_TRACERS = ("ga68_dotatate", "ga68_dotatoc", "ga68_dotanoc", "cu64_dotatate")
TRACERS = (*SSTR_TRACERS, "fdg")
PRIMARY_SITES = (
    "pancreas", "small_bowel", "appendix", "colon", "rectum", "stomach", "duodenum", "lung", "unknown", "other",
)
WHO_GRADES = ("G1", "G2", "G3", "NEC")
SEXES = ("female", "male", "other")
LOCATIONS = ("primary", "liver", "lymph_node", "bone", "peritoneum", "lung", "other")
COMPARISONS = ("lower", "similar", "higher")
TREATMENTS = (
    "prrt_lu177_dotatate", "ssa_octreotide", "ssa_lanreotide", "capecitabine_temozolomide",
    "platinum_etoposide", "everolimus", "sunitinib", "sirt", "tace", "surgery", "other",
)
STOP_REASONS = ("completed", "progression", "toxicity", "de_differentiation", "patient_choice", "death", "other")
OUTCOMES = ("death", "progression", "last_contact")


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    `kind` is one of text, date, number, integer, boolean, enum, score. `low`/`high` bound numbers
    (`low_open` makes the lower bound exclusive). Enumerations are matched case-insensitively and stored
    in the canonical spelling given in `values`.
    """

    name: str
    kind: str
    required: bool = False
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False


@dataclass(frozen=True)
class Table:
    """One import file: its registry table, columns and key (the columns that identify a row)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    parents: dict[str, str] = field(default_factory=dict)  # column -> referenced table

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PATIENTS = Table(
    "patients",
    (
        Column("patient_id", "text", required=True),
        Column("site", "text"),
        Column("sex", "enum", values=SEXES),
        Column("birth_date", "date"),
        Column("diagnosis_date", "date", required=True),
        Column("primary_site", "enum", required=True, values=PRIMARY_SITES),
        Column("who_grade", "enum", values=WHO_GRADES),
        Column("ki67_percent", "number", low=0, high=100),
    ),
    key=("patient_id",),
)
PET_SCANS = Table(
    "pet_scans",
    (
        Column("scan_id", "text", required=True),
        Column("patient_id", "text", required=True),
        Column("tracer", "enum", required=True, values=TRACERS),
        Column("scan_date", "date", required=True),
    ),
    key=("scan_id",),
    parents={"patient_id": "patients"},
)
TIMEPOINTS = Table(
    "timepoints",
    (
        Column("timepoint_id", "text", required=True),
        Column("patient_id", "text", required=True),
        Column("sstr_scan_id", "text", required=True),
        Column("fdg_scan_id", "text", required=True),
        Column("netpet_score", "score"),
    ),
    key=("timepoint_id",),
    parents={"patient_id": "patients", "sstr_scan_id": "pet_scans", "fdg_scan_id": "pet_scans"},
)
LESION_READS = Table(
    "lesion_reads",
    (
        Column("timepoint_id", "text", required=True),
        Column("lesion_id", "text", required=True),
        Column("location", "enum", required=True, values=LOCATIONS),
        Column("sstr_suvmax", "number", low=0),
        Column("fdg_suvmax", "number", low=0),
        Column("sstr_avid", "boolean", required=True),
        Column("fdg_avid", "boolean", required=True),
        Column("fdg_vs_sstr", "enum", values=COMPARISONS),
    ),
    key=("timepoint_id", "lesion_id"),
    parents={"timepoint_id": "timepoints"},
)
TREATMENTS_TABLE = Table(
    "treatments",
    (
        Column("treatment_id", "text", required=True),
        Column("patient_id", "text", required=True),
        Column("treatment", "enum", required=True, values=TREATMENTS),
        Column("start_date", "date", required=True),
        Column("end_date", "date"),
        Column("cycles", "integer", low=1),
        Column("activity_gbq", "number", low=0, low_open=True),
        Column("stop_reason", "enum", values=STOP_REASONS),
    ),
    key=("treatment_id",),
    parents={"patient_id": "patients"},
)
OUTCOMES_TABLE = Table(
    "outcomes",
    (
        Column("patient_id", "text", required=True),
        Column("outcome", "enum", required=True, values=OUTCOMES),
        Column("outcome_date", "date", required=True),
        Column("detail", "text"),
    ),
    key=("patient_id", "outcome", "outcome_date"),
    parents={"patient_id": "patients"},
)

#: Import tables in dependency order (parents before children).
TABLES: tuple[Table, ...] = (PATIENTS, PET_SCANS, TIMEPOINTS, LESION_READS, TREATMENTS_TABLE, OUTCOMES_TABLE)
TABLES_BY_NAME = {t.name: t for t in TABLES}

#: Where the registry stores a file column under another name.
STORED_AS = {("timepoints", "netpet_score"): "recorded_score"}


def stored_name(table: str, column: str) -> str:
    """Return the registry column that holds file column `column` of `table`."""
    return STORED_AS.get((table, column), column)
