"""`netpet demo` builds the calibrated demo registry through the importer and writes a first summary."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.studies.frames import survival_frame
from netpet.analysis.survival.km import km_summary
from netpet.cli import cli
from netpet.registry import Registry

# Chan et al., Br J Cancer 2023;128:549-555: median OS and TTP (months) by NETPET group.
PUBLISHED_OS = {"P1": 101.8, "P2-4": 46.5, "P5": 11.5}
PUBLISHED_TTP = {"P1": 25.5, "P2-4": 16.7, "P5": 6.6}


@pytest.mark.parametrize(("endpoint", "published"), [("os", PUBLISHED_OS), ("ttp", PUBLISHED_TTP)])
def test_demo_medians_within_15_percent_of_published(demo_registry: Path, endpoint: str, published: dict) -> None:
    with Registry.open(demo_registry, read_only=True) as reg:
        data = survival_frame(reg, endpoint=endpoint, by="netpet_group", time_unit="months")
    medians = dict(km_summary(data.frame).select("group", "median").iter_rows())
    for group, target in published.items():
        assert medians[group] == pytest.approx(target, rel=0.15), (endpoint, group)


def test_demo_registry_holds_every_table_and_changing_scores(demo_registry: Path) -> None:
    with Registry.open(demo_registry, read_only=True) as reg:
        counts = reg.row_counts()
        changed = reg.query(
            "select count(distinct patient_id) as n from timepoint_scores t1 "
            "join timepoint_scores t2 using (patient_id) "
            "where t2.timepoint_number = t1.timepoint_number + 1 and t2.score <> t1.score"
        )["n"][0]
    assert counts["patients"] == 1000
    for table in ("pet_scans", "timepoints", "lesion_reads", "treatments", "outcomes", "derived_scores"):
        assert counts[table] > 0, table
    assert changed > 50


def test_demo_command_writes_registry_and_summary(registries, tmp_path: Path) -> None:
    db, out = registries.empty(), tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "demo", "--out", str(out), "--patients", "200", "--format", "csv"])
    assert result.exit_code == 0, result.output
    medians = pl.read_csv(out / "km_by_netpet_group_medians.csv")
    assert medians["group"].to_list() == ["P1", "P2-4", "P5"]
    assert medians["n"].sum() <= 200
    for name in ("km_by_netpet_group.png", "km_by_netpet_group.pdf", "km_by_netpet_group_table.csv"):
        assert (out / name).stat().st_size > 0
    assert (out / "data" / "patients.parquet").exists()
    with Registry.open(db, read_only=True) as reg:
        assert reg.row_counts()["patients"] == 200
    again = runner.invoke(cli, ["--db", db, "demo", "--out", str(out), "--patients", "200"])
    assert again.exit_code == 1
    assert ("--replace" if registries.backend == "duckdb" else "already holds a registry") in again.output


@pytest.mark.postgres
def test_demo_replace_on_postgresql_says_to_recreate_the_database(postgres_server, tmp_path: Path) -> None:
    from netpet.registry import RegistryError
    from netpet.registry.demo import build_demo_registry

    with pytest.raises(RegistryError, match="on PostgreSQL drop and re-create the database"):
        build_demo_registry(postgres_server.new_database(), tmp_path / "data", patients=5, replace=True)
    assert not (tmp_path / "data").exists()
