"""Pair each SSTR scan with the nearest FDG scan of the same patient into dual-PET timepoints.

Owns the pairing rule (pure, `pair_scans`) and adding the timepoints it finds to a registry
(`pair_registry` on its own, `pair_unpaired_scans` inside another transaction such as an import).
Scores, lesion reads and imports are other modules' business.

The rule. The original NETPET study paired scans done within 31 days of each other (Chan et al.,
Theranostics 2017); the window is the registry setting `pairing_window_days`. Pairing is one-to-one and
greedy by the smallest gap in days, which is deterministic and never pairs a scan with a farther partner
while a nearer free one exists:

1. candidates are the (SSTR, FDG) scan pairs of one patient at most `window_days` apart;
2. gaps are taken in increasing order; at each gap, a candidate whose two scans have no other free
   candidate at that same gap is paired, and both scans leave the pool;
3. a tie (a scan with two or more free candidates at the same gap, e.g. two SSTR scans equally near one
   FDG scan) is not resolved by guessing: every scan in it is set aside as ambiguous, reported with its
   candidates, and left for a person to pair by hand.

Every scan given is either in a pair or reported unpaired with a reason: `no_partner_in_window`,
`partners_taken` (its candidates were paired with nearer scans) or `ambiguous`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from netpet.registry.analysis_tables import refresh_analysis_tables
from netpet.registry.columns import SSTR_TRACERS
from netpet.registry.errors import RegistryError
from netpet.registry.history import current_operator
from netpet.registry.sqlfiles import read_sql
from netpet.registry.write_retry import retried

if TYPE_CHECKING:
    from netpet.registry.db import Registry

PAIRS_SCHEMA = pl.Schema(
    {
        "timepoint_id": pl.String,
        "patient_id": pl.String,
        "sstr_scan_id": pl.String,
        "fdg_scan_id": pl.String,
        "sstr_scan_date": pl.Date,
        "fdg_scan_date": pl.Date,
        "gap_days": pl.Int64,
    }
)
UNPAIRED_SCHEMA = pl.Schema(
    {
        "patient_id": pl.String,
        "scan_id": pl.String,
        "tracer": pl.String,
        "scan_date": pl.Date,
        "reason": pl.String,
    }
)
AMBIGUOUS_SCHEMA = pl.Schema(
    {
        "patient_id": pl.String,
        "sstr_scan_id": pl.String,
        "fdg_scan_id": pl.String,
        "gap_days": pl.Int64,
    }
)


@dataclass(frozen=True)
class PairingResult:
    """The outcome of pairing: pairs made, scans left unpaired (with a reason), tied candidates.

    pairs: timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, sstr_scan_date, fdg_scan_date, gap_days.
    unpaired: patient_id, scan_id, tracer, scan_date, reason.
    ambiguous: patient_id, sstr_scan_id, fdg_scan_id, gap_days (the tied candidates, for a person to choose).
    """

    pairs: pl.DataFrame
    unpaired: pl.DataFrame
    ambiguous: pl.DataFrame


def timepoint_id_for(sstr_scan_id: str, fdg_scan_id: str) -> str:
    """Return the deterministic ID of a generated timepoint: `<sstr_scan_id>+<fdg_scan_id>`."""
    return f"{sstr_scan_id}+{fdg_scan_id}"


def _candidates(scans: pl.DataFrame, window_days: int) -> pl.DataFrame:
    is_sstr = pl.col("tracer").is_in(SSTR_TRACERS)
    sstr = scans.filter(is_sstr).select("patient_id", sstr_scan_id="scan_id", sstr_scan_date="scan_date")
    fdg = scans.filter(pl.col("tracer") == "fdg").select(
        "patient_id", fdg_scan_id="scan_id", fdg_scan_date="scan_date"
    )
    return (
        sstr.join(fdg, on="patient_id")
        .with_columns(
            (pl.col("fdg_scan_date") - pl.col("sstr_scan_date"))
            .dt.total_days()
            .abs()
            .cast(pl.Int64)
            .alias("gap_days")
        )
        .filter(pl.col("gap_days") <= window_days)
        .sort("gap_days", "patient_id", "sstr_scan_id", "fdg_scan_id")
    )


def _greedy(candidates: pl.DataFrame) -> tuple[list[dict], list[dict], set[str]]:
    """Return (pairs, ambiguous candidates, scans set aside as ambiguous) by the rule in the module doc."""
    taken: set[str] = set()
    pairs: list[dict] = []
    ambiguous: list[dict] = []
    for _, level in candidates.group_by("gap_days", maintain_order=True):
        free = [
            c
            for c in level.iter_rows(named=True)
            if c["sstr_scan_id"] not in taken and c["fdg_scan_id"] not in taken
        ]
        degree: dict[str, int] = defaultdict(int)
        for c in free:
            degree[c["sstr_scan_id"]] += 1
            degree[c["fdg_scan_id"]] += 1
        for c in free:
            if degree[c["sstr_scan_id"]] == 1 and degree[c["fdg_scan_id"]] == 1:
                pairs.append(c)
            else:
                ambiguous.append(c)
        taken.update(s for c in free for s in (c["sstr_scan_id"], c["fdg_scan_id"]))
    set_aside = {s for c in ambiguous for s in (c["sstr_scan_id"], c["fdg_scan_id"])}
    return pairs, ambiguous, set_aside


def pair_scans(scans: pl.DataFrame, window_days: int = 31) -> PairingResult:
    """Pair SSTR and FDG scans one-to-one, nearest first, within `window_days` (see the module doc).

    Parameters
    ----------
    scans : polars.DataFrame
        scan_id, patient_id, tracer (an SSTR tracer or 'fdg'), scan_date (date); one row per scan.
    window_days : int
        The largest gap in days between paired scans (Chan 2017: 31).

    Returns
    -------
    PairingResult
        pairs, unpaired and ambiguous frames, each sorted by patient and scan.

    >>> from datetime import date
    >>> scans = pl.DataFrame({"scan_id": ["S1", "F1"], "patient_id": ["P1", "P1"],
    ...                       "tracer": ["ga68_dotatate", "fdg"],
    ...                       "scan_date": [date(2020, 1, 1), date(2020, 1, 9)]})
    >>> pair_scans(scans).pairs["timepoint_id"].to_list()
    ['S1+F1']
    """
    if window_days < 0:
        raise RegistryError(f"the pairing window must be 0 days or more, not {window_days}")
    candidates = _candidates(scans, window_days)
    pairs, ambiguous, set_aside = _greedy(candidates)
    pair_frame = (
        pl.DataFrame(pairs, schema={k: v for k, v in PAIRS_SCHEMA.items() if k != "timepoint_id"})
        .with_columns((pl.col("sstr_scan_id") + "+" + pl.col("fdg_scan_id")).alias("timepoint_id"))
        .select(list(PAIRS_SCHEMA))
        .sort("patient_id", "sstr_scan_id")
    )
    paired = set(pair_frame["sstr_scan_id"]) | set(pair_frame["fdg_scan_id"])
    with_candidates = set(candidates["sstr_scan_id"]) | set(candidates["fdg_scan_id"])
    unpaired = (
        scans.filter(~pl.col("scan_id").is_in(list(paired)))
        .with_columns(
            pl.when(pl.col("scan_id").is_in(list(set_aside)))
            .then(pl.lit("ambiguous"))
            .when(pl.col("scan_id").is_in(list(with_candidates)))
            .then(pl.lit("partners_taken"))
            .otherwise(pl.lit("no_partner_in_window"))
            .alias("reason")
        )
        .select(list(UNPAIRED_SCHEMA))
        .cast(UNPAIRED_SCHEMA)
        .sort("patient_id", "scan_date", "scan_id")
    )
    ambiguous_frame = pl.DataFrame(
        [{k: c[k] for k in AMBIGUOUS_SCHEMA} for c in ambiguous], schema=AMBIGUOUS_SCHEMA
    ).sort("patient_id", "sstr_scan_id", "fdg_scan_id")
    return PairingResult(pair_frame, unpaired, ambiguous_frame)


@retried("pairing")
def pair_registry(
    reg: Registry,
    *,
    window_days: int | None = None,
    dry_run: bool = False,
    operator: str | None = None,
) -> PairingResult:
    """Pair the registry's scans that are in no timepoint yet and add the pairs as timepoints.

    All inserts (timepoints and their change_log rows) happen in one transaction. Generated timepoint IDs
    are `<sstr_scan_id>+<fdg_scan_id>`, so pairing again adds nothing.

    Parameters
    ----------
    reg : Registry
        An open, writable registry (read-only is fine with `dry_run`).
    window_days : int, optional
        The pairing window; by default the registry setting `pairing_window_days`.
    dry_run : bool
        Report what would be paired without writing anything.
    operator : str, optional
        Who to record in change_log; by default the login name.

    Returns
    -------
    PairingResult
        The pairs added (or that would be), the scans left unpaired and the ambiguous candidates.
    """
    window = int(reg.setting("pairing_window_days")) if window_days is None else window_days
    if dry_run:
        return pair_scans(reg.query_file("queries", "scans_without_timepoint"), window)
    with reg.transaction() as con:
        return pair_unpaired_scans(con, window_days=window, operator=operator or current_operator())


def pair_unpaired_scans(
    con: duckdb.DuckDBPyConnection,
    *,
    window_days: int,
    operator: str,
    command: str = "pair",
    batch_id: int | None = None,
) -> PairingResult:
    """Pair the scans in no timepoint yet and insert the pairs (and their patients' analysis rows), inside the
    caller's transaction.

    For the importer's pairing option: call it after the scans are inserted, in the import's transaction,
    with the import's command and batch_id; `pair_registry` is the stand-alone form.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The registry connection, in an open transaction.
    window_days : int
        The pairing window in days.
    operator, command : str
        Recorded in change_log with each inserted timepoint.
    batch_id : int, optional
        The import batch the timepoints belong to.

    Returns
    -------
    PairingResult
        The pairs inserted, the scans left unpaired and the ambiguous candidates.

    Raises
    ------
    RegistryError
        When a generated timepoint ID is already used for other scans (nothing is inserted).
    """
    result = pair_scans(con.execute(read_sql("queries", "scans_without_timepoint")).pl(), window_days)
    if result.pairs.height == 0:
        return result
    ids = result.pairs["timepoint_id"].to_list()
    clashes = con.execute(read_sql("queries", "timepoint_ids_in_use"), {"ids": ids}).fetchall()
    if clashes:
        raise RegistryError(
            f"timepoint ID {clashes[0][0]} is already used for other scans; "
            "rename that timepoint or pair these scans by hand in timepoints.csv"
        )
    log = result.pairs.select(
        pl.col("timepoint_id").alias("row_key"),
        "patient_id",
        pl.struct("timepoint_id", "patient_id", "sstr_scan_id", "fdg_scan_id")
        .struct.json_encode()
        .alias("after"),
    )
    con.register("_new_timepoints", result.pairs.to_arrow())
    con.register("_new_timepoint_log", log.to_arrow())
    try:
        con.execute(read_sql("queries", "insert_paired_timepoints"), {"batch_id": batch_id})
        con.execute(
            read_sql("queries", "log_paired_timepoints"),
            {"operator": operator, "command": command, "batch_id": batch_id},
        )
    finally:
        con.unregister("_new_timepoints")
        con.unregister("_new_timepoint_log")
    refresh_analysis_tables(con, result.pairs["patient_id"].to_list())
    return result
