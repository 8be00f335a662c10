"""A corpus of malformed import files: each is refused with a clear message, and the registry is unchanged.

Small cases live in `tests/malformed/<case>/` (written byte for byte: wrong encodings, NUL bytes,
truncated rows, other separators, formula cells, impossible dates); big ones (10 MB cells) are written at
run time. Each is imported through the CLI on top of `tests/data/valid`, like a site's second delivery.

Formula policy: a text cell starting with `=`, `+`, `@`, a tab or a carriage return is refused on import
(a spreadsheet would run it); a leading `-` is accepted and neutralised on CSV export (`netpet.registry.export`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.import_files import MAX_CELL_CHARS
from netpet.registry.ingest import import_folder
from tests.ingest_fixtures import DATA
from tests.reliability_fixtures import Digest, registry_digest

MALFORMED = Path(__file__).parent / "malformed"
FORMULA = (
    "starts with =, +, @, a tab or a carriage return, which a spreadsheet runs as a formula; "
    "remove that first character"
)
TOO_LONG_LINE = "cannot read CSV: Maximum line size of 2000000 bytes exceeded. Actual Size:{} bytes."
CONTROL = "holds a control character (such as NUL): is the file corrupt, or not UTF-8 text?"
NOT_UTF8 = "cannot read CSV: the file is not UTF-8 encoded"
SAVE_COMMAS = "save the file comma-separated (Excel: Save As 'CSV UTF-8 (Comma delimited)', decimals with a point)"

#: case folder -> the exact lines `netpet import` prints for it (before its "N problem(s)" line).
EXPECTED = {
    "utf16_with_bom": [f"patients.csv:1: {NOT_UTF8}"],  # Excel's "Unicode text"
    "cp1252_encoding": [f"patients.csv:2: {NOT_UTF8}"],  # "Zürich" in Windows-1252
    # Old Mac OS line endings: one line holding a bare carriage return.
    "carriage_return_line_endings": [
        "patients.csv:1: cannot read CSV: the header row is not valid CSV; lines must end with LF or CRLF"
    ],
    "truncated_row": ["patients.csv:3: cannot read CSV: Expected Number of Columns: 8 Found: 3"],
    "unterminated_quote": ["patients.csv:2: cannot read CSV: Value with unterminated quote found."],
    "huge_number": ["patients.csv:2:ki67_percent: '1e400' is not a number"],  # overflows a double
    "huge_integer": ["treatments.csv:2:cycles: '99999999999999999999' is not a whole number"],
    "nan_and_infinity": [
        "lesion_reads.csv:2:fdg_suvmax: 'inf' is not a number",
        "lesion_reads.csv:2:sstr_suvmax: 'nan' is not a number",
    ],
    "formula_injection": [
        f"patients.csv:2:site: '=cmd|' /C calc'!A0' {FORMULA}",
        f"patients.csv:3:patient_id: '@SUM(1+1)*cmd|' /C calc'!A0' {FORMULA}",
    ],
    "impossible_dates": [
        "pet_scans.csv:2:scan_date: '2023-02-30' is not a valid date (YYYY-MM-DD)",
        "pet_scans.csv:3:scan_date: '2023-13-01' is not a valid date (YYYY-MM-DD)",
        "pet_scans.csv:4:scan_date: '2023-04-00' is not a valid date (YYYY-MM-DD)",
    ],
    "nul_byte": [f"patients.csv:2:patient_id: 'P3\\x00' {CONTROL}"],
    "terminal_escape": [f"outcomes.csv:2:detail: '\\x1b[2Jgone' {CONTROL}"],  # would clear the screen
    "binary_garbage": ["patients.csv:1: the header holds control characters (such as NUL): not UTF-8 CSV text"],
    "semicolon_separated": [f"patients.csv:1: the header is one column holding ';': {SAVE_COMMAS}"],
    "tab_separated": [f"patients.csv:1: the header is one column holding '\\t': {SAVE_COMMAS}"],
    "mixed_delimiters": ["patients.csv:3: cannot read CSV: Expected Number of Columns: 8 Found: 1"],
    "empty_header_names": ["patients.csv:1: the header has 2 empty column name(s); name or remove them"],
    "not_parquet": [
        "patients.parquet: cannot read Parquet: Invalid Input Error: No magic bytes found at end of file "
        "'patients.parquet'"
    ],
}
PATIENTS_HEADER = "patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent\n"
TEN_MB = 10 * 2**20


def _ten_mb_cell(folder: Path) -> None:
    line = "P1,last_contact,2019-01-01," + "x" * TEN_MB
    (folder / "outcomes.csv").write_text(f"patient_id,outcome,outcome_date,detail\n{line}\n")


def _ten_mb_id(folder: Path) -> None:
    row = "P" + "9" * TEN_MB + ",C,female,1960-01-01,2016-03-01,pancreas,G1,2"
    (folder / "patients.csv").write_text(PATIENTS_HEADER + row + "\n")


def _long_site(folder: Path) -> None:
    row = "P3," + "s" * 5000 + ",female,1960-01-01,2016-03-01,pancreas,G1,2"
    (folder / "patients.csv").write_text(PATIENTS_HEADER + row + "\n")


def _four_hundred_digits(folder: Path) -> None:
    row = "P3,C,female,1960-01-01,2016-03-01,pancreas,G1,1" + "0" * 400
    (folder / "patients.csv").write_text(PATIENTS_HEADER + row + "\n")


#: generated case -> (writer, expected lines): files too big to commit.
GENERATED: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "ten_mb_cell": (
        _ten_mb_cell,
        ["outcomes.csv:2: " + TOO_LONG_LINE.format(27 + TEN_MB)],
    ),
    "ten_mb_id": (
        _ten_mb_id,
        ["patients.csv:2: " + TOO_LONG_LINE.format(46 + TEN_MB)],
    ),
    "long_site": (
        _long_site,
        [f"patients.csv:2:site: value is 5000 characters long; a cell holds at most {MAX_CELL_CHARS}"],
    ),
    # The message quotes 57 characters of the value and an ellipsis, never the whole cell.
    "four_hundred_digits": (
        _four_hundred_digits,
        ["patients.csv:2:ki67_percent: '1" + "0" * 56 + "...' is not a number"],
    ),
}


@pytest.fixture(scope="module")
def loaded_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Digest]:
    """A registry file holding tests/data/valid, and its digest."""
    path = tmp_path_factory.mktemp("malformed") / "registry.duckdb"
    with Registry.create(path) as reg:
        import_folder(reg, DATA / "valid", operator="tester")
    return path, registry_digest(path)


def _import_is_refused(loaded_file: tuple[Path, Digest], folder: Path, expected: list[str]) -> None:
    path, before = loaded_file
    result = CliRunner().invoke(cli, ["--db", str(path), "import", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [*expected, f"{len(expected)} problem(s); nothing was imported"]
    assert result.stdout == ""
    assert registry_digest(path) == before


def test_corpus_holds_a_folder_per_expected_case() -> None:
    assert sorted(p.name for p in MALFORMED.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_malformed_file_is_refused_and_registry_unchanged(
    case: str, loaded_file: tuple[Path, Digest]
) -> None:
    _import_is_refused(loaded_file, MALFORMED / case, EXPECTED[case])


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_oversized_file_is_refused_and_registry_unchanged(
    case: str, loaded_file: tuple[Path, Digest], tmp_path: Path
) -> None:
    write, expected = GENERATED[case]
    write(tmp_path)
    _import_is_refused(loaded_file, tmp_path, expected)


def test_utf8_byte_order_mark_is_accepted_and_not_stored(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark; it is not data, so the file is read as UTF-8."""
    folder = tmp_path / "bom"
    folder.mkdir()
    (folder / "patients.csv").write_bytes(
        b"\xef\xbb\xbf" + (PATIENTS_HEADER + "P3,C,female,1960-01-01,2016-03-01,pancreas,G1,2\n").encode()
    )
    with Registry.create(tmp_path / "r.duckdb") as reg:
        import_folder(reg, folder)
        assert reg.query("select patient_id from patients")["patient_id"].to_list() == ["P3"]


def test_control_character_in_a_parquet_cell_is_refused(loaded_file: tuple[Path, Digest], tmp_path: Path) -> None:
    # A Parquet file's bytes are encoded, so its decoded cells are always searched for control characters.
    pl.DataFrame({"patient_id": ["P1"], "outcome": ["progression"], "outcome_date": ["2019-01-01"],
                  "detail": ["\x1b[2Jgone"]}).write_parquet(tmp_path / "outcomes.parquet")
    _import_is_refused(loaded_file, tmp_path, [f"outcomes.parquet:2:detail: '\\x1b[2Jgone' {CONTROL}"])
