"""All-or-nothing import of an interchange folder: stage, validate, then write everything in one transaction.

Validation (`netpet.registry.validate`) finds every problem before anything is written. A valid import inserts new
rows parents first, replaces changed rows only with `update=True`, logs its inserts in `change_log` (one row
per table: the records inserted are the rows carrying the batch_id; `netpet.registry.history` lists them one by one)
and every updated record with its values before and after, records one `import_batches` row with one
`import_files` row per file, and re-derives the NETPET scores of timepoints whose lesion reads changed, all in
one transaction. Re-importing the same files is a no-op: nothing is written, not even a batch (the returned
summary says what was unchanged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from netpet.registry import column_sql as piece
from netpet.registry.analysis_tables import refresh_analysis_tables
from netpet.registry.column_sql import Sql, joined
from netpet.registry.columns import TABLES, Table, stored_name
from netpet.registry.errors import ValidationError
from netpet.registry.first_load import FirstLoad, FirstLoadRefused, plan_first_load, unordered
from netpet.registry.history import current_operator
from netpet.registry.import_files import ImportFile, Progress, find_import_files
from netpet.registry.import_issues import format_issues, issues_frame
from netpet.registry.ingest_sql import date_format_accepted, fetch_flag, memory_budget, run, spec_sql
from netpet.registry.score_store import refresh_derived_scores, refresh_listed_scores
from netpet.registry.validate import differs, drop_temporaries, key_text, stage_and_check
from netpet.registry.write_retry import conflicts_as_errors, retrying

SUMMARY_SCHEMA = {
    "file": pl.String,
    "table": pl.String,
    "rows": pl.Int64,
    "inserted": pl.Int64,
    "updated": pl.Int64,
    "unchanged": pl.Int64,
}


def import_folder(
    reg: Any,
    folder: str | Path,
    *,
    update: bool = False,
    ignore_unknown_columns: bool = False,
    operator: str | None = None,
    command: str = "import",
    pair: bool = False,
    date_format: str | None = None,
    progress: Progress | None = None,
    window_days: int | None = None,
) -> pl.DataFrame:
    """Import a folder of interchange tables into the registry, all or nothing.

    Parameters
    ----------
    reg : Registry
        The registry, open for writing.
    folder : str or Path
        Folder holding any of `patients`, `pet_scans`, `timepoints`, `lesion_reads`, `treatments`,
        `outcomes` as `.csv` or `.parquet` (see `docs/import-format.md`).
    update : bool
        Replace registry rows the files give with different values (logged in `change_log`); without it a
        changed row is a validation error.
    ignore_unknown_columns : bool
        Drop columns the format does not define instead of reporting them.
    operator, command : str
        Recorded in `import_batches` and `change_log`; `operator` defaults to
        `netpet.registry.history.current_operator()`.
    date_format : str, optional
        A strptime format (`%d/%m/%Y`) in which dates may be written beside ISO `YYYY-MM-DD`.
    pair : bool
        Also pair the registry's unpaired SSTR and FDG scans into timepoints (`netpet.registry.pairing`), in the
        same transaction; a summary row `(pairing)` counts the timepoints added.
    progress : callable, optional
        Called as `progress(step, done, total)` while reading, validating and writing.
    window_days : int, optional
        Largest gap between the paired scans of a timepoint, for this import's checks and pairing only;
        default: the registry setting `pairing_window_days`.

    Returns
    -------
    polars.DataFrame
        One row per file: file, table, rows, inserted, updated, unchanged.

    Raises
    ------
    ValidationError
        With `.issues` (file, row, column, message) holding every problem; the registry is unchanged.
    """
    files, misnamed = find_import_files(Path(folder))
    return import_files(
        reg, files, source=str(folder), found_issues=misnamed, update=update,
        ignore_unknown_columns=ignore_unknown_columns, operator=operator, command=command, pair=pair,
        date_format=date_format, progress=progress, window_days=window_days,
    )


def import_files(
    reg: Any,
    files: list[ImportFile],
    *,
    source: str,
    found_issues: pl.DataFrame | None = None,
    update: bool = False,
    ignore_unknown_columns: bool = False,
    operator: str | None = None,
    command: str = "import",
    pair: bool = False,
    date_format: str | None = None,
    progress: Progress | None = None,
    window_days: int | None = None,
) -> pl.DataFrame:
    """Import tables already read from one source (a workbook's sheets, a REDCap export's instruments), all or nothing.

    `found_issues` are the problems the reader found (file, row, column, message in the source's own terms); they
    are reported with validation's and take the place of validation's issue at the same cell. `source` is
    recorded as the batch's source. Otherwise as `import_folder`, whose summary this returns.
    """
    def attempt() -> pl.DataFrame:
        return _import_files(
            reg,
            files,
            issues_frame() if found_issues is None else found_issues,
            folder=source,
            update=update,
            ignore_unknown_columns=ignore_unknown_columns,
            log={"operator": operator or current_operator(), "command": command},
            pair=pair,
            progress=progress,
            window_days=int(reg.setting("pairing_window_days")) if window_days is None else window_days,
        )

    def retry(attempt_number: int, attempts: int) -> None:
        if progress:
            progress("retry", attempt_number, attempts)

    # A lost race on PostgreSQL re-runs the import whole: staged again, validated against the committed rows.
    with memory_budget(reg.con), date_format_accepted(reg.con, date_format):
        return retrying(reg, attempt, what="import", on_retry=retry)


def _import_files(
    reg: Any,
    files: list[ImportFile],
    misnamed: pl.DataFrame,
    *,
    folder: str,
    update: bool,
    ignore_unknown_columns: bool,
    log: dict[str, str],
    pair: bool,
    progress: Progress | None,
    window_days: int,
) -> pl.DataFrame:
    """Validate the files and, when valid, write them: as a first load where tables are empty, else staged."""
    checks: dict[str, Any] = {"update": update, "ignore_unknown_columns": ignore_unknown_columns,
                              "window_days": window_days, "progress": progress}
    writes: dict[str, Any] = {"folder": folder, "update": update, "log": log,
                              "pair": window_days if pair else None, "progress": progress}
    first_load = plan_first_load(reg, files) if misnamed.height == 0 else None
    if first_load is not None:
        try:
            return _load_first(reg, files, first_load, checks, writes)
        except FirstLoadRefused:
            pass  # validated the staged way below, which reports what stopped it
    con = reg.con
    try:
        issues = stage_and_check(con, files, **checks)
        issues = pl.concat([misnamed, issues.join(misnamed, on=["file", "row", "column"], how="anti")])
        if issues.height:
            raise ValidationError(issues, _failure_summary(issues))
        summary = _summarise(con, files, update=update)
        if _writes_rows(summary):
            before = _committed_batches(reg.con) if reg.is_postgres else []
            with conflicts_as_errors(lambda: _contested_patients(reg.con, before)), reg.transaction() as con:
                paired = _write(reg, con, files, summary, batch_id=reg.next_id("import_batch_seq"), **writes)
            summary = _with_pairs(summary, paired, pair=pair)
    finally:
        drop_temporaries(con)
    return summary


def _load_first(
    reg: Any, files: list[ImportFile], first_load: FirstLoad, checks: dict[str, Any], writes: dict[str, Any]
) -> pl.DataFrame:
    """Write the files as a first load (`netpet.registry.first_load`), checked inside the one transaction.

    Raises FirstLoadRefused, with everything rolled back, when the write or any check finds a problem, or when
    there is nothing to write (the staged import then says so without a batch).
    """
    try:
        with unordered(reg.con), reg.transaction() as con:
            issues = stage_and_check(con, files, first_load=first_load, **checks)
            summary = _summarise(con, files, update=checks["update"])
            if issues.height or not _writes_rows(summary):
                raise FirstLoadRefused("checks found problems" if issues.height else "nothing to write")
            if reg.next_id("import_batch_seq") != first_load.batch_id:
                raise FirstLoadRefused("the batch id was taken meanwhile")
            paired = _write(reg, con, files, summary, batch_id=first_load.batch_id, first_load=first_load, **writes)
    finally:
        first_load.drop_views(reg.con)
        drop_temporaries(reg.con)
    return _with_pairs(summary, paired, pair=writes["pair"] is not None)


def _summarise(con: duckdb.DuckDBPyConnection, files: list[ImportFile], *, update: bool) -> pl.DataFrame:
    """One row per file: its rows, and how many are new, changed (with `update`) or unchanged."""
    counts = {f.table.name: _count_changes(con, f.table) for f in files}
    return pl.DataFrame(
        [
            {
                "file": f.name,
                "table": f.table.name,
                "rows": sum(counts[f.table.name].values()),
                "inserted": counts[f.table.name]["inserted"],
                "updated": counts[f.table.name]["changed"] if update else 0,
                "unchanged": counts[f.table.name]["unchanged"],
            }
            for f in files
        ],
        schema=SUMMARY_SCHEMA,
    )


def _writes_rows(summary: pl.DataFrame) -> bool:
    return bool(summary.select(pl.col("inserted") + pl.col("updated")).to_series().sum() > 0)


def _with_pairs(summary: pl.DataFrame, paired: int, *, pair: bool) -> pl.DataFrame:
    """Add the pairing's row to the summary when scans were paired after the write."""
    if not pair:
        return summary
    row = {"file": "(pairing)", "table": "timepoints", "rows": paired, "inserted": paired, "updated": 0,
           "unchanged": 0}
    return pl.concat([summary, pl.DataFrame([row], schema=SUMMARY_SCHEMA)])


def _failure_summary(issues: pl.DataFrame) -> str:
    lines = format_issues(issues)
    shown = "\n".join(lines[:20])
    more = f"\n... and {len(lines) - 20} more" if len(lines) > 20 else ""
    return f"import refused: {len(lines)} problem(s); nothing was written\n{shown}{more}"


def _count_changes(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, int]:
    """Count the imported rows that are new, differ from the registry row of their key, or equal it.

    Into an empty registry table (a first load) every row is new: counted without the join against the table.
    """
    if not fetch_flag(con, spec_sql("table_has_rows", table=table.name)):
        row = run(con, spec_sql("count_imported", typed="_typed_" + table.name)).fetchone()
        return {"inserted": int(row[0]) if row else 0, "changed": 0, "unchanged": 0}
    sql = spec_sql(
        "count_changes",
        typed="_typed_" + table.name,
        table=table.name,
        first_key=table.key[0],
        key_match=joined(piece.key_match, table, table.key, " and "),
        differs=differs(table),
    )
    row = run(con, sql).fetchone()
    assert row is not None
    return {"inserted": int(row[0]), "changed": int(row[1]), "unchanged": int(row[2])}


def _write(
    reg: Any,
    con: duckdb.DuckDBPyConnection,
    files: list[ImportFile],
    summary: pl.DataFrame,
    *,
    batch_id: int,
    folder: str,
    update: bool,
    log: dict[str, str],
    pair: int | None,
    progress: Progress | None,
    first_load: FirstLoad | None = None,
) -> int:
    """Write the validated import inside the caller's transaction; pair scans within `pair` days when given;
    return the pairs added. A first load's tables hold their rows already: they are only logged."""
    rows = {r["table"]: r for r in summary.iter_rows(named=True)}
    rescore = _plan_rescore(con, rows.get("lesion_reads"))  # a first load's stand-ins show the tables as they were
    params = {**log, "batch_id": batch_id}
    run(con, spec_sql("insert_batch"), {**params, "source": folder, "is_update": update})
    for done, file in enumerate(files):
        table = file.table
        counts = rows[table.name]
        inserted = {**params, "table_name": table.name, "rows": counts["inserted"]}
        if counts["inserted"] and first_load is not None and first_load.covers(table):
            run(con, spec_sql("log_inserts"), inserted)
        elif counts["inserted"]:
            _insert(con, table, inserted, all_new=counts["inserted"] == counts["rows"])
        if update and counts["updated"]:
            _update(con, table, {**params, "table_name": table.name})
        run(
            con,
            spec_sql("insert_file"),
            {
                "batch_id": batch_id,
                "file_name": file.name,
                "table_name": table.name,
                "sha256": file.scan.sha256,
                "row_count": counts["rows"],
                "rows_inserted": counts["inserted"],
                "rows_updated": counts["updated"],
            },
        )
        if progress:
            progress("write", done + 1, len(files))
    if first_load is not None:
        first_load.drop_shadows(con)
    if rescore == "all":
        refresh_derived_scores(con)
    elif rescore == "listed":
        refresh_listed_scores(con)
    refresh_analysis_tables(con, _imported_patients(con) if reg.is_postgres else None)
    if pair is None:
        return 0
    from netpet.registry.pairing import pair_unpaired_scans

    result = pair_unpaired_scans(
        con, window_days=pair, operator=log["operator"], command=log["command"], batch_id=batch_id
    )
    return result.pairs.height


def _imported_patients(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the patients the staged import writes rows of (PostgreSQL re-derives only theirs)."""
    return [str(row[0]) for row in run(con, spec_sql("imported_patients")).fetchall()]


def _committed_batches(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Return the ids of the import batches committed so far (to tell another writer's from them later)."""
    row = run(con, spec_sql("committed_batches")).fetchone()
    return list(row[0]) if row else []


def _contested_patients(con: duckdb.DuckDBPyConnection, before: list[int]) -> list[str]:
    """Return the import's patients that batches committed since `before` wrote (after a lost race)."""
    theirs = {str(row[0]) for row in run(con, spec_sql("contested_patients"), {"before": before}).fetchall()}
    return sorted(theirs.intersection(_imported_patients(con)))


def _slots(table: Table) -> dict[str, str]:
    stored = [stored_name(table.name, c) for c in table.column_names]
    return {
        "typed": "_typed_" + table.name,
        "table": table.name,
        "key_text": key_text(table),
        "key_match": joined(piece.key_match, table, table.key, " and "),
        "patient": piece.PATIENT_DIRECT if "patient_id" in table.column_names else piece.PATIENT_VIA_TIMEPOINT,
        "struct_fields": joined(piece.struct_field, table, table.column_names),
        "columns": Sql(", ".join(stored)),
        "i_columns": Sql(", ".join("i." + c for c in stored)),
    }


def _insert(con: duckdb.DuckDBPyConnection, table: Table, params: dict[str, Any], *, all_new: bool) -> None:
    """Add the new rows and log them with one change_log row for the table (see log_inserts.sql)."""
    slots = _slots(table)
    used = ("typed", "table", "columns", "i_columns", *(() if all_new else ("key_match",)))
    run(con, spec_sql("insert_rows" if all_new else "insert_new_rows", **{k: slots[k] for k in used}), params)
    run(con, spec_sql("log_inserts"), params)


def _update(con: duckdb.DuckDBPyConnection, table: Table, params: dict[str, Any]) -> None:
    slots = _slots(table)
    others = [c for c in table.column_names if c not in table.key]
    run(
        con,
        spec_sql(
            "log_updates",
            **{k: slots[k] for k in ("typed", "table", "key_text", "key_match", "patient", "struct_fields")},
            r_struct_fields=joined(piece.r_struct_field, table, table.column_names),
            differs=differs(table),
        ),
        params,
    )
    run(
        con,
        spec_sql(
            "update_rows",
            typed=slots["typed"],
            table=table.name,
            key_match=slots["key_match"],
            assignments=joined(piece.assignment, table, others),
            differs=differs(table),
        ),
        params,
    )


def _plan_rescore(con: duckdb.DuckDBPyConnection, reads: dict[str, Any] | None) -> str | None:
    """Before the write, choose how derived scores follow the imported reads (`reads`: their summary row).

    None: no reads imported. "all": the registry holds no reads and no scores yet (a first load), so every
    timepoint is scored after the write, unlisted. "listed": the timepoints to re-score are listed now, in
    temp table `_score_timepoints`, and only they are scored.
    """
    if reads is None:
        return None
    if not fetch_flag(con, spec_sql("any_read_or_score")):
        return "all"
    _list_changed_lesion_timepoints(con, all_new=reads["inserted"] == reads["rows"])
    return "listed"


def _list_changed_lesion_timepoints(con: duckdb.DuckDBPyConnection, *, all_new: bool) -> None:
    """List the timepoints whose reads the import adds or changes in temp table `_score_timepoints`.

    When every imported read is new (`all_new`), that is every timepoint the reads name: no join is needed.
    """
    if all_new:
        run(con, spec_sql("new_lesion_timepoints"))
        return
    table = next(t for t in TABLES if t.name == "lesion_reads")
    run(con, spec_sql("changed_lesion_timepoints", differs=differs(table)))
