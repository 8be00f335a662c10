"""An import refuses a file it cannot read whole: one long line, or lines the parse did not read as rows."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.cell_checks import unread_lines
from netpet.registry.columns import TABLES_BY_NAME
from netpet.registry.csv_lines import LineCounter
from netpet.registry.import_files import ImportFile
from netpet.registry.ingest import import_folder

HEADER = "patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent"


def patient_row(i: int) -> str:
    return f"X{i},A,female,1950-01-01,2015-03-01,pancreas,G2,{i % 90}"


@pytest.mark.parametrize("patients", [1_000, 40_000])  # 0.07 MB and 3 MB on one line
def test_a_file_on_one_line_is_refused_not_imported_as_no_rows(registries, tmp_path: Path, patients: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # The rows were joined without line breaks: the whole file is one header row of unknown names.
    (folder / "patients.csv").write_text(HEADER + "," + ",".join(map(patient_row, range(patients))), encoding="utf-8")
    db = registries.copy()
    result = CliRunner().invoke(cli, ["--db", db, "import", str(folder), "--ignore-unknown-columns"])
    assert result.exit_code == 1, result.output
    assert "patients.csv:1: the header row holds" in result.stderr
    assert "on one line" in result.stderr
    with Registry.open(db, read_only=True) as reg:
        assert reg.row_counts()["patients"] == 0


def test_fewer_rows_parsed_than_lines_is_an_issue(tmp_path: Path) -> None:
    # DuckDB 1.5 reads every non-empty line as a row or fails, so the guard is shown on a parse table that
    # holds fewer rows than the file's lines, as a reader that drops a line would leave it.
    path = tmp_path / "patients.csv"
    path.write_text(f"{HEADER}\n{patient_row(1)}\n\n{patient_row(2)}\n", encoding="utf-8")
    file = ImportFile(TABLES_BY_NAME["patients"], path, "csv")
    con = duckdb.connect()
    con.execute("create temp table _parsed_patients as select 'X1' as patient_id")
    assert unread_lines(con, file) == [{
        "file": "patients.csv", "row": 3, "column": None,
        "message": "only 1 row(s) were read from 2 non-empty line(s) after the header; from this row on, "
        "a line was not read as a row (a missing line break, or a line of empty cells)",
    }]
    con.execute("insert into _parsed_patients values ('X2')")
    assert unread_lines(con, file) == []


def test_blank_lines_are_not_missing_rows(registries, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = f"{HEADER}\r\n{patient_row(1)}\r\n\r\n{patient_row(2)}\r\n\r\n"
    (folder / "patients.csv").write_text(rows, encoding="utf-8")
    with Registry.open(registries.copy()) as reg:
        import_folder(reg, folder)
        assert reg.row_counts()["patients"] == 2


def counted_in_blocks(data: bytes, rng: random.Random, largest: int) -> LineCounter:
    """Feed `data` to a LineCounter in blocks of random sizes up to `largest` bytes."""
    counter, start = LineCounter(), 0
    while start < len(data):
        size = rng.randint(1, largest)
        counter.update(data[start : start + size])
        start += size
    return counter


def non_empty_lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line not in (b"", b"\r"))


def test_line_counter_counts_non_empty_lines_across_any_blocks() -> None:
    rng = random.Random(7)
    for _ in range(500):
        data = bytes(rng.choice(b'ab\r\n\n",') for _ in range(rng.randint(0, 60)))
        counter = counted_in_blocks(data, rng, 9)
        assert counter.total() == non_empty_lines(data)
        assert counter.quoted == (b'"' in data)


def test_line_counter_counts_lines_of_blocks_without_empty_lines_as_python_does() -> None:
    # Blocks holding no empty line (and no carriage return) are counted from their line ends alone; a few
    # empty lines, some of them a lone carriage return, go between.
    rng = random.Random(11)
    for _ in range(300):
        lines = [bytes(rng.choice(b"ab,") for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(0, 40))]
        lines = [line if rng.random() > 0.03 else rng.choice((b"", b"\r")) for line in lines]
        data = b"\n".join(lines) + rng.choice((b"", b"\n", b"\r\n"))
        assert counted_in_blocks(data, rng, 80).total() == non_empty_lines(data)
