"""The NETPET REDCap project: its data dictionary, and the reader of its "CSV (raw data)" export.

The project has one record per patient (the record ID is the registry's `patient_id`) and six instruments: the
patient form, then repeating instruments for PET scans, dual-PET timepoints, lesion reads, treatment courses and
outcomes. `INSTRUMENTS` states, from the column spec in `netpet.registry.columns`, which REDCap field holds which
registry
column; `data_dictionary` writes the dictionary a site uploads (`redcap/netpet_data_dictionary.csv`, checked against
this module by a test) and `read_redcap_export` maps an export back to the registry's tables, decoding choice codes
and checkboxes and keeping the export's row numbers and field names for every issue (`netpet.registry.origins`).
Validation itself is `netpet.registry.validate`'s, as for a folder.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from netpet.registry.columns import TABLES_BY_NAME, Column
from netpet.registry.errors import IngestError, ValidationError
from netpet.registry.import_files import OTHER_DELIMITERS, ImportFile
from netpet.registry.import_issues import format_issues, issues_frame
from netpet.registry.ingest import import_files
from netpet.registry.origins import Origin

#: REDCap's data dictionary columns, in the order REDCap writes and reads them.
DICTIONARY_COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
)
RECORD_ID = "record_id"
EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE = "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"
#: Columns REDCap adds to an export beside the fields (DAGs, survey identifiers and timestamps are optional).
SYSTEM_COLUMNS = (EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE, "redcap_data_access_group", "redcap_survey_identifier")
#: The checkbox that holds both avidity calls of a lesion: code 1 = SSTR avid, 2 = FDG avid.
AVIDITY_FIELD = "avid"
AVIDITY = {"sstr_avid": "1", "fdg_avid": "2"}


@dataclass(frozen=True)
class Instrument:
    """One REDCap instrument: the registry table it fills and, per registry column, the REDCap field."""

    name: str
    label: str
    table: str
    repeating: bool
    fields: tuple[tuple[str, str], ...]  # (registry column, REDCap field); patient_id is the record ID

    def field_of(self, column: str) -> str:
        """The export column that holds registry column `column`."""
        if column in AVIDITY:
            return f"{AVIDITY_FIELD}___{AVIDITY[column]}"
        return dict(self.fields)[column]


def _same(table: str, *skip: str, renamed: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    names = (c for c in TABLES_BY_NAME[table].column_names if c not in skip)
    return tuple((c, (renamed or {}).get(c, c)) for c in names)


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("patient", "Patient", "patients", False, _same("patients", renamed={"patient_id": RECORD_ID})),
    Instrument("pet_scan", "PET scan", "pet_scans", True, _same("pet_scans", "patient_id")),
    Instrument("dual_pet_timepoint", "Dual-PET timepoint", "timepoints", True, _same("timepoints", "patient_id")),
    Instrument(
        "lesion_read", "Lesion read", "lesion_reads", True,
        _same("lesion_reads", *AVIDITY, renamed={"timepoint_id": "lesion_timepoint_id"}),
    ),
    Instrument("treatment_course", "Treatment course", "treatments", True, _same("treatments", "patient_id")),
    Instrument("outcome_event", "Outcome", "outcomes", True, _same("outcomes", "patient_id",
                                                                    renamed={"detail": "outcome_detail"})),
)
INSTRUMENTS_BY_NAME = {i.name: i for i in INSTRUMENTS}
_PRRT_CODE = str(TABLES_BY_NAME["treatments"].column("treatment").values.index("prrt_lu177_dotatate") + 1)
#: Branching logic where a field only applies to some rows (REDCap hides it otherwise).
BRANCHING = {
    "fdg_vs_sstr": f"[{AVIDITY_FIELD}(1)] = '1' and [{AVIDITY_FIELD}(2)] = '1'",
    "cycles": f"[treatment] = '{_PRRT_CODE}'",
    "activity_gbq": f"[treatment] = '{_PRRT_CODE}'",
}
#: Fields added after sites built their projects: an export without them still imports (the column left empty).
LATER_FIELDS = ("sstr_krenning",)
#: Fields that identify a person under HIPAA's safe harbour (REDCap can leave them out of exports).
IDENTIFIERS = ("birth_date",)


def choices(column: Column) -> dict[str, str]:
    """REDCap codes of an enumerated or score column: code -> the registry's canonical value."""
    if column.kind == "score":
        return {str(s): f"P{s}" for s in range(6)}
    return {str(n): v for n, v in enumerate(column.values, 1)}


