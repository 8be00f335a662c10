"""Identifiers that can't be faked: look-alikes of an existing ID are refused at import with file:row:column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import netpet.registry.identifiers as identifiers
from netpet.registry import Registry, ValidationError
from netpet.registry.identifiers import identifier_problem
from netpet.registry.ingest import import_folder
from tests.attacks.identifiers import LOOKALIKE_IDS
from tests.ingest_fixtures import assert_same_tables, load_valid, snapshot

PATIENT_HEADER = "patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent\n"


@pytest.fixture
def valid(registries) -> Registry:
    """A registry holding tests/data/valid (patients P1 and P2)."""
    reg = registries.open(load_valid)
    yield reg
    reg.close()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("trick", "value"), LOOKALIKE_IDS, ids=[t for t, _ in LOOKALIKE_IDS])
def test_a_lookalike_patient_id_is_refused(valid: Registry, tmp_path: Path, trick: str, value: str) -> None:
    folder = write(tmp_path / "in", "patients.csv", PATIENT_HEADER + f"{value},A,female,,2015-03-01,pancreas,,\n")
    before = snapshot(valid)
    with pytest.raises(ValidationError) as caught:
        import_folder(valid, folder)
    issues = caught.value.issues
    assert issues.select("file", "row", "column").rows() == [("patients.csv", 2, "patient_id")], issues
    assert_same_tables(before, snapshot(valid))


def test_a_lookalike_in_a_referring_column_is_refused(valid: Registry, tmp_path: Path) -> None:
    folder = write(tmp_path / "in", "pet_scans.csv", "scan_id,patient_id,tracer,scan_date\nS9,P\uff11,fdg,2016-01-01\n")
    with pytest.raises(ValidationError) as caught:
        import_folder(valid, folder)
    assert ("pet_scans.csv", 2, "patient_id") in caught.value.issues.select("file", "row", "column").rows()


def test_two_new_ids_differing_only_in_case_are_refused(valid: Registry, tmp_path: Path) -> None:
    rows = "Q7,A,female,,2015-03-01,pancreas,,\nq7,A,female,,2015-03-01,pancreas,,\n"
    folder = write(tmp_path / "in", "patients.csv", PATIENT_HEADER + rows)
    with pytest.raises(ValidationError) as caught:
        import_folder(valid, folder)
    # the later spelling is the one refused, with the fix: write the first one exactly
    assert caught.value.issues.select("row", "message").rows() == [
        (3, "patient_id q7 differs from Q7 only in case: if it is the same record, write Q7 exactly "
            "(IDs are matched as written)")
    ]


def test_a_lesion_id_differing_only_in_case_within_a_timepoint_is_refused(valid: Registry, tmp_path: Path) -> None:
    existing = valid.query("select timepoint_id, lesion_id from lesion_reads order by all").row(0)
    header = Path("tests/data/valid/lesion_reads.csv").read_text(encoding="utf-8").splitlines()[0]
    original = Path("tests/data/valid/lesion_reads.csv").read_text(encoding="utf-8").splitlines()[1:]
    line = next(r for r in original if r.startswith(f"{existing[0]},{existing[1]},"))
    changed = line.replace(f",{existing[1]},", f",{existing[1].upper()},", 1)
    folder = write(tmp_path / "in", "lesion_reads.csv", f"{header}\n{changed}\n")
    with pytest.raises(ValidationError) as caught:
        import_folder(valid, folder)
    assert caught.value.issues.select("file", "row", "column").rows() == [("lesion_reads.csv", 2, "lesion_id")]


def test_an_id_differing_only_in_case_from_a_registry_id_is_refused(valid: Registry, tmp_path: Path) -> None:
    folder = write(tmp_path / "in", "patients.csv", PATIENT_HEADER + "p2,A,female,,2015-03-01,pancreas,,\n")
    with pytest.raises(ValidationError) as caught:
        import_folder(valid, folder)
    assert caught.value.issues.select("row", "column").rows() == [(2, "patient_id")]


def test_ids_without_a_case_clash_are_not_joined_one_by_one(
    valid: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Capitalised IDs (P000123) are the rule: the row-by-row join runs only once one aggregation finds a clash.
    statements: list[str] = []
    run = identifiers.run

    def recording(con, sql, params=None):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return run(con, sql, params)

    monkeypatch.setattr(identifiers, "run", recording)
    folder = write(tmp_path / "in", "patients.csv", PATIENT_HEADER + "Q8,A,female,,2015-03-01,pancreas,,\n")
    import_folder(valid, folder)
    assert valid.query("select count(*) as n from patients")["n"][0] == 3
    assert not any("clashes as" in s for s in statements)


def test_plain_ids_are_accepted(valid: Registry, tmp_path: Path) -> None:
    rows = "site-2/P_0001.a:b,A,female,,2015-03-01,pancreas,,\n"
    import_folder(valid, write(tmp_path / "in", "patients.csv", PATIENT_HEADER + rows))
    assert valid.query("select count(*) as n from patients")["n"][0] == 3


CHARACTER_TRICKS = [(trick, value) for trick, value in LOOKALIKE_IDS if not value.isascii()]


@pytest.mark.parametrize(("trick", "value"), CHARACTER_TRICKS, ids=[t for t, _ in CHARACTER_TRICKS])
def test_the_message_names_the_fix(trick: str, value: str) -> None:
    message = identifier_problem(value)
    assert message is not None
    normal = unicodedata.normalize("NFKC", value)
    if normal != value and normal.isascii() and normal.isalnum():
        assert f"'{normal}'" in message
