"""The import column spec: every table and column of the interchange format, the single source.

The format is a public contract (`docs/import-format.md`, generated from this module by `netpet.registry.format_page`);
this module states it as data so that validation, the importers, the exporter, the templates and the demo
generator all agree on names, types, enumerations, units and keys.
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
    in the canonical spelling given in `values`. `unit`, `note` and `required_when` (a condition under which
    an optional column must be filled) are documentation: they feed the format page and the templates.
    """

    name: str
    kind: str
    required: bool = False
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    unit: str = ""
    note: str = ""
    required_when: str = ""


@dataclass(frozen=True)
class Table:
    """One import file: its registry table, columns, key (the columns that identify a row) and grain."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    parents: dict[str, str] = field(default_factory=dict)  # column -> referenced table
    grain: str = ""  # what one row is, for the format page

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PATIENTS = Table(
    "patients",
    (
        Column("patient_id", "text", required=True, note="unique in the registry"),
        Column("site", "text", note="contributing centre"),
        Column("sex", "enum", values=SEXES),
        Column("birth_date", "date"),
        Column("diagnosis_date", "date", required=True, note="histological diagnosis of the NET"),
        Column("primary_site", "enum", required=True, values=PRIMARY_SITES),
        Column("who_grade", "enum", values=WHO_GRADES, note="WHO grade of the diagnostic specimen"),
        Column("ki67_percent", "number", low=0, high=100, unit="%", note="Ki-67 index of the diagnostic specimen"),
    ),
    key=("patient_id",),
    grain="one row per patient",
)
PET_SCANS = Table(
    "pet_scans",
    (
        Column("scan_id", "text", required=True, note="unique"),
        Column("patient_id", "text", required=True, note="must exist (in the registry or in the same import)"),
        Column(
            "tracer", "enum", required=True, values=TRACERS,
            note="the first four are somatostatin-receptor (SSTR) tracers",
        ),
        Column("scan_date", "date", required=True),
    ),
    key=("scan_id",),
    parents={"patient_id": "patients"},
    grain="one row per PET scan",
)
TIMEPOINTS = Table(
    "timepoints",
    (
        Column("timepoint_id", "text", required=True, note="unique"),
        Column("patient_id", "text", required=True),
        Column("sstr_scan_id", "text", required=True, note="a scan of this patient with an SSTR tracer"),
        Column(
            "fdg_scan_id", "text", required=True,
            note="a scan of this patient with FDG, within the pairing window of the SSTR scan",
        ),
        Column(
            "netpet_score", "score",
            note="the score the reporting physician recorded; when lesion reads exist the registry also derives one",
        ),
    ),
    key=("timepoint_id",),
    parents={"patient_id": "patients", "sstr_scan_id": "pet_scans", "fdg_scan_id": "pet_scans"},
    grain="one row per dual-PET timepoint: an SSTR scan paired with an FDG scan",
)
LESION_READS = Table(
    "lesion_reads",
    (
        Column("timepoint_id", "text", required=True),
        Column(
            "lesion_id", "text", required=True, note="stable label of the lesion within the patient (e.g. `liver-s7`)"
        ),
        Column("location", "enum", required=True, values=LOCATIONS),
        Column("sstr_suvmax", "number", low=0, unit="SUV (g/mL)"),
        Column("fdg_suvmax", "number", low=0, unit="SUV (g/mL)"),
        Column(
            "sstr_avid", "boolean", required=True,
            note="SSTR uptake above background (modified Krenning score 2–4; the reader's call)",
        ),
        Column("fdg_avid", "boolean", required=True, note="FDG uptake above background (the reader's call)"),
        Column(
            "fdg_vs_sstr", "enum", values=COMPARISONS, required_when="when both avid",
            note="the reader's comparison of the lesion's FDG avidity with its SSTR avidity",
        ),
        Column(
            "sstr_krenning", "integer", low=0, high=4,
            note="modified Krenning score of the SSTR uptake: 0 none, 1 well below liver, 2 slightly below or equal "
            "to liver, 3 above liver, 4 above spleen (Kwekkeboom & Krenning 2002); 2–4 must agree with `sstr_avid` = "
            "true, 0–1 with false; the Zidan scheme of `netpet validate` needs it on every lesion",
        ),
    ),
    key=("timepoint_id", "lesion_id"),
    parents={"timepoint_id": "timepoints"},
    grain="optional: one row per lesion per timepoint",
)
TREATMENTS_TABLE = Table(
    "treatments",
    (
        Column("treatment_id", "text", required=True, note="unique"),
        Column("patient_id", "text", required=True),
        Column("treatment", "enum", required=True, values=TREATMENTS),
        Column("start_date", "date", required=True),
        Column("end_date", "date"),
        Column("cycles", "integer", low=1, note="PRRT cycles given in this course"),
        Column("activity_gbq", "number", low=0, low_open=True, unit="GBq", note="total administered activity"),
        Column("stop_reason", "enum", values=STOP_REASONS),
    ),
    key=("treatment_id",),
    parents={"patient_id": "patients"},
    grain="one row per treatment course",
)
OUTCOMES_TABLE = Table(
    "outcomes",
    (
        Column("patient_id", "text", required=True),
        Column("outcome", "enum", required=True, values=OUTCOMES, note="at most one death per patient"),
        Column("outcome_date", "date", required=True),
        Column("detail", "text", note="e.g. cause of death, `recist_1_1` for progression"),
    ),
    key=("patient_id", "outcome", "outcome_date"),
    parents={"patient_id": "patients"},
    grain="one row per outcome event",
)

#: Import tables in dependency order (parents before children).
TABLES: tuple[Table, ...] = (PATIENTS, PET_SCANS, TIMEPOINTS, LESION_READS, TREATMENTS_TABLE, OUTCOMES_TABLE)
TABLES_BY_NAME = {t.name: t for t in TABLES}

#: Where the registry stores a file column under another name.
STORED_AS = {("timepoints", "netpet_score"): "recorded_score"}


def stored_name(table: str, column: str) -> str:
    """Return the registry column that holds file column `column` of `table`."""
    return STORED_AS.get((table, column), column)
