"""Every way in (CSV folder, Parquet folder, Excel workbook, REDCap export) gives the same registry."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.demo import write_demo_files
from netpet.registry.ingest import import_folder
from netpet.registry.interchange import write_interchange
from netpet.registry.redcap import data_dictionary, import_redcap
from netpet.registry.sources import import_source
from tests.source_fixtures import DICTIONARY, registry_tables, write_redcap_export, write_workbook

DERIVED = "select * exclude (batch_id) from derived_scores order by all"


def _content(reg: Registry) -> dict[str, pl.DataFrame]:
    """The clinical tables, the derived scores and the survival rows analyses read."""
    tables = registry_tables(reg)
    tables["derived_scores"] = reg.query("select * from derived_scores order by all")
    tables["patient_survival"] = reg.query("select * from patient_survival order by all")
    return tables


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pl.DataFrame]]:
    """A 40-patient demo site imported from CSV: its folder and the registry content it gives."""
    folder = tmp_path_factory.mktemp("site")
    write_demo_files(folder / "csv", patients=40, seed=7, fmt="csv")
    with Registry.create(folder / "csv.duckdb") as reg:
        import_folder(reg, folder / "csv")
        content = _content(reg)
        write_interchange(reg, folder / "parquet", fmt="parquet")
        tables = registry_tables(reg)
    write_workbook(tables, folder / "site.xlsx")
    write_redcap_export(tables, folder / "export.csv")
    return folder, content


@pytest.mark.parametrize(("source", "kind"), [("parquet", "auto"), ("site.xlsx", "auto"), ("export.csv", "redcap")])
def test_each_way_in_gives_the_registry_the_csv_folder_gives(
    site: tuple[Path, dict[str, pl.DataFrame]], tmp_path: Path, source: str, kind: str
) -> None:
    folder, expected = site
    with Registry.create(tmp_path / "r.duckdb") as reg:
        summary = import_source(reg, folder / source, source=kind)
        assert summary["inserted"].sum() == sum(expected[t].height for t in summary["table"])
        content = _content(reg)
    for name, frame in expected.items():
        assert content[name].equals(frame), name


def test_demo_registry_round_trips_through_a_redcap_export(demo_registry: Path, tmp_path: Path) -> None:
    with Registry.open(demo_registry, read_only=True) as reg:
        expected = _content(reg)
    write_redcap_export({k: v for k, v in expected.items() if k in DICTIONARY_TABLES}, tmp_path / "export.csv")
    with Registry.create(tmp_path / "r.duckdb") as reg:
        import_redcap(reg, tmp_path / "export.csv")
        content = _content(reg)
    assert {k: v.height for k, v in content.items()} == {k: v.height for k, v in expected.items()}
    for name, frame in expected.items():
        assert content[name].equals(frame), name


def test_an_export_from_before_the_krenning_field_still_imports(
    site: tuple[Path, dict[str, pl.DataFrame]], tmp_path: Path
) -> None:
    """A project built before sstr_krenning joined the dictionary exports without it: its reads get none."""
    folder, expected = site
    with (folder / "export.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("sstr_krenning")
    with (tmp_path / "old.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([r[:drop] + r[drop + 1:] for r in rows])
    with Registry.create(tmp_path / "r.duckdb") as reg:
        import_redcap(reg, tmp_path / "old.csv")
        content = _content(reg)
    assert expected["lesion_reads"]["sstr_krenning"].null_count() == 0
    assert content["lesion_reads"].equals(expected["lesion_reads"].with_columns(pl.lit(None, pl.Int16)
                                                                                .alias("sstr_krenning")))
    assert content["patient_survival"].equals(expected["patient_survival"])


DICTIONARY_TABLES = ("patients", "pet_scans", "timepoints", "lesion_reads", "treatments", "outcomes")


def test_shipped_dictionary_is_the_one_the_importer_reads() -> None:
    assert DICTIONARY.read_text(encoding="utf-8") == data_dictionary(), (
        "regenerate: python -c 'from netpet.registry.redcap import data_dictionary; "
        "print(data_dictionary(), end=\"\")' > redcap/netpet_data_dictionary.csv"
    )


def test_cli_imports_a_workbook_and_a_redcap_export(site: tuple[Path, dict[str, pl.DataFrame]], tmp_path: Path) -> None:
    folder, _ = site
    for name, args in (("a", [str(folder / "site.xlsx")]), ("b", [str(folder / "export.csv"), "--from", "redcap"])):
        db = str(tmp_path / f"{name}.duckdb")
        assert CliRunner().invoke(cli, ["--db", db, "init"]).exit_code == 0
        result = CliRunner().invoke(cli, ["--db", db, "import", *args, "--format", "csv"])
        assert result.exit_code == 0, result.output
        assert "patients,40,40,0,0" in result.output


def test_a_single_csv_file_is_refused_with_the_ways_to_import_it(tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text("patient_id\n")
    db = str(tmp_path / "r.duckdb")
    assert CliRunner().invoke(cli, ["--db", db, "init"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--db", db, "import", str(tmp_path / "patients.csv")])
    assert result.exit_code == 1
    assert "patients.csv is one file: put table files in a folder" in result.output
    assert "--from redcap" in result.output


def test_workbook_and_export_import_on_each_backend(registry: Registry, tmp_path: Path) -> None:
    """The staged frames reach DuckDB's temp tables on PostgreSQL registries too."""
    from tests.malformed_sources import example_tables

    tables = example_tables()
    write_workbook(tables, tmp_path / "site.xlsx")
    write_redcap_export(tables, tmp_path / "export.csv")
    first = import_source(registry, tmp_path / "site.xlsx")
    again = import_source(registry, tmp_path / "export.csv", source="redcap")
    assert first["inserted"].to_list() == [t.height for t in tables.values()]
    assert again["unchanged"].to_list() == first["inserted"].to_list()
    assert again["inserted"].sum() == 0


def test_date_format_option_reads_day_first_dates(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "patients.csv").write_text(
        "patient_id,diagnosis_date,primary_site\nQ1,03/04/2021,pancreas\nQ2,2020-12-31,lung\n", encoding="utf-8"
    )
    db = str(tmp_path / "r.duckdb")
    assert CliRunner().invoke(cli, ["--db", db, "init"]).exit_code == 0
    refused = CliRunner().invoke(cli, ["--db", db, "import", str(folder)])
    assert refused.exit_code == 1
    assert "or import with --date-format %d/%m/%Y" in refused.output
    result = CliRunner().invoke(cli, ["--db", db, "import", str(folder), "--date-format", "%d/%m/%Y"])
    assert result.exit_code == 0, result.output
    with Registry.open(db, read_only=True) as reg:
        dates = reg.query("select patient_id, diagnosis_date::varchar from patients order by 1").rows()
    assert dates == [("Q1", "2021-04-03"), ("Q2", "2020-12-31")]


def test_a_date_format_duckdb_cannot_read_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "r.duckdb")
    assert CliRunner().invoke(cli, ["--db", db, "init"]).exit_code == 0
    example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "site-folder"
    result = CliRunner().invoke(cli, ["--db", db, "import", str(example), "--date-format", "%Q"])
    assert result.exit_code == 1
    assert "--date-format '%Q' is not a date format; give one such as %d/%m/%Y" in result.output
