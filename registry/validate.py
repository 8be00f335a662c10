"""Validate an import against the column spec, collecting every problem before anything is written.

The files and their headers are `netpet.registry.import_files`'; each file's cells are read and checked by
`netpet.registry.cell_checks`; this module stages them all and runs the checks across tables and against the
registry (keys, references, pairing window, dates, IDs), in set-based SQL from `sql/queries/ingest/`. Each
problem is one row of a tidy frame (file, row, column, message). Writing is `netpet.registry.ingest`'s job.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from netpet.registry import column_sql as piece
from netpet.registry.cell_checks import cell_issues, parse_source, stage_file, unread_lines
from netpet.registry.column_sql import Sql, joined
from netpet.registry.columns import SSTR_TRACERS, TABLES, TABLES_BY_NAME, Table, stored_name
from netpet.registry.first_load import FirstLoad
from netpet.registry.identifiers import case_collisions, character_issues
from netpet.registry.import_files import FileScan, ImportFile, Progress, find_import_files, header_issues
from netpet.registry.import_issues import issues_frame
from netpet.registry.ingest_sql import (
    fetch_flag,
    memory_budget,
    run,
    spec_sql,
)
from netpet.registry.origins import relocate_issues


def create_empty_typed(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Give a table the import leaves out an empty `_typed_<table>` so that every check can read it."""
    parse_source(con, table, [], None, spec_sql("source_empty"), {})


def create_all_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create `_all_<table>`: each table as it would be after the import (registry rows + imported rows)."""
    for table in TABLES:
        stored = [stored_name(table.name, c) for c in table.column_names]
        sql = spec_sql(
            "all_rows",
            all="_all_" + table.name,
            table=table.name,
            typed="_typed_" + table.name,
            r_columns=Sql(", ".join("r." + c for c in stored)),
            i_columns=Sql(", ".join("i." + c for c in stored)),
            key_match=joined(piece.key_match, table, table.key, " and "),
        )
        run(con, sql)


def key_text(table: Table) -> Sql:
    """SQL for an imported row's key as text (`T1|liver-s7`)."""
    return piece.key_text(joined(piece.key_part, table, table.key))


def differs(table: Table) -> Sql:
    """SQL that is true when imported row `i` differs from registry row `r` in any non-key column."""
    others = [c for c in table.column_names if c not in table.key]
    return joined(piece.differs, table, [stored_name(table.name, c) for c in others], " or ")


def cross_issues(
    con: duckdb.DuckDBPyConnection, *, update: bool, window_days: int, first_load: FirstLoad | None = None
) -> pl.DataFrame:
    """Return problems between rows: duplicate and clashing keys, unknown references, scans, dates.

    A first load's table with a primary key on the spec's key refused repeated keys as it was written.
    """
    frames = []
    for table in TABLES:
        typed = "_typed_" + table.name
        slots = {
            "typed": typed,
            "key_text": key_text(table),
            "key_match": joined(piece.key_match, table, table.key, " and "),
        }
        key_params = {"column": table.key[0], "key_name": "+".join(table.key)}
        keys = {"typed": typed, "i_keys": Sql(", ".join("i." + k for k in table.key)),
                "keys_present": joined(piece.present, table, table.key, " and ")}
        enforced = first_load is not None and first_load.enforces_key(table)
        if not enforced and fetch_flag(con, spec_sql("any_duplicate_key", **keys)):
            sql = spec_sql("check_duplicate_keys", **keys, key_text=slots["key_text"], key_match=slots["key_match"])
            frames.append(run(con, sql, key_params).pl())
        if not update:
            others = [c for c in table.column_names if c not in table.key]
            frames.append(
                run(
                    con,
                    spec_sql(
                        "check_existing_keys",
                        **slots,
                        table=table.name,
                        differs=differs(table),
                        changed_names=joined(piece.changed_name, table, others),
                    ),
                    key_params,
                ).pl()
            )
        for column, parent in table.parents.items():
            parent_key = TABLES_BY_NAME[parent].key[0]
            sql = spec_sql(
                "check_references",
                typed=typed,
                column=column,
                parent=parent,
                parent_typed="_typed_" + parent,
                parent_key=parent_key,
            )
            unknown = run(con, sql, {"column": column}).pl()
            frames.append(_with_patient_hints(con, typed, unknown) if column == "patient_id" else unknown)
    params = {"window": window_days, "sstr": list(SSTR_TRACERS)}
    for name in (
        "check_timepoint_scans",
        "check_lesion_comparison",
        "check_lesion_krenning",
        "check_treatment_dates",
        "check_patient_dates",
    ):
        frames.append(run(con, spec_sql(name), params).pl())
    return issues_frame(pl.concat([issues_frame(f) for f in frames]))


