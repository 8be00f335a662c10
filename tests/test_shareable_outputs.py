"""`--shareable` / `--min-cell` on aggregate commands: small counts hidden, none recoverable, row-level refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from tests.disclosure_checker import count, grid


def transitions(db: Path, *options: str) -> pl.DataFrame:
    result = CliRunner().invoke(cli, ["--db", str(db), "transitions", "--format", "csv", *options])
    assert result.exit_code == 0, result.output
    return pl.read_csv(io.StringIO(result.output), infer_schema=False)


@pytest.mark.parametrize("options", [("--shareable",), ("--min-cell", "10")])
def test_shareable_transition_matrix_hides_small_counts_so_none_is_recoverable(demo_registry: Path, options) -> None:
    threshold = 10 if "--min-cell" in options else 5
    shown = transitions(demo_registry, "--table", "matrix", *options)
    truth = transitions(demo_registry, "--table", "matrix", "--min-cell", "1")
    assert shown.columns == truth.columns
    assert shown.columns[-1] == "Total"
    for column in shown.columns[1:]:
        assert all(v == "*" or count(v) == 0 or count(v) >= threshold for v in shown[column].to_list())
    rows = {r["from"]: r for r in truth.iter_rows(named=True)}
    for name, (low, high) in grid(shown, total_column="Total").ranges().items():
        group, column = name.split("/")
        actual = int(rows[group][column])
        assert low < high, (name, actual)
        if 0 < actual < threshold:
            assert low == 0 or high >= threshold, (name, low, high)
    raw = transitions(demo_registry, "--table", "matrix")
    assert any(0 < int(v) < 5 for c in raw.columns[1:] for v in raw[c].to_list())  # the default shows them


@pytest.mark.parametrize("table", ["pairs", "prrt-p5", "time-in-score", "discordance"])
def test_shareable_refuses_tables_it_cannot_suppress(demo_registry: Path, table: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(demo_registry), "transitions", "--table", table, "--shareable"])
    assert result.exit_code == 2
    assert "--table matrix only" in result.output


def km_tables(output: str) -> list[list[dict[str, str]]]:
    """The markdown tables of `netpet km`'s text output, as rows of named cells."""
    tables, lines = [], output.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("|") and k + 1 < len(lines) and lines[k + 1].startswith("|--"):
            header = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for body in lines[k + 2 :]:
                if not body.startswith("|"):
                    break
                rows.append(dict(zip(header, (c.strip() for c in body.strip("|").split("|")), strict=True)))
            tables.append(rows)
    return tables


def small_counts(output: str, threshold: int) -> list[tuple[str, str]]:
    counts = [(column, row[column]) for table in km_tables(output) for row in table
              for column in ("n", "events", "n_risk", "n_event") if column in row]
    excluded = next(line for line in output.splitlines() if line.startswith("Excluded patients:"))
    counts += [("excluded", part.rsplit(": ", 1)[1]) for part in excluded.split(": ", 1)[1].split(", ") if ": " in part]
    return [(c, v) for c, v in counts if v.isdigit() and 0 < int(v) < threshold]


def test_shareable_km_shows_no_small_count(demo_registry: Path) -> None:
    args = ["--db", str(demo_registry), "km", "--by", "primary_site", "--at", "12,60,120"]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 0, plain.output
    assert small_counts(plain.output, 5)  # without the switch, small counts show
    shared = CliRunner().invoke(cli, [*args, "--shareable"])
    assert shared.exit_code == 0, shared.output
    assert small_counts(shared.output, 5) == []
    for table in km_tables(shared.output):
        for row in table:
            if row.get("n_risk") == "*":
                assert (row["n_event"], row["surv"]) == ("*", "null"), row  # nor what it would give away
            if row.get("median") == "*":  # a group smaller than the threshold: its size hidden too
                assert row["n"] == "*", row


def test_shareable_km_json_hides_small_counts_and_keeps_its_keys(demo_registry: Path) -> None:
    args = ["--db", str(demo_registry), "km", "--by", "primary_site", "--format", "json"]
    plain = json.loads(CliRunner().invoke(cli, args).output)
    result = CliRunner().invoke(cli, [*args, "--min-cell", "20"])
    assert result.exit_code == 0, result.output
    shared = json.loads(result.output)
    assert set(shared) == {*plain, "min_cell"}
    assert any(0 < g["n"] < 20 for g in plain["groups"])
    assert all(g["n"] is None or g["n"] >= 20 for g in shared["groups"])
    assert all(row["n_event"] is None for g in shared["groups"] for row in g["table"])


def test_shareable_km_figure_stops_the_curves_and_hides_small_numbers_at_risk(demo_registry: Path) -> None:
    from netpet.analysis.outputs.km_style import KMStyle, styled_km_figure
    from netpet.analysis.studies.km_analysis import km_report
    from netpet.analysis.studies.selection import km_selection
    from netpet.registry import Registry

    with Registry.open(demo_registry, read_only=True) as reg:
        report = km_report(km_selection(reg, by="primary_site"), at=())
    table = report.fit.table

    def drawn(min_cell: int | None) -> tuple[list[str], dict[str, float]]:
        fig = styled_km_figure(report, KMStyle(), min_cell=min_cell)
        texts = [t.get_text() for ax in fig.axes for t in ax.texts if (t.get_gid() or "").startswith("at-risk:")]
        ends = {line.get_gid()[3:]: max(line.get_xdata()) for ax in fig.axes for line in ax.lines
                if (line.get_gid() or "").startswith("km:")}
        return texts, ends

    plain, _ = drawn(None)
    assert any(t.isdigit() and 0 < int(t) < 5 for t in plain)
    shown, ends = drawn(5)
    assert "*" in shown
    assert not any(t.isdigit() and 0 < int(t) < 5 for t in shown)
    for group, end in ends.items():
        at_risk = table.filter((pl.col("group") == group) & (pl.col("time") <= end))
        assert at_risk.is_empty() or at_risk["n_risk"].min() >= 5, group
