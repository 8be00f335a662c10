"""The append-only change history: read a patient's changes, delete a patient, restore one from the log.

Every write through the registry's API leaves rows in `change_log` (when, operator, command or batch, table,
key, before and after values); rows there are only ever inserted. An import logs its inserts with one row per
table (the records are the rows carrying its batch_id); `patient_history` lists each of them as an insert with
its values as inserted (from a later update's or deletion's `before`, which keeps the batch_id, else the row).
A deleted patient's records are logged with their values first, so `restore_patient` can put them back exactly.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.analysis_tables import refresh_analysis_tables
from netpet.registry.columns import TABLES_BY_NAME
from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import read_sql
from netpet.registry.write_retry import retried

if TYPE_CHECKING:
    from netpet.registry.session import RegistrySession

#: Tables a patient's records live in, parents first (the order a restore inserts them).
PATIENT_TABLES = ("patients", "pet_scans", "timepoints", "lesion_reads", "derived_scores", "treatments", "outcomes")


def current_operator() -> str:
    """Return who is making a change: `$NETPET_USER`, else the operating-system user."""
    return os.environ.get("NETPET_USER") or getpass.getuser()


def patient_history(reg: RegistrySession, patient_id: str) -> pl.DataFrame:
    """Return every recorded change to one patient's records, oldest first."""
    return reg.query_file("history", "patient_history", {"patient_id": patient_id})


def _exists(reg: RegistrySession, patient_id: str) -> bool:
    return bool(reg.query_file("history", "patient_exists", {"patient_id": patient_id})["n"][0])


@retried("deletion")
def delete_patient(
    reg: RegistrySession, patient_id: str, *, command: str = "delete-patient", operator: str | None = None
) -> int:
    """Delete a patient and all their records in one transaction, logging each record's values; return rows."""
    if not _exists(reg, patient_id):
        raise RegistryError(f"no patient {patient_id} in the registry")
    params = {"patient_id": patient_id, "operator": operator or current_operator(), "command": command}
    with reg.transaction() as con:
        logged = con.execute(read_sql("history", "log_patient_deletion"), params).fetchone()
        for statement in _statements(read_sql("history", "delete_patient")):
            con.execute(statement, {"patient_id": patient_id})
        refresh_analysis_tables(con, [patient_id])
    return int(logged[0]) if logged else 0


@retried("restore")
def restore_patient(
    reg: RegistrySession, patient_id: str, *, command: str = "restore-patient", operator: str | None = None
) -> pl.DataFrame:
    """Put back every record of the patient's latest deletion from the change log; return rows per table."""
    if _exists(reg, patient_id):
        raise RegistryError(f"patient {patient_id} is in the registry; only a deleted patient can be restored")
    rows = reg.query_file("history", "last_deletion", {"patient_id": patient_id})
    if rows.height == 0:
        raise RegistryError(f"the change history holds no deletion of patient {patient_id}")
    order = {name: i for i, name in enumerate(PATIENT_TABLES)}
    rows = rows.with_columns(pl.col("table_name").replace_strict(order).alias("ord")).sort("ord", "change_id")
    who = operator or current_operator()
    with reg.transaction() as con:
        for table, row_key, before in rows.select("table_name", "row_key", "before").iter_rows():
            structure = reg.query_file("history", "table_structure", {"table_name": table})["structure"][0]
            con.execute(_restore_sql(table), {"before": before, "structure": structure})
            con.execute(
                read_sql("history", "log_restore"),
                {"operator": who, "command": command, "table_name": table, "row_key": row_key,
                 "patient_id": patient_id, "after": before},
            )
        refresh_analysis_tables(con, [patient_id])
    return rows.group_by("table_name", maintain_order=True).len("rows").rename({"table_name": "table"})


def _restore_sql(table: str) -> str:
    if table not in TABLES_BY_NAME and table != "derived_scores":
        raise RegistryError(f"the change log names an unknown table {table!r}")
    return read_sql("history", "restore_row").replace("{{table}}", table)


def _statements(sql: str) -> list[str]:
    """Split a file of `;`-terminated statements (no `;` inside them) into single statements."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]
