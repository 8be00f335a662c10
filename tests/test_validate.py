"""Validation: one bad folder per rule under tests/data/, refused with its exact message, nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry, ValidationError
from netpet.registry.import_issues import format_issues
from netpet.registry.ingest import import_folder
from netpet.registry.ingest_sql import spec_sql
from netpet.registry.validate import validate_folder
from tests.ingest_fixtures import DATA, assert_same_tables, loaded, shared_loaded, snapshot

__all__ = ["loaded", "shared_loaded"]

ACCEPTED_PATIENTS = "patient_id, site, sex, birth_date, diagnosis_date, primary_site, who_grade, ki67_percent"
PRIMARY_SITES = "pancreas, small_bowel, appendix, colon, rectum, stomach, duodenum, lung, unknown, other"
DEATH = "outcomes.csv:2:outcome_date: death is dated before the"

#: folder under tests/data -> the exact lines the import prints (imported on top of tests/data/valid).
EXPECTED = {
    "misnamed_file": [
        "patient.csv: not an import table; accepted names: patients.csv, pet_scans.csv, timepoints.csv, "
        "lesion_reads.csv, treatments.csv, outcomes.csv (or .parquet)"
    ],
    "ragged_row": ["patients.csv:3: cannot read CSV: Expected Number of Columns: 8 Found: 7"],
    "bad_encoding": ["patients.csv:2: cannot read CSV: the file is not UTF-8 encoded"],
    "missing_required_column": ["pet_scans.csv:1:tracer: required column is missing"],
    "unknown_column": [
        f"patients.csv:1:name: unknown column; patients accepts {ACCEPTED_PATIENTS} "
        "(or use --ignore-unknown-columns)"
    ],
    "misspelt_column": [
        "patients.csv:1:diagnosis_dat: unknown column; did you mean 'diagnosis_date'? patients accepts "
        f"{ACCEPTED_PATIENTS} (or use --ignore-unknown-columns)",
        "patients.csv:1:diagnosis_date: required column is missing",
    ],
    "empty_required_value": ["patients.csv:2:diagnosis_date: required value is empty"],
    "bad_enum": [f"patients.csv:2:primary_site: 'liver' is not one of: {PRIMARY_SITES}"],
    "impossible_date": ["patients.csv:2:diagnosis_date: '2023-02-30' is not a valid date (YYYY-MM-DD)"],
    "non_iso_date": [
        "patients.csv:2:diagnosis_date: '01/03/2015' is ambiguous (day or month first?): write dates as YYYY-MM-DD "
        "(2021-04-03 for 3 April 2021), or import with --date-format %d/%m/%Y"
    ],
    "ki67_out_of_range": ["patients.csv:2:ki67_percent: 150 is out of range: must be between 0 and 100"],
    "not_a_number": ["patients.csv:2:ki67_percent: 'high' is not a number"],
    "negative_suvmax": ["lesion_reads.csv:2:sstr_suvmax: -1 is out of range: must be >= 0"],
    "zero_activity": ["treatments.csv:2:activity_gbq: 0 is out of range: must be > 0"],
    "fractional_cycles": [
        "treatments.csv:2:cycles: '2.5' is not a whole number",
        "treatments.csv:3:cycles: 0 is out of range: must be >= 1",
    ],
    "bad_boolean": ["lesion_reads.csv:2:sstr_avid: 'maybe' is not a boolean (true/false, t/f, yes/no, 1/0)"],
    "bad_score": ["timepoints.csv:2:netpet_score: 'P7' is not a NETPET score (0-5 or P0-P5)"],
    "duplicate_key": ["pet_scans.csv:3:scan_id: duplicate scan_id S9: first given on row 2"],
    "changed_existing_row": [
        "patients.csv:2:patient_id: patient_id P1 is already in the registry with different values "
        "(who_grade); re-run with --update to replace it"
    ],
    "unknown_patient": [
        "pet_scans.csv:2:patient_id: unknown patient_id P9: not in the registry or in this import"
    ],
    "sstr_scan_is_fdg": ["timepoints.csv:2:sstr_scan_id: scan S2 has tracer fdg, not an SSTR tracer"],
    "scan_of_other_patient": [
        "timepoints.csv:2:fdg_scan_id: scan S4 belongs to patient P2, not P1",
        "timepoints.csv:2:fdg_scan_id: scans S1 and S4 are 370 days apart; the pairing window is 31 days",
    ],
    "pairing_window": [
        "timepoints.csv:2:fdg_scan_id: scans S8 and S9 are 32 days apart; the pairing window is 31 days"
    ],
    "comparison_missing": [
        "lesion_reads.csv:2:fdg_vs_sstr: required when both sstr_avid and fdg_avid are true"
    ],
    "krenning_invalid": [
        "lesion_reads.csv:2:sstr_krenning: 5 is out of range: must be between 0 and 4",
        "lesion_reads.csv:3:sstr_krenning: '2.5' is not a whole number",
        "lesion_reads.csv:4:sstr_krenning: Krenning 3 contradicts sstr_avid = false (a lesion is SSTR-avid when its "
        "Krenning score is 2-4)",
        "lesion_reads.csv:5:sstr_krenning: Krenning 1 contradicts sstr_avid = true (a lesion is SSTR-avid when its "
        "Krenning score is 2-4)",
    ],
    "scan_before_birth": ["pet_scans.csv:2:scan_date: scan_date is before the patient's birth_date"],
    "diagnosis_before_birth": ["patients.csv:2:diagnosis_date: diagnosis_date is before birth_date"],
    "scan_after_death": ["pet_scans.csv:2:scan_date: scan_date is after the patient's death"],
    "death_before_registry_records": [
        f"{DEATH} end_date of treatment R1",
        f"{DEATH} outcome_date of progression outcome",
        f"{DEATH} scan_date of scan S2",
        f"{DEATH} start_date of treatment R1",
    ],
    "death_before_diagnosis": [
        f"{DEATH} end_date of treatment R1",
        f"{DEATH} outcome_date of progression outcome",
        f"{DEATH} patient's diagnosis_date",
        f"{DEATH} scan_date of scan S1",
        f"{DEATH} scan_date of scan S2",
        f"{DEATH} start_date of treatment R1",
    ],
    "two_deaths": ["outcomes.csv:2:outcome: more than one death for patient P2"],
    "end_before_start": ["treatments.csv:2:end_date: end_date is before start_date"],
}


def test_every_bad_folder_has_an_expected_message() -> None:
    folders = {p.name for p in DATA.iterdir() if p.is_dir()} - {"valid"}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_bad_folder_is_refused_with_exact_messages_and_nothing_written(
    shared_loaded: Registry, folder: str
) -> None:
    before = snapshot(shared_loaded)
    with pytest.raises(ValidationError) as caught:
        import_folder(shared_loaded, DATA / folder)
    assert format_issues(caught.value.issues) == EXPECTED[folder]
    assert_same_tables(before, snapshot(shared_loaded))


def test_issues_are_a_tidy_frame(shared_loaded: Registry) -> None:
    issues = validate_folder(shared_loaded, DATA / "fractional_cycles")
    assert issues.schema == pl.Schema(
        {"file": pl.String, "row": pl.Int64, "column": pl.String, "message": pl.String}
    )
    assert issues["row"].to_list() == [2, 3]


def test_every_problem_of_a_file_is_reported_in_one_pass(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text(
        "patient_id,sex,diagnosis_date,primary_site,ki67_percent\n"
        "P1,robot,2020-01-01,pancreas,101\n"
        ",male,2020-13-01,lung,5\n"
    )
    lines = format_issues(validate_folder(registry, tmp_path))
    assert lines == [
        "patients.csv:2:ki67_percent: 101 is out of range: must be between 0 and 100",
        "patients.csv:2:sex: 'robot' is not one of: female, male, other",
        "patients.csv:3:diagnosis_date: '2020-13-01' is not a valid date (YYYY-MM-DD)",
        "patients.csv:3:patient_id: required value is empty",
    ]


def test_unknown_columns_can_be_ignored(registry: Registry) -> None:
    summary = import_folder(registry, DATA / "unknown_column", ignore_unknown_columns=True)
    assert summary["inserted"].to_list() == [1]


def test_pairing_window_follows_the_registry_setting(loaded: Registry) -> None:
    loaded.set_setting("pairing_window_days", "32")
    summary = import_folder(loaded, DATA / "pairing_window")
    assert summary["inserted"].to_list() == [2, 1]


def test_enums_booleans_and_scores_are_stored_canonically(loaded: Registry) -> None:
    patients = loaded.query("select sex, primary_site, who_grade from patients order by patient_id")
    assert patients.rows() == [("female", "pancreas", "G2"), ("male", "small_bowel", None)]
    scores = loaded.query("select recorded_score from timepoints order by timepoint_id")["recorded_score"]
    assert scores.to_list() == [3, 1]
    avid = loaded.query("select sstr_avid, fdg_avid from lesion_reads order by timepoint_id")
    assert avid.rows() == [(True, True), (True, False)]


def test_table_given_as_csv_and_parquet_is_refused(registry: Registry, tmp_path: Path) -> None:
    frame = pl.read_csv(DATA / "valid" / "patients.csv")
    frame.write_csv(tmp_path / "patients.csv")
    frame.write_parquet(tmp_path / "patients.parquet")
    lines = format_issues(validate_folder(registry, tmp_path))
    assert lines == ["patients.csv: patients is given twice (patients.csv, patients.parquet); keep one"]


def test_parquet_rows_are_numbered_like_csv(registry: Registry, tmp_path: Path) -> None:
    pl.DataFrame(
        {
            "scan_id": ["S1", "S2"],
            "patient_id": ["P9", "P9"],
            "tracer": ["fdg", "pet"],
            "scan_date": ["2020-01-01", "2020-01-02"],
        }
    ).write_parquet(tmp_path / "pet_scans.parquet")
    lines = format_issues(validate_folder(registry, tmp_path))
    assert lines == [
        "pet_scans.parquet:2:patient_id: unknown patient_id P9: not in the registry or in this import",
        "pet_scans.parquet:3:patient_id: unknown patient_id P9: not in the registry or in this import",
        "pet_scans.parquet:3:tracer: 'pet' is not one of: ga68_dotatate, ga68_dotatoc, ga68_dotanoc, "
        "cu64_dotatate, fdg",
    ]


def test_rows_are_numbered_in_file_order_when_a_large_file_is_parsed_in_parallel(
    registry: Registry, tmp_path: Path
) -> None:
    # 300,000 rows: DuckDB reads and parses them on several threads; the row numbers must still be the file's.
    rows = [f"Q{i},A,female,1950-01-01,2015-03-01,pancreas,G1,5" for i in range(300_000)]
    rows[249_999] = "Q249999,A,female,1950-01-01,2015-03-01,pancreas,G1,150"
    rows[298_998] = "Q998,A,female,1950-01-01,2015-03-01,pancreas,G1,5"
    folder = tmp_path / "large"
    folder.mkdir()
    header = (DATA / "valid" / "patients.csv").read_text().splitlines()[0]
    (folder / "patients.csv").write_text("\n".join([header, *rows]) + "\n")
    assert format_issues(validate_folder(registry, folder)) == [
        "patients.csv:250001:ki67_percent: 150 is out of range: must be between 0 and 100",
        "patients.csv:299000:patient_id: duplicate patient_id Q998: first given on row 1000",
    ]


def test_cells_are_trimmed_of_spaces_unicode_spaces_included(registry: Registry, tmp_path: Path) -> None:
    header = (DATA / "valid" / "patients.csv").read_text().splitlines()[0]
    rows = [
        " P1 ,A,Female ,1950-01-01,2015-03-01,\u00a0pancreas\u3000, g2,5.5",
        "P2,\u2003B, male,  , 2016-03-01 ,colon,,",
    ]
    (tmp_path / "patients.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    import_folder(registry, tmp_path)
    stored = registry.query("select patient_id, site, sex, diagnosis_date, primary_site, who_grade from patients")
    assert sorted(stored.rows()) == [
        ("P1", "A", "female", date(2015, 3, 1), "pancreas", "G2"),
        ("P2", "B", "male", date(2016, 3, 1), "colon", None),
    ]


def test_unreadable_parquet_is_a_file_level_issue(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "patients.parquet").write_text("not parquet")
    lines = format_issues(validate_folder(registry, tmp_path))
    assert lines == [
        "patients.parquet: cannot read Parquet: Invalid Input Error: "
        "File 'patients.parquet' too small to be a Parquet file"
    ]


def test_unterminated_quote_is_a_file_level_issue(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "pet_scans.csv").write_text('scan_id,patient_id,tracer,scan_date\n"S1,P1,fdg,2020-01-01\n')
    lines = format_issues(validate_folder(registry, tmp_path))
    assert lines == ["pet_scans.csv:2: cannot read CSV: Value with unterminated quote found."]


def test_quoted_commas_byte_order_mark_and_any_case_are_accepted(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_bytes(
        "\ufeffprimary_site,patient_id,diagnosis_date,site,who_grade,sex\n"
        'SMALL_BOWEL,P1,2020-01-01,"Lyon, HCL",nec,FEMALE\n'.encode()
    )
    assert import_folder(registry, tmp_path)["inserted"].to_list() == [1]
    stored = registry.query("select primary_site, site, who_grade, sex from patients")
    assert stored.rows() == [("small_bowel", "Lyon, HCL", "NEC", "female")]


def test_boolean_and_score_spellings(registry: Registry, tmp_path: Path) -> None:
    import_folder(registry, DATA / "valid")
    (tmp_path / "timepoints.csv").write_text(
        "timepoint_id,patient_id,sstr_scan_id,fdg_scan_id,netpet_score\nT3,P1,S1,S2,p5\nT4,P1,S1,S2,0\n"
    )
    (tmp_path / "lesion_reads.csv").write_text(
        "timepoint_id,lesion_id,location,sstr_avid,fdg_avid\nT3,a,bone,No,1\nT3,b,bone,F,0\nT4,a,bone,yes,false\n"
    )
    import_folder(registry, tmp_path)
    scores = registry.query(
        "select recorded_score from timepoints where timepoint_id in ('T3', 'T4') order by 1"
    )
    assert scores["recorded_score"].to_list() == [0, 5]
    reads = registry.query(
        "select sstr_avid, fdg_avid from lesion_reads where timepoint_id in ('T3', 'T4') order by all"
    )
    assert reads.rows() == [(False, False), (False, True), (True, False)]


def test_krenning_scores_are_stored_and_files_without_them_still_import(registry: Registry, tmp_path: Path) -> None:
    """The optional column is stored as given; a file without it (the format before it) imports with none."""
    import_folder(registry, DATA / "valid")
    (tmp_path / "lesion_reads.csv").write_text(
        "timepoint_id,lesion_id,location,sstr_avid,fdg_avid,sstr_krenning\nT1,k1,bone,false,true,1\n"
        "T1,k2,bone,true,false,2\nT1,k3,bone,true,false,4\nT1,k4,bone,true,false,\n"
    )
    import_folder(registry, tmp_path)
    reads = registry.query("select lesion_id, sstr_krenning from lesion_reads order by lesion_id")
    assert dict(reads.rows()) == {"k1": 1, "k2": 2, "k3": 4, "k4": None, "l1": None, "liver-s7": None}


def test_sql_templates_accept_only_identifiers_of_the_spec() -> None:
    names = {"all": "_all_patients", "typed": "_typed_patients", "parsed": "_parsed_patients", "name": "_file_patients"}
    assert "_typed_patients" in spec_sql("drop_temporaries", **names)
    with pytest.raises(ValueError, match="not an identifier of the column spec"):
        spec_sql("drop_temporaries", **{**names, "typed": "patients; drop table patients"})