def _validation(column: Column) -> tuple[str, str, str]:
    """REDCap's text validation type, min and max for a column."""
    if column.kind == "date":
        return "date_ymd", "", ""
    if column.kind in ("number", "integer"):
        low, high = ("" if v is None else f"{v:g}" for v in (column.low, column.high))
        return column.kind, low, high
    return "", "", ""


def _dictionary_row(instrument: Instrument, column: Column, field: str) -> dict[str, str]:
    row = dict.fromkeys(DICTIONARY_COLUMNS, "")
    kind = {"enum": "dropdown", "score": "dropdown"}.get(column.kind, "text")
    validation, low, high = _validation(column)
    unit = f" ({column.unit})" if column.unit else ""
    row |= {
        "Variable / Field Name": field,
        "Form Name": instrument.name,
        "Field Type": kind,
        "Field Label": f"{column.name.replace('_', ' ').capitalize()}{unit}",
        "Choices, Calculations, OR Slider Labels": " | ".join(f"{k}, {v}" for k, v in choices(column).items())
        if kind == "dropdown" else "",
        "Field Note": column.note,
        "Text Validation Type OR Show Slider Number": validation,
        "Text Validation Min": low,
        "Text Validation Max": high,
        "Identifier?": "y" if field in IDENTIFIERS else "",
        "Branching Logic (Show field only if...)": BRANCHING.get(field, ""),
        "Required Field?": "y" if column.required else "",
    }
    if field == RECORD_ID:
        row["Field Label"] = "Patient ID (the registry's pseudonym; never a name or medical record number)"
    return row


def _avidity_row() -> dict[str, str]:
    row = dict.fromkeys(DICTIONARY_COLUMNS, "")
    row |= {
        "Variable / Field Name": AVIDITY_FIELD,
        "Form Name": "lesion_read",
        "Field Type": "checkbox",
        "Field Label": "Avid on (uptake above background; leave unchecked when not avid)",
        "Choices, Calculations, OR Slider Labels": "1, SSTR PET (modified Krenning 2-4) | 2, FDG PET",
    }
    return row


def dictionary_rows() -> Iterator[dict[str, str]]:
    """Yield the data dictionary's rows, instrument by instrument, in export order."""
    for instrument in INSTRUMENTS:
        table = TABLES_BY_NAME[instrument.table]
        for column_name, field in instrument.fields:
            yield _dictionary_row(instrument, table.column(column_name), field)
            if column_name == "fdg_suvmax":
                yield _avidity_row()


