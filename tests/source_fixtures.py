"""Write one registry's content the ways sites hand it over: an Excel workbook, and a REDCap raw-data export.

The REDCap writer works from the shipped data dictionary (`redcap/netpet_data_dictionary.csv`) and REDCap's
documented export layout, not from `netpet.registry.redcap`, so a round trip tests the importer against the dictionary:
record ID first, then `redcap_repeat_instrument` and `redcap_repeat_instance`, then each instrument's fields in
dictionary order (a checkbox as one `field___code` column per choice) followed by `<instrument>_complete`; one row
per record for the patient form, one per repeating instance; choices as their codes; dates `YYYY-MM-DD`.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl

from netpet.registry.columns import TABLES
from netpet.registry.interchange import interchange_table

DICTIONARY = Path(__file__).resolve().parent.parent / "redcap" / "netpet_data_dictionary.csv"
#: Which registry table each instrument fills, and the fields named otherwise than their registry column.
FORM_TABLES = {
    "patient": "patients",
    "pet_scan": "pet_scans",
    "dual_pet_timepoint": "timepoints",
    "lesion_read": "lesion_reads",
    "treatment_course": "treatments",
    "outcome_event": "outcomes",
}
RENAMED = {"record_id": "patient_id", "lesion_timepoint_id": "timepoint_id", "outcome_detail": "detail"}
#: The avidity checkbox's choices by the registry column each one records.
CHECKBOX_COLUMNS = {"SSTR": "sstr_avid", "FDG": "fdg_avid"}


def registry_tables(reg: Any) -> dict[str, pl.DataFrame]:
    """Every import table of the registry in the interchange format."""
    return {t.name: interchange_table(reg, t.name) for t in TABLES}


def write_workbook(tables: dict[str, pl.DataFrame], path: Path) -> Path:
    """Write the tables as a workbook, one sheet per table, dates as real Excel dates and numbers as numbers."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
        for column, dtype in enumerate(frame.dtypes, 1):
            if dtype == pl.Date:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def _dictionary() -> list[dict[str, str]]:
    with DICTIONARY.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _choices(row: dict[str, str]) -> list[tuple[str, str]]:
    text = row["Choices, Calculations, OR Slider Labels"]
    return [tuple(part.strip() for part in choice.split(",", 1)) for choice in text.split("|")] if text else []


def _export_columns(fields: list[dict[str, str]]) -> list[str]:
    columns = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in FORM_TABLES:
        for row in fields:
            if row["Form Name"] != form or row["Variable / Field Name"] == "record_id":
                continue
            name = row["Variable / Field Name"]
            if row["Field Type"] == "checkbox":
                columns += [f"{name}___{code}" for code, _ in _choices(row)]
            else:
                columns.append(name)
        columns.append(f"{form}_complete")
    return columns


def _encode(row: dict[str, str], value: object) -> str:
    """A registry value as REDCap's raw export writes it."""
    if value is None:
        return ""
    if row["Field Type"] == "dropdown":
        wanted = f"P{value}" if isinstance(value, int) else str(value)
        return next(code for code, label in _choices(row) if label == wanted)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_redcap_export(tables: dict[str, pl.DataFrame], path: Path) -> Path:
    """Write the tables as the NETPET project's "CSV (raw data)" export (a classic project, repeating instruments)."""
    fields = _dictionary()
    columns = _export_columns(fields)
    patient_of_timepoint = dict(tables["timepoints"].select("timepoint_id", "patient_id").iter_rows())
    records: dict[str, list[dict[str, str]]] = {}
    for form, table in FORM_TABLES.items():
        form_fields = [f for f in fields if f["Form Name"] == form]
        instances: dict[str, int] = {}
        for values in tables[table].iter_rows(named=True):
            patient = values.get("patient_id") or patient_of_timepoint[values["timepoint_id"]]
            out = dict.fromkeys(columns, "") | {"record_id": patient, f"{form}_complete": "2"}
            if form != "patient":
                instances[patient] = instances.get(patient, 0) + 1
                out |= {"redcap_repeat_instrument": form, "redcap_repeat_instance": str(instances[patient])}
            for field in form_fields:
                name = field["Variable / Field Name"]
                if field["Field Type"] == "checkbox":
                    for code, label in _choices(field):
                        column = next(c for key, c in CHECKBOX_COLUMNS.items() if label.startswith(key))
                        out[f"{name}___{code}"] = "1" if values[column] else "0"
                elif name != "record_id":
                    out[name] = _encode(field, values.get(RENAMED.get(name, name)))
            records.setdefault(patient, []).append(out)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for patient in sorted(records):
            writer.writerows(records[patient])
    return path
