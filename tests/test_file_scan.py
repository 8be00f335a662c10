"""What a CSV file's bytes tell the import to skip: trimming when no cell can start or end with a space, the ID
character check when every byte is an ID character, a comma or a line break. Either way the result is the same."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest

from netpet.registry import Registry
from netpet.registry.columns import TABLES_BY_NAME
from netpet.registry.csv_lines import EdgeSpaces
from netpet.registry.import_files import _FORMULA_BYTES, FORMULA_START, ImportFile
from netpet.registry.import_issues import format_issues
from netpet.registry.ingest import import_folder
from netpet.registry.validate import validate_folder

HEADER = "timepoint_id,lesion_id,location,sstr_suvmax,fdg_suvmax,sstr_avid,fdg_avid,fdg_vs_sstr,sstr_krenning"


def found(data: bytes, sizes: list[int]) -> bool:
    """Feed `data` to EdgeSpaces in blocks of the given sizes (the rest in one block)."""
    spaces, start = EdgeSpaces(), 0
    for size in [*sizes, len(data)]:
        spaces.update(data[start : start + size])
        start += size
    return spaces.found


def needs_trim(data: bytes) -> bool:
    """Whether trimming would change a cell: one starts or ends with a space, or a byte is not ASCII."""
    if not data.isascii():
        return True
    rows = csv.reader(io.StringIO(data.decode(), newline=""))
    return any(cell != cell.strip(" ") for row in rows for cell in row)


def test_any_cell_a_trim_would_change_is_found_across_any_blocks() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        data = bytes(rng.choice(b'ab  ,,\n\r"') for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.05:
            data += "\u00a0".encode()
        sizes = [rng.randint(1, 9) for _ in range(rng.randint(0, 5))]
        if needs_trim(data):
            assert found(data, sizes), data


def test_spaces_inside_cells_are_not_found() -> None:
    data = b'T1,liver s7,"left lobe,segment 7",1.5\nT2,bone 2,a b c,2\n'
    assert not found(data, [])
    assert found(b'T1,"left lobe, segment 7"\n', [])  # inside quotes too: the bytes alone cannot tell
    assert found(data + b"T3, bone,x,1\n", [])
    assert found(data + b"T3,bone ,x,1\n", [])
    assert found(b" " + data, [])
    assert found(data + b" ", [])


def test_a_file_scan_tells_whether_a_cell_needs_trimming(tmp_path: Path) -> None:
    table = TABLES_BY_NAME["lesion_reads"]
    clean, spaced = tmp_path / "clean.csv", tmp_path / "spaced.csv"
    clean.write_text(f"{HEADER}\nT1,liver s7,liver,1.5,,false,false,,0\n", encoding="utf-8")
    spaced.write_text(f"{HEADER}\nT1,liver s7 ,liver,1.5,,false,false,,0\n", encoding="utf-8")
    assert not ImportFile(table, clean, "csv").scan.spaced
    assert ImportFile(table, spaced, "csv").scan.spaced


def test_untrimmed_and_trimmed_parses_store_the_same_rows(registry: Registry, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    header = "patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent"
    path = folder / "patients.csv"
    rows = ["P1,A,Female,1950-01-01,2015-03-01,pancreas,g2,5.5", "P2,Lyon HCL,male,,2016-03-01,colon,,"]
    path.write_text("\n".join([header, *rows, ""]))
    assert not ImportFile(TABLES_BY_NAME["patients"], path, "csv").scan.spaced
    import_folder(registry, folder)
    stored = registry.query("select patient_id, site, sex, primary_site, who_grade, ki67_percent from patients")
    assert sorted(stored.rows()) == [
        ("P1", "A", "female", "pancreas", "G2", 5.5), ("P2", "Lyon HCL", "male", "colon", None, None)
    ]
    spaced = [" P1,A ,Female,1950-01-01,2015-03-01,pancreas, g2,5.5 ", "P2,Lyon HCL,male,,2016-03-01,colon ,,"]
    path.write_text("\n".join([header, *spaced, ""]))
    assert ImportFile(TABLES_BY_NAME["patients"], path, "csv").scan.spaced
    assert import_folder(registry, folder)["unchanged"].to_list() == [2]


def scan_of(tmp_path: Path, text: str, newline: str = "\n") -> ImportFile:
    path = tmp_path / "lesion_reads.csv"
    path.write_bytes(text.replace("\n", newline).encode())
    return ImportFile(TABLES_BY_NAME["lesion_reads"], path, "csv")


def test_a_file_of_id_characters_commas_and_line_breaks_is_id_safe(tmp_path: Path) -> None:
    rows = f"{HEADER}\nT1,liver-s7,liver,1.5,,false,false,,0\n"
    assert scan_of(tmp_path, rows).scan.id_safe
    assert scan_of(tmp_path, rows, "\r\n").scan.id_safe
    assert not scan_of(tmp_path, rows.replace("liver-s7", "liver s7")).scan.id_safe
    assert not scan_of(tmp_path, rows.replace("liver-s7", "liver\u2011s7")).scan.id_safe
    assert not scan_of(tmp_path, rows.replace("liver-s7", "liver\rs7")).scan.id_safe
    assert not scan_of(tmp_path, rows.replace("liver-s7", '"liver-s7"')).scan.id_safe


def patients_issues(registry: Registry, tmp_path: Path, rows: str, column: str) -> tuple[ImportFile, list[str]]:
    """Validate a patients.csv of `rows` (after its header); return the file and the issues with `column`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "patients.csv").write_text(f"patient_id,site,sex\n{rows}", encoding="utf-8")
    lines = format_issues(validate_folder(registry, folder))
    return ImportFile(TABLES_BY_NAME["patients"], folder / "patients.csv", "csv"), [
        line for line in lines if f":{column}:" in line
    ]


def test_formula_bytes_are_formula_starts_characters() -> None:
    assert {b for b in range(256) if re.match(FORMULA_START, chr(b))} == set(_FORMULA_BYTES)


def test_a_file_without_formula_characters_is_formula_free(tmp_path: Path) -> None:
    rows = f"{HEADER}\nT1,liver s7,liver,1.5,,false,false,,0\n"
    assert scan_of(tmp_path, rows).scan.formula_free
    assert scan_of(tmp_path, rows, "\r\n").scan.formula_free
    for formula in ("=1+2", "+1", "@SUM", "\tx", "\rx", '"\r\nx"'):
        assert not scan_of(tmp_path, rows.replace("liver s7", formula)).scan.formula_free, formula
    assert not scan_of(tmp_path, rows.replace("liver s7", '"liver s7"'), "\r\n").scan.formula_free


@pytest.mark.parametrize(
    ("rows", "column", "flag", "message"),
    [
        ("P1,A,female\nP\u00e92,B,male\n", "patient_id", "id_safe",
         "patients.csv:3:patient_id: 'P\u00e92' holds U+00E9 LATIN SMALL LETTER E WITH ACUTE; an ID holds ASCII "
         "letters, digits and - _ . / : only"),
        ("P1,=HYPERLINK(1),female\n", "site", "formula_free",
         "patients.csv:2:site: '=HYPERLINK(1)' starts with =, +, @, a tab or a carriage return, which a spreadsheet "
         "runs as a formula; remove that first character"),
    ],
)
def test_cells_the_bytes_do_not_rule_out_are_still_refused(
    registry: Registry, tmp_path: Path, rows: str, column: str, flag: str, message: str
) -> None:
    file, lines = patients_issues(registry, tmp_path, rows, column)
    assert not getattr(file.scan, flag)
    assert lines == [message]
