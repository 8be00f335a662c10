"""The per-column SQL of the import (`netpet.registry.column_sql`): named pieces of spec identifiers only."""

from __future__ import annotations

import duckdb
import pytest

from netpet.registry import column_sql as piece
from netpet.registry.column_sql import SpecColumn, joined
from netpet.registry.columns import TABLES_BY_NAME


def test_a_column_outside_the_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="not an identifier of the column spec"):
        SpecColumn.of(TABLES_BY_NAME["patients"], 'site" from patients; drop table patients; --')


def test_pieces_are_joined_over_the_key() -> None:
    reads = TABLES_BY_NAME["lesion_reads"]
    assert joined(piece.key_match, reads, reads.key, " and ") == (
        "i.timepoint_id = r.timepoint_id and i.lesion_id = r.lesion_id")
    assert piece.key_text(joined(piece.key_part, reads, reads.key)) == (
        "concat_ws('|', cast(i.timepoint_id as varchar), cast(i.lesion_id as varchar))")


@pytest.mark.parametrize(("table", "column", "cell", "value"), [
    ("patients", "diagnosis_date", "2020-02-03", "2020-02-03"),
    ("patients", "diagnosis_date", "2020-02-30", None),
    ("timepoints", "netpet_score", "p3", 3),
    ("patients", "ki67_percent", "inf", None),
    ("patients", "who_grade", "g2", "G2"),
])
def test_parse_pieces_run_in_duckdb(table: str, column: str, cell: str, value: object) -> None:
    """A parse piece reads the cell's text `r_<column>` and names the value as the registry stores it."""
    spec = SpecColumn.of(TABLES_BY_NAME[table], column)
    values = next(c.values for c in TABLES_BY_NAME[table].columns if c.name == column)
    sql = f"select {piece.PARSE[next(c.kind for c in TABLES_BY_NAME[table].columns if c.name == column)](spec)}"
    con = duckdb.connect()
    con.execute("set variable netpet_date_format = null::varchar")
    params = {"cell": cell, f"canon_{column}": list(values), f"lower_{column}": [v.lower() for v in values]}
    used = {k: v for k, v in params.items() if f"${k}" in sql or k == "cell"}
    frame = con.execute(f"{sql} from (select $cell::varchar as r_{column})", used).pl()
    assert frame.columns == [spec.stored]
    assert (None if frame[0, 0] is None else str(frame[0, 0])) == (None if value is None else str(value))