def data_dictionary() -> str:
    """Return the NETPET project's REDCap data dictionary as CSV text (what `redcap/` ships)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DICTIONARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(dictionary_rows())
    return out.getvalue()


def export_columns() -> list[str]:
    """The columns of the project's "CSV (raw data)" export, in REDCap's order (classic project)."""
    columns = [RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    for instrument in INSTRUMENTS:
        for row in dictionary_rows():
            if row["Form Name"] != instrument.name or row["Variable / Field Name"] == RECORD_ID:
                continue
            field = row["Variable / Field Name"]
            if row["Field Type"] == "checkbox":
                codes = [c.split(",")[0].strip() for c in row["Choices, Calculations, OR Slider Labels"].split("|")]
                columns += [f"{field}___{code}" for code in codes]
            else:
                columns.append(field)
        columns.append(f"{instrument.name}_complete")
    return columns


@dataclass(frozen=True)
class RedcapTables:
    """An export read for import: one staged table per instrument, and the problems found while decoding."""

    files: list[ImportFile]
    issues: pl.DataFrame


def read_redcap_export(path: str | Path, *, ignore_unknown_columns: bool = False) -> RedcapTables:
    """Read a "CSV (raw data)" export of the NETPET project into the registry's tables, codes decoded.

    Raises
    ------
    IngestError
        The file is not a raw-data export of this project (labels export, other separator, not UTF-8).
    ValidationError
        Fields the tables need are missing from the export.
    """
    path = Path(path)
    header = _read_header(path)
    _check_header(path, header, ignore_unknown_columns=ignore_unknown_columns)
    frame = _read_records(path, header)
    if REPEAT_INSTRUMENT not in frame.columns:  # REDCap leaves it out when no record has a repeating instance
        frame = frame.with_columns(pl.lit(None, pl.String).alias(REPEAT_INSTRUMENT))
    issues = _unknown_instruments(path.name, frame) + _lesions_of_other_records(path.name, frame)
    files = []
    for instrument in INSTRUMENTS:
        staged, found = _instrument_table(path, frame, instrument)
        files.append(staged)
        issues += found
    return RedcapTables(files, issues_frame(issues))


def _lesions_of_other_records(name: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Refuse a lesion read that names a timepoint entered in another record (another patient's timepoint)."""
    field = INSTRUMENTS_BY_NAME["lesion_read"].field_of("timepoint_id")
    timepoints = frame.filter(pl.col(REPEAT_INSTRUMENT) == "dual_pet_timepoint").select(
        pl.col("timepoint_id"), pl.col(RECORD_ID).alias("owner")
    )
    lesions = frame.filter(pl.col(REPEAT_INSTRUMENT) == "lesion_read").select("_line", RECORD_ID, field)
    wrong = lesions.join(timepoints, left_on=field, right_on="timepoint_id")
    wrong = wrong.filter(pl.col("owner") != pl.col(RECORD_ID))
    message = "timepoint {} is in record {}, not {}: enter the lesion read in that record, or correct the timepoint"
    return [
        {"file": name, "row": line, "column": field, "message": message.format(timepoint, owner, record)}
        for line, record, timepoint, owner in wrong.unique("_line", maintain_order=True).iter_rows()
    ]


def _read_header(path: Path) -> list[str]:
    """Return the export's header row (field names), refusing what is not a comma-separated UTF-8 export."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (UnicodeDecodeError, csv.Error):
        raise IngestError(f"{path.name}: not UTF-8 CSV text; export again from REDCap (CSV, raw data)") from None
    if not header:
        raise IngestError(f"{path.name}: the export is empty; expected a header row of REDCap field names")
    if len(header) == 1 and any(d in header[0] for d in OTHER_DELIMITERS):
        raise IngestError(f"{path.name}:1: the export is not comma-separated; export again with the comma delimiter")
    return header


def _read_records(path: Path, header: list[str]) -> pl.DataFrame:
    """Read the export's records as text with their row numbers (header = 1), leaving out empty lines."""
    try:
        frame = pl.read_csv(path, infer_schema=False, new_columns=header, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path.name}: not a readable CSV export ({reason}); export again from REDCap") from None
    numbered = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None)).with_row_index("_line", 2)
    return numbered.filter(pl.any_horizontal(pl.col(header).is_not_null())).with_columns(pl.col("_line").cast(pl.Int64))


