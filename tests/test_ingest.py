"""Import: all-or-nothing writes, no-op re-imports, --update with change_log, batches, scores, the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import IngestError, Registry, ValidationError
from netpet.registry.history import patient_history
from netpet.registry.import_issues import format_issues
from netpet.registry.ingest import import_folder
from tests.ingest_fixtures import DATA, assert_same_tables, load_valid, loaded, snapshot

__all__ = ["loaded"]


def test_import_reports_rows_per_file(registry: Registry) -> None:
    summary = import_folder(registry, DATA / "valid")
    assert summary.columns == ["file", "table", "rows", "inserted", "updated", "unchanged"]
    assert summary.select("file", "rows", "inserted").rows() == [
        ("patients.csv", 2, 2),
        ("pet_scans.csv", 4, 4),
        ("timepoints.csv", 2, 2),
        ("lesion_reads.csv", 2, 2),
        ("treatments.csv", 1, 1),
        ("outcomes.csv", 2, 2),
    ]


def test_import_records_one_batch_and_one_row_per_file(registry: Registry) -> None:
    import_folder(registry, DATA / "valid", operator="alice", command="import")
    batches = registry.query("select batch_id, operator, command, is_update from import_batches")
    assert batches.rows() == [(1, "alice", "import", False)]
    files = registry.query(
        "select file_name, sha256, row_count, rows_inserted from import_files order by all"
    )
    sha = hashlib.sha256((DATA / "valid" / "patients.csv").read_bytes()).hexdigest()
    assert files.filter(pl.col("file_name") == "patients.csv").rows() == [("patients.csv", sha, 2, 2)]
    assert files.height == 6


def test_every_inserted_record_is_in_the_change_history(loaded: Registry) -> None:
    # The import logs one change_log row per table with its row count; the records are the rows carrying its
    # batch_id, and patient_history lists each of them as an insert with the values it was imported with.
    log = loaded.query("select batch_id, table_name, row_key, patient_id, action, after from change_log")
    assert sorted(log["table_name"]) == sorted(
        ["patients", "pet_scans", "timepoints", "lesion_reads", "treatments", "outcomes"]
    )
    assert set(log.select("batch_id", "row_key", "action").rows()) == {(1, "*", "insert")}
    assert sum(json.loads(a)["rows"] for a in log["after"]) == 2 + 4 + 2 + 2 + 1 + 2
    history = patient_history(loaded, "P1")
    assert history.select("table_name", "row_key").rows() == [
        ("patients", "P1"),
        ("pet_scans", "S1"),
        ("pet_scans", "S2"),
        ("timepoints", "T1"),
        ("lesion_reads", "T1|liver-s7"),
        ("treatments", "R1"),
        ("outcomes", "P1|progression|2017-01-01"),
    ]
    assert set(history.select("action", "operator", "batch_id").rows()) == {("insert", "tester", 1)}
    read = json.loads(history.filter(pl.col("table_name") == "lesion_reads")["after"].item())
    assert read == {
        "timepoint_id": "T1", "lesion_id": "liver-s7", "location": "liver", "sstr_suvmax": 20.5,
        "fdg_suvmax": 6.1, "sstr_avid": True, "fdg_avid": True, "fdg_vs_sstr": "similar", "sstr_krenning": None,
    }


def test_operator_defaults_to_netpet_user(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPET_USER", "site-7-manager")
    import_folder(registry, DATA / "valid")
    assert registry.query("select distinct operator from change_log")["operator"].to_list() == [
        "site-7-manager"
    ]


def test_reimport_same_files_adds_no_rows_and_no_batch(loaded: Registry) -> None:
    before = snapshot(loaded)
    summary = import_folder(loaded, DATA / "valid")
    assert summary["inserted"].sum() == 0
    assert summary["unchanged"].to_list() == summary["rows"].to_list()
    assert_same_tables(before, snapshot(loaded))


def test_update_replaces_a_changed_row_and_logs_before_and_after(loaded: Registry) -> None:
    summary = import_folder(loaded, DATA / "changed_existing_row", update=True, operator="bob")
    assert summary.select("updated", "unchanged").rows() == [(1, 0)]
    assert loaded.query("select who_grade from patients where patient_id = 'P1'").item() == "G3"
    change = loaded.query("select * from change_log where action = 'update'").row(0, named=True)
    assert (change["table_name"], change["row_key"], change["patient_id"], change["operator"]) == (
        "patients",
        "P1",
        "P1",
        "bob",
    )
    assert json.loads(change["before"])["who_grade"] == "G2"
    assert json.loads(change["after"])["who_grade"] == "G3"
    assert change["batch_id"] == loaded.query("select max(batch_id) from import_batches").item()


def test_derived_scores_follow_changed_lesion_reads(loaded: Registry, tmp_path: Path) -> None:
    # T1's only lesion becomes FDG-avid without SSTR uptake: a discordant lesion, so P5 (domain.md).
    (tmp_path / "lesion_reads.csv").write_text(
        "timepoint_id,lesion_id,location,sstr_avid,fdg_avid,fdg_vs_sstr,sstr_suvmax,fdg_suvmax\n"
        "T1,liver-s7,liver,false,true,,20.5,6.1\n"
    )
    assert loaded.query("select derived_score from derived_scores where timepoint_id = 'T1'").item() == 3
    import_folder(loaded, tmp_path, update=True)
    assert loaded.query("select derived_score from derived_scores where timepoint_id = 'T1'").item() == 5


def test_outcomes_alone_update_follow_up(loaded: Registry, tmp_path: Path) -> None:
    (tmp_path / "outcomes.csv").write_text("patient_id,outcome,outcome_date\nP1,last_contact,2019-05-01\n")
    summary = import_folder(loaded, tmp_path)
    assert summary.select("table", "inserted").rows() == [("outcomes", 1)]


def test_a_file_of_known_and_new_rows_inserts_only_the_new_ones(loaded: Registry, tmp_path: Path) -> None:
    known = (DATA / "valid" / "outcomes.csv").read_text()
    (tmp_path / "outcomes.csv").write_text(known + "P1,last_contact,2019-05-01,\n")
    summary = import_folder(loaded, tmp_path)
    assert summary.select("inserted", "unchanged").rows() == [(1, 2)]
    assert loaded.query("select count(*) from outcomes").item() == 3


def test_children_may_refer_to_parents_in_the_same_import(registry: Registry, tmp_path: Path) -> None:
    for name in ("patients.csv", "pet_scans.csv", "timepoints.csv"):
        (tmp_path / name).write_bytes((DATA / "valid" / name).read_bytes())
    assert import_folder(registry, tmp_path)["inserted"].to_list() == [2, 4, 2]


def test_failed_import_leaves_registry_unchanged(loaded: Registry, tmp_path: Path) -> None:
    # patients.csv alone is valid; the bad scan file must keep it out too.
    (tmp_path / "patients.csv").write_text("patient_id,diagnosis_date,primary_site\nP7,2020-01-01,lung\n")
    (tmp_path / "pet_scans.csv").write_text("scan_id,patient_id,tracer,scan_date\nS7,P7,fdg,2019-12-01x\n")
    before = snapshot(loaded)
    with pytest.raises(Exception, match="1 problem"):
        import_folder(loaded, tmp_path)
    assert_same_tables(before, snapshot(loaded))


def test_folder_without_table_files_is_an_ingest_error(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a table")
    with pytest.raises(IngestError, match="holds no table files"):
        import_folder(registry, tmp_path)


def test_progress_callback_reports_each_step(registry: Registry) -> None:
    steps: list[tuple[str, int, int]] = []
    import_folder(
        registry, DATA / "valid", progress=lambda step, done, total: steps.append((step, done, total))
    )
    assert [s for s in steps if s[0] == "write"][-1] == ("write", 6, 6)
    assert ("validate", 1, 1) in steps


def test_cli_import_prints_summary(registries) -> None:
    result = CliRunner().invoke(
        cli, ["import", str(DATA / "valid"), "--db", registries.copy(), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "file,table,rows,inserted,updated,unchanged",
        "patients.csv,patients,2,2,0,0",
    ]


def test_cli_import_failure_prints_every_problem_and_exits_1(registries) -> None:
    registry_path = registries.copy()
    result = CliRunner().invoke(cli, ["import", str(DATA / "fractional_cycles"), "--db", registry_path])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "treatments.csv:2:cycles: '2.5' is not a whole number",
        "treatments.csv:2:patient_id: unknown patient_id P1: not in the registry or in this import",
        "treatments.csv:3:cycles: 0 is out of range: must be >= 1",
        "treatments.csv:3:patient_id: unknown patient_id P1: not in the registry or in this import",
        "4 problem(s); nothing was imported",
    ]
    with Registry.open(registry_path) as reg:
        assert reg.query("select count(*) from treatments").item() == 0


def test_update_that_breaks_registry_rows_blames_the_imported_row(loaded: Registry, tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text(
        "patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent\n"
        "P1,A,female,2016-01-05,2015-03-01,pancreas,G2,5.5\n"
    )
    before = snapshot(loaded)
    with pytest.raises(ValidationError) as caught:
        import_folder(loaded, tmp_path, update=True)
    assert format_issues(caught.value.issues) == [
        "patients.csv:2:birth_date: birth_date is after the scan_date of scan S1",
        "patients.csv:2:diagnosis_date: diagnosis_date is before birth_date",
    ]
    assert_same_tables(before, snapshot(loaded))


def test_cli_update_replaces_changed_rows(registries) -> None:
    args = ["import", str(DATA / "changed_existing_row"), "--db", registries.copy(load_valid), "--format", "json"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "re-run with --update" in refused.stderr
    result = CliRunner().invoke(cli, [*args, "--update"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"file": "patients.csv", "table": "patients", "rows": 1, "inserted": 0, "updated": 1, "unchanged": 0}
    ]


def test_import_restores_the_connection_memory_limit(registry: Registry) -> None:
    before = registry.query("select current_setting('memory_limit') as m").item()
    import_folder(registry, DATA / "valid")
    assert registry.query("select current_setting('memory_limit') as m").item() == before


def test_each_registry_spills_to_a_folder_of_its_own_removed_on_close(tmp_path: Path) -> None:
    # DuckDB's default spill folder for the in-memory session is ./.tmp, shared by every process started in the
    # same folder: two 1M-patient imports spilling at once broke each other's blocks inside DuckDB.
    Registry.create(tmp_path / "a.duckdb").close()
    with Registry.open(tmp_path / "a.duckdb") as a, Registry.create(tmp_path / "b.duckdb") as b:
        folders = [Path(r.query("select current_setting('temp_directory') as d").item()) for r in (a, b)]
        a.con.execute("set memory_limit = '64MB'")
        a.con.execute("create temp table big as select repeat('x', 40) || i::varchar as s from range(2500000) t(i)")
        assert folders[0].is_dir()
        assert folders[0].parent == tmp_path
    assert folders[0] != folders[1]
    assert all(f.name != ".tmp" for f in folders)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.duckdb", "b.duckdb"]
