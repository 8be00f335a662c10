"""Settings from the command line (kept in the change history) and the data dictionary of the views."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry, RegistryError
from netpet.registry.dictionary import MEANINGS, data_dictionary_markdown, documented_relations, view_columns
from netpet.registry.settings import DEFAULT_SETTINGS, setting_changes

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def test_a_setting_change_is_checked_stored_and_logged(registry: Registry) -> None:
    registry.set_setting("pairing_window_days", "60", command="config set")
    registry.set_setting("score_source", "recorded")
    assert registry.setting("pairing_window_days") == "60"
    changes = setting_changes(registry)
    assert changes.select("command", "name", "old_value", "new_value").rows() == [
        ("config set", "pairing_window_days", "31", "60"),
        ("set_setting", "score_source", "auto", "recorded"),
    ]
    for name, value in (("min_cell_count", "0"), ("score_source", "latest"), ("pairing_window_days", "3.5")):
        with pytest.raises(RegistryError, match=f"setting {name} takes"):
            registry.set_setting(name, value)
    assert setting_changes(registry).height == 2
    assert registry.setting("min_cell_count") == "5"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An empty registry file made by `netpet init`."""
    path = str(tmp_path / "r.duckdb")
    assert CliRunner().invoke(cli, ["--db", path, "init"]).exit_code == 0
    return path


def test_config_commands_list_get_set_and_history(db: str) -> None:
    runner = CliRunner()
    listed = pl.read_csv(runner.invoke(cli, ["--db", db, "config", "list", "--format", "csv"]).output.encode())
    assert listed["name"].to_list() == sorted(DEFAULT_SETTINGS)
    assert listed["value"].cast(pl.String).to_list() == [DEFAULT_SETTINGS[n] for n in sorted(DEFAULT_SETTINGS)]
    assert listed["meaning"].str.len_chars().min() > 20
    done = runner.invoke(cli, ["--db", db, "config", "set", "min_cell_count", "10"])
    assert done.exit_code == 0, done.output
    assert "min_cell_count: 5 -> 10" in done.output
    assert runner.invoke(cli, ["--db", db, "config", "get", "min_cell_count"]).output.strip() == "10"
    refused = runner.invoke(cli, ["--db", db, "config", "set", "pairing_window", "10"])
    assert refused.exit_code == 1
    assert "unknown setting 'pairing_window'" in refused.output
    history = runner.invoke(cli, ["--db", db, "config", "history", "--format", "csv"]).output
    assert pl.read_csv(history.encode()).select("command", "name", "old_value", "new_value").rows() == [
        ("config set", "min_cell_count", 5, 10)
    ]


def test_import_window_days_pairs_scans_further_apart_for_that_import_only(db: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", str(DATA / "valid")]).exit_code == 0
    refused = runner.invoke(cli, ["--db", db, "import", str(DATA / "pairing_window")])
    assert refused.exit_code == 1
    assert "scans S8 and S9 are 32 days apart; the pairing window is 31 days" in refused.output
    done = runner.invoke(cli, ["--db", db, "import", str(DATA / "pairing_window"), "--window-days", "32"])
    assert done.exit_code == 0, done.output
    with Registry.open(db, read_only=True) as reg:
        assert reg.query("select timepoint_id from timepoints where timepoint_id = 'T9'").height == 1
        assert reg.setting("pairing_window_days") == "31"


def test_every_view_column_has_a_meaning_and_levels_follow_the_data(registry: Registry) -> None:
    for name in documented_relations(registry):
        columns = view_columns(registry, name)
        missing = columns.filter(pl.col("meaning").is_null())["column"].to_list()
        assert not missing, (name, missing)
    survival = view_columns(registry, "patient_survival")
    assert dict(survival.select("column", "levels").iter_rows())["netpet_group"] == "P0, P1, P2-4, P5"
    assert dict(survival.select("column", "unit").iter_rows())["os_days"] == "days"
    assert set(MEANINGS) >= set(survival["column"])


def test_the_data_dictionary_in_docs_is_current(tmp_path: Path) -> None:
    with Registry.create(tmp_path / "r.duckdb") as reg:
        expected = data_dictionary_markdown(reg) + "\n"
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == expected, (
        "regenerate it: netpet --db <registry> views --format md --out docs/data-dictionary.md"
    )


def test_views_name_lists_columns_and_md_writes_the_dictionary(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", db, "views", "timepoint_scores", "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    rows = {r["column"]: r for r in pl.read_csv(shown.output.encode()).to_dicts()}
    for score in ("recorded_score", "derived_score", "score", "netpet_score"):
        assert rows[score]["meaning"], score
    assert rows["score"]["type"] == "smallint"
    unknown = runner.invoke(cli, ["--db", db, "views", "patient_surviving"])
    assert unknown.exit_code == 1
    assert "no view named 'patient_surviving'" in unknown.output
    out = tmp_path / "dictionary.md"
    assert runner.invoke(cli, ["--db", db, "views", "--format", "md", "--out", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Data dictionary")
    assert "## patient_survival" in text
    assert "| os_event | boolean |  |  | Overall survival event: true = died, false = censored. |" in text


def test_query_describes_a_view(db: str) -> None:
    runner = CliRunner()
    described = runner.invoke(cli, ["--db", db, "query", "describe patient_survival", "--format", "csv"])
    assert described.exit_code == 0, described.output
    columns = pl.read_csv(described.output.encode())
    assert columns["column_name"].to_list()[:2] == ["patient_id", "site"]
    refused = runner.invoke(cli, ["--db", db, "query", "drop view patient_survival"])
    assert refused.exit_code == 1


def test_views_prints_each_description_whole(db: str) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["--db", db, "views"])
    assert listed.exit_code == 0, listed.output
    assert "…" not in listed.output
    with Registry.open(db, read_only=True) as reg:
        comment = reg.query_file("queries", "registry_views", {"is_postgres": False})
    for text in comment["comment"].to_list():
        assert text in listed.output