def _with_patient_hints(con: duckdb.DuckDBPyConnection, typed: str, unknown: pl.DataFrame) -> pl.DataFrame:
    """Name the patient an unknown patient_id differs from only in case or spacing, when there is one."""
    if unknown.height == 0:
        return unknown
    hints = run(con, spec_sql("patient_id_hints", typed=typed), {"rows": unknown["row"].to_list()}).pl()
    if hints.height == 0:
        return unknown
    hinted = unknown.join(hints.cast({"row": pl.Int64}), on=["file", "row"], how="left", maintain_order="left")
    hint = pl.format("{}; did you mean {}? (IDs are matched as written)", pl.col("message"), pl.col("existing"))
    message = pl.when(pl.col("existing").is_null()).then("message").otherwise(hint).alias("message")
    return hinted.with_columns(message).select(unknown.columns)


def drop_temporaries(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temp table and view the import created."""
    for table in TABLES:
        run(
            con,
            spec_sql(
                "drop_temporaries",
                all="_all_" + table.name,
                typed="_typed_" + table.name,
                parsed="_parsed_" + table.name,
                name="_file_" + table.name,
            ),
        )


def stage_and_check(
    con: duckdb.DuckDBPyConnection,
    files: list[ImportFile],
    *,
    update: bool,
    ignore_unknown_columns: bool,
    window_days: int,
    progress: Progress | None = None,
    first_load: FirstLoad | None = None,
) -> pl.DataFrame:
    """Stage and parse every file, then return every issue (cross-row checks only if all files were read).

    With `first_load`, the files of its tables are written straight into them (`netpet.registry.first_load`).
    """
    given = {f.table.name: f for f in files}
    issues: list[pl.DataFrame] = []
    readable = True
    with ThreadPoolExecutor(max_workers=1) as scanner:
        # Each file's bytes are read once for its SHA-256 and what else they tell (`ImportFile.scan`) while
        # DuckDB parses the files before it: hashing releases the GIL, so the two overlap. A file waits for its
        # own scan only: on Python 3.11 a cached_property computes under one lock shared by every instance, and
        # asking for a scan not yet done could wait behind every scan queued after it (11 s at 1M patients).
        scans = {f.table.name: scanner.submit(_scan, f) for f in files}
        for done, table in enumerate(TABLES):
            file = given.get(table.name)
            if file is None:
                create_empty_typed(con, table)
            else:
                scans[table.name].result()
                loaded = first_load if first_load is not None and first_load.covers(table) else None
                header, problems = stage_file(con, file, loaded)
                issues.append(issues_frame(problems))
                if header is None:
                    readable = False
                    create_empty_typed(con, table)
                else:
                    issues.append(
                        issues_frame(header_issues(file, header, ignore_unknown_columns=ignore_unknown_columns))
                    )
                    if loaded is None:  # a first load's write stopped at any cell problem
                        issues.append(cell_issues(con, file, header))
                    issues.append(issues_frame(character_issues(con, file, header)))
                    issues.append(issues_frame(unread_lines(con, file)))
            if progress:
                progress("read", done + 1, len(TABLES))
    create_all_views(con)
    if readable:
        issues.append(cross_issues(con, update=update, window_days=window_days, first_load=first_load))
        issues.extend(case_collisions(con, file.table) for file in files)
    if progress:
        progress("validate", 1, 1)
    located = _in_file_order(pl.concat(issues), files)
    return relocate_issues(located, [f.origin for f in files if f.origin])


def _scan(file: ImportFile) -> FileScan:
    return file.scan


def _in_file_order(issues: pl.DataFrame, files: list[ImportFile]) -> pl.DataFrame:
    order = {f.name: i for i, f in enumerate(files)}
    return (
        issues.unique()
        .with_columns(pl.col("file").replace_strict(order, default=-1, return_dtype=pl.Int64).alias("_order"))
        .sort(["_order", "row", "column", "message"], nulls_last=False)
        .drop("_order")
    )


def validate_folder(
    reg: Any, folder: str | Path, *, update: bool = False, ignore_unknown_columns: bool = False
) -> pl.DataFrame:
    """Check an import folder without writing anything and return every problem found.

    Parameters
    ----------
    reg : Registry
        The registry the folder would be imported into (its rows count for keys, references and dates).
    folder : str or Path
        The folder of table files (see `docs/import-format.md`).
    update, ignore_unknown_columns : bool
        As for `netpet.registry.ingest.import_folder`.

    Returns
    -------
    polars.DataFrame
        One row per problem: file, row (header = 1, first data row = 2), column, message. Empty when valid.
    """
    files, misnamed = find_import_files(Path(folder))
    with memory_budget(reg.con):
        try:
            found = stage_and_check(
                reg.con,
                files,
                update=update,
                ignore_unknown_columns=ignore_unknown_columns,
                window_days=int(reg.setting("pairing_window_days")),
            )
        finally:
            drop_temporaries(reg.con)
    return pl.concat([misnamed, found])