def _check_header(path: Path, header: list[str], *, ignore_unknown_columns: bool) -> None:
    """Refuse a labels export, missing fields and (unless ignored) fields the project does not define."""
    if header[0] != RECORD_ID:
        hint = " (this looks like the labels export)" if " " in header[0] else ""
        raise IngestError(
            f"{path.name}:1: the first column is {header[0]!r}, not {RECORD_ID!r}{hint}; export "
            "'CSV / Microsoft Excel (raw data)' of the NETPET project"
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        frame = issues_frame([{"file": path.name, "row": 1, "column": h, "message": "field appears more than once "
                               "in the header; export again from REDCap"} for h in doubled])
        raise ValidationError(frame, "\n".join(format_issues(frame)))
    known = set(export_columns()) | set(SYSTEM_COLUMNS)
    needed = [c for c in export_columns()
              if not c.endswith("_complete") and c not in (*SYSTEM_COLUMNS, *LATER_FIELDS)]
    issues = [
        {"file": path.name, "row": 1, "column": c, "message": "field is missing from the export; export every "
         "instrument of the NETPET project"}
        for c in needed if c not in header
    ]
    if not ignore_unknown_columns:
        for column in header:
            if column not in known and not column.endswith(("_complete", "_timestamp")):
                close = difflib.get_close_matches(column, sorted(known), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                message = f"not a field of the NETPET project; {hint}(or use --ignore-unknown-columns)"
                issues.append({"file": path.name, "row": 1, "column": column, "message": message})
    if issues:
        frame = issues_frame(issues)
        raise ValidationError(frame, "\n".join(format_issues(frame)))


def _unknown_instruments(name: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    repeating = [i.name for i in INSTRUMENTS if i.repeating]
    bad = frame.filter(pl.col(REPEAT_INSTRUMENT).is_not_null() & ~pl.col(REPEAT_INSTRUMENT).is_in(repeating))
    message = "'{}' is not a repeating instrument of the NETPET project (" + ", ".join(repeating) + ")"
    return [
        {"file": name, "row": line, "column": REPEAT_INSTRUMENT, "message": message.format(value)}
        for line, value in bad.select("_line", REPEAT_INSTRUMENT).iter_rows()
    ]


def _instrument_table(path: Path, frame: pl.DataFrame, instrument: Instrument) -> tuple[ImportFile, list[dict]]:
    """Select an instrument's rows, decode its fields and name them as the registry's columns."""
    table = TABLES_BY_NAME[instrument.table]
    if instrument.repeating:
        rows = frame.filter(pl.col(REPEAT_INSTRUMENT) == instrument.name)
    else:  # the patient form: rows of no repeating instrument that carry any of its fields (one event's row)
        own = [f for c, f in instrument.fields if c != "patient_id"]
        rows = frame.filter(pl.col(REPEAT_INSTRUMENT).is_null() & pl.any_horizontal(pl.col(own).is_not_null()))
    issues: list[dict[str, Any]] = []
    columns = {}
    for column in table.columns:
        field = RECORD_ID if column.name == "patient_id" else instrument.field_of(column.name)
        if field in LATER_FIELDS and field not in rows.columns:
            continue
        values = rows[field]
        if column.name in AVIDITY:
            values, found = _decode(values, {"1": "true", "0": "false"}, rows["_line"], field, path.name)
        elif column.kind in ("enum", "score"):
            values, found = _decode(values, choices(column), rows["_line"], field, path.name)
        else:
            found = []
        columns[column.name] = values.alias(column.name)
        issues += found
    fields = {c.name: RECORD_ID if c.name == "patient_id" else instrument.field_of(c.name) for c in table.columns}
    origin = Origin(label=f"{path.name}[{instrument.name}]", shown_as=path.name, rows=rows["_line"].to_list(),
                    fields=fields)
    staged = pl.DataFrame(list(columns.values()))
    return ImportFile(table, path, "redcap", frame=staged, origin=origin), issues


def _decode(
    values: pl.Series, codes: dict[str, str], lines: pl.Series, field: str, name: str
) -> tuple[pl.Series, list[dict[str, Any]]]:
    """Map REDCap codes to registry values; a code the field does not define is an issue (kept as written)."""
    text = values.str.strip_chars()
    unknown = text.is_not_null() & ~text.is_in(list(codes))
    listed = ", ".join(f"{k} = {v}" for k, v in codes.items())
    issues = [
        {"file": name, "row": line, "column": field, "message": f"'{value}' is not a code of {field} ({listed})"}
        for line, value in pl.DataFrame([lines, text]).filter(unknown).iter_rows()
    ]
    return text.replace_strict(codes, default=text), issues


def import_redcap(reg: Any, path: str | Path, **options: Any) -> pl.DataFrame:
    """Import a "CSV (raw data)" export of the NETPET REDCap project, all or nothing (options as `import_files`)."""
    tables = read_redcap_export(path, ignore_unknown_columns=options.get("ignore_unknown_columns", False))
    return import_files(reg, tables.files, source=str(path), found_issues=tables.issues, **options)
