"""`--shareable` on the analysis commands (report, km, cox, validate): no hidden count can be worked out.

The demo registry at 40, 200 and 1,000 patients is run through each command with `--shareable` (threshold 5)
and with `--min-cell 1` (nothing hidden: the true counts). Every count table the outputs publish is read back
as written, its linear relations are stated here from what the files show (Table 1's rows and columns add up
to the Overall column and the `n` row; the cohort flow's exclusions and remaining add up to the step before;
levels add up to the scheme; events never exceed patients), and `tests/disclosure_checker.py` solves every
hidden cell's range by integer programming: none may be determined, and a small count's range must reach 0
or the threshold. No published count is from 1 to 4.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from tests.disclosure_checker import SIZES, Published, count, demo_of_size

THRESHOLD = 5
HIDDEN = "*"


@pytest.fixture(scope="module", params=SIZES)
def outputs(request: pytest.FixtureRequest, demo_registry: Path, tmp_path_factory: pytest.TempPathFactory):
    """Per threshold (5 and 1): the report and validation folders and the km and cox JSON of one demo size."""
    folder = tmp_path_factory.mktemp(f"shareable{request.param}")
    path = demo_of_size(request.param, demo_registry, folder)
    out = {}
    for threshold in (THRESHOLD, 1):
        option = ["--min-cell", str(threshold)]
        report, validation = folder / f"report{threshold}", folder / f"validation{threshold}"
        run(path, "report", "--out", str(report), "--format", "png", *option)
        printed = run(path, "validate", "--out", str(validation), "--bootstrap", "0", "--format", "json", *option)
        out[threshold] = {
            "report": report, "validation": validation, "validate": json.loads(printed),
            "km": json.loads(run(path, "km", "--by", "primary_site", "--format", "json", *option)),
            "cox": json.loads(run(path, "cox", "--covariates", "who_grade", "--format", "json", *option)),
        }
    return out


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def text(value: object) -> str:
    """A published count as the checker reads it: `*` for a hidden (null) count."""
    return HIDDEN if value is None or value == "" else str(value)


def attack(shown: dict[str, str], truth: dict[str, str], lines: list[tuple[list[str], str]],
           at_most: list[tuple[str, str]] = ()) -> None:
    """Solve every hidden entry's range from the shown entries and the relations; assert none is given away."""
    published = Published()
    index = {name: published.add(name, shown[name]) for name in shown}
    for members, total in lines:
        published.equalities.append({**{index[m]: 1.0 for m in members}, index[total]: -1.0})
    published.at_most += [(index[a], index[b]) for a, b in at_most]
    for name, value in shown.items():
        if value != HIDDEN:
            assert not 0 < count(value) < THRESHOLD, f"{name} shows the small count {value}"
    for name, (low, high) in published.ranges().items():
        actual = count(truth[name])
        assert low < high, f"{name} is determined ({low}); it is {actual}"
        assert low <= actual <= high, name
        if 0 < actual < THRESHOLD:
            assert low == 0 or high >= THRESHOLD, f"small {name} confined to [{low}, {high}]"


def csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def table_one_blocks(table: pl.DataFrame) -> dict[str, list[dict]]:
    """Table 1's count rows by variable (level rows and Missing; no header or median rows)."""
    blocks: dict[str, list[dict]] = {}
    for row in table.iter_rows(named=True):
        if row["level"] and row["level"] != "Median [IQR]":
            blocks.setdefault(row["variable"], []).append(row)
    return blocks


def table_one_relations(table: pl.DataFrame) -> tuple[dict[str, str], list, list]:
    """Table 1 as entries and relations: per variable, levels and Missing add up to the `n` row (categorical),
    or Missing adds up across groups to Overall and is at most the group's n (continuous)."""
    columns = [c for c in table.columns if c not in ("variable", "level", "p", "test")]
    groups = [c for c in columns if c != "Overall"]
    sizes = table.row(0, named=True)
    entries = {f"n/{c}": text(sizes[c]) for c in columns}
    lines: list = [([f"n/{g}" for g in groups], "n/Overall")]
    at_most: list = []
    for variable, rows in table_one_blocks(table).items():
        names = {(r["level"], c): f"{variable}/{r['level']}/{c}" for r in rows for c in columns}
        entries |= {names[r["level"], c]: text(r[c]) for r in rows for c in columns}
        levels = [r["level"] for r in rows]
        lines += [([names[level, g] for g in groups], names[level, "Overall"]) for level in levels]
        if levels == ["Missing"]:  # a continuous variable's Missing row
            at_most += [(names["Missing", c], f"n/{c}") for c in columns]
        else:
            lines += [([names[level, c] for level in levels], f"n/{c}") for c in columns]
    return entries, lines, at_most


def test_report_table_one_gives_no_hidden_count_away(outputs) -> None:
    shown, lines, at_most = table_one_relations(csv(outputs[THRESHOLD]["report"] / "table_one.csv"))
    truth, _, _ = table_one_relations(csv(outputs[1]["report"] / "table_one.csv"))
    attack(shown, truth, lines, at_most)


def test_report_table_one_shows_a_percentage_only_beside_a_shown_count_and_denominator(outputs) -> None:
    table = csv(outputs[THRESHOLD]["report"] / "table_one.csv")
    sizes = table.row(0, named=True)
    percentages = 0
    for rows in table_one_blocks(table).values():
        missing = next((r for r in rows if r["level"] == "Missing"), None)
        for row in rows:
            for column in [c for c in table.columns if c not in ("variable", "level", "p", "test")]:
                if "(" in (row[column] or ""):
                    percentages += 1
                    assert sizes[column] != HIDDEN, (row, column)
                    assert missing is None or missing[column] != HIDDEN, (row, column)
    assert percentages  # the shareable table still shows percentages where they are safe


def flow_relations(flow: pl.DataFrame) -> tuple[dict[str, str], list]:
    """The cohort flow: at each step, the exclusions and the patients remaining add up to the step before."""
    entries, lines, previous = {}, [], None
    for step, rows in flow.group_by("step", maintain_order=True):
        name = f"remaining/{step[0]}"
        entries[name] = text(rows["remaining"][0])
        excluded = [f"excluded/{step[0]}/{k}" for k in range(rows.height)]
        entries |= {e: text(v) for e, v in zip(excluded, rows["excluded"].to_list(), strict=True)}
        if previous is not None:
            lines.append(([*excluded, name], previous))
        previous = name
    return entries, lines


def test_report_cohort_flow_gives_no_hidden_count_away(outputs) -> None:
    shown, lines = flow_relations(csv(outputs[THRESHOLD]["report"] / "cohort_flow.csv"))
    truth, _ = flow_relations(csv(outputs[1]["report"] / "cohort_flow.csv"))
    attack(shown, truth, lines)


def summary_relations(rows: list[dict], total_n: object = None, total_events: object = None,
                      prefix: str = "") -> tuple[dict[str, str], list, list]:
    """Groups' n and events: events at most n; with totals, each column adds up to its total."""
    entries = {f"{prefix}{r['group']}/{c}": text(r[c]) for r in rows for c in ("n", "events")}
    at_most = [(f"{prefix}{r['group']}/events", f"{prefix}{r['group']}/n") for r in rows]
    lines = []
    for column, total in (("n", total_n), ("events", total_events)):
        if total is not None:
            entries[f"{prefix}total/{column}"] = text(total)
            lines.append(([f"{prefix}{r['group']}/{column}" for r in rows], f"{prefix}total/{column}"))
    return entries, lines, at_most


def test_report_medians_and_key_numbers_give_no_hidden_count_away(outputs) -> None:
    def relations(threshold: int):
        folder = outputs[threshold]["report"]
        numbers = json.loads((folder / "manifest.json").read_text())["numbers"]
        return summary_relations(csv(folder / "km_medians.csv").to_dicts(), numbers["patients_analysed"],
                                 numbers["events"])

    shown, lines, at_most = relations(THRESHOLD)
    truth, _, _ = relations(1)
    attack(shown, truth, lines, at_most)


def test_report_leaves_out_row_level_files_and_records_the_threshold(outputs) -> None:
    folder = outputs[THRESHOLD]["report"]
    assert not (folder / "km_curves.csv").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["shareable"], manifest["min_cell"]) == (True, THRESHOLD)
    landmarks = csv(folder / "km_landmarks.csv")
    for row in landmarks.iter_rows(named=True):
        assert (row["n_event"], row["n_censor"]) == (None, None)
        if row["n_risk"] is None or int(row["n_risk"]) < THRESHOLD:
            assert row["surv"] is None, row
    assert "km_curves.csv" in (folder / "report.md").read_text()  # it says what it left out


def test_km_json_keeps_its_keys_with_suppressed_counts_null(outputs) -> None:
    shown, truth = outputs[THRESHOLD]["km"], outputs[1]["km"]
    assert set(shown) == set(truth) | {"min_cell"}
    assert shown["min_cell"] == THRESHOLD
    for group in shown["groups"]:
        assert set(group) - {"suppressed"} == set(truth["groups"][0]) - {"suppressed"}
        for row in group["table"]:  # the grid, never a row per event time
            assert row["n_risk"] is None or row["n_risk"] >= THRESHOLD
            assert row["n_event"] is None
    entries, lines, at_most = summary_relations(shown["groups"])
    attack(entries, summary_relations(truth["groups"])[0], lines, at_most)
    for reason, n in shown["excluded"].items():
        assert n is None or not 0 < n < THRESHOLD, reason


def test_cox_json_hides_small_counts(outputs) -> None:
    shown, truth = outputs[THRESHOLD]["cox"], outputs[1]["cox"]
    assert shown["min_cell"] == THRESHOLD
    assert shown["terms"] == truth["terms"]
    rows = [{"group": "model", "n": shown["n"], "events": shown["events"]}]
    entries, _, at_most = summary_relations(rows)
    attack(entries, summary_relations([{"group": "model", "n": truth["n"], "events": truth["events"]}])[0],
           [], at_most)
    censored = truth["n"] - truth["events"]
    if 0 < censored < THRESHOLD:
        assert shown["events"] is None or shown["n"] is None
    for reason, n in shown["excluded"].items():
        assert n is None or not 0 < n < THRESHOLD, reason


def validation_relations(folder: Path) -> tuple[dict[str, str], list, list]:
    """Per scheme, its levels' n and events add up to the scheme's; the exclusions and the patients analysed
    add up to the registry's patients where validation.md says so."""
    schemes = csv(folder / "schemes.csv")
    medians = csv(folder / "medians.csv")
    entries, lines, at_most = {}, [], []
    for scheme in schemes.iter_rows(named=True):
        rows = [{**r, "group": r["level"]} for r in medians.filter(pl.col("scheme") == scheme["scheme"]).to_dicts()]
        more = summary_relations(rows, scheme["n"], scheme["events"], prefix=f"{scheme['scheme']}/")
        entries |= more[0]
        lines += more[1]
        at_most += more[2]
    return entries, lines, at_most


def test_validation_gives_no_hidden_count_away(outputs) -> None:
    shown, lines, at_most = validation_relations(outputs[THRESHOLD]["validation"])
    truth, _, _ = validation_relations(outputs[1]["validation"])
    attack(shown, truth, lines, at_most)
    folder = outputs[THRESHOLD]["validation"]
    assert not (folder / "km_curves.csv").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["shareable"], manifest["min_cell"]) == (True, THRESHOLD)
    medians = {(r["scheme"], r["level"]): r["n"] for r in csv(folder / "medians.csv").iter_rows(named=True)}
    for row in csv(folder / "calibration.csv").iter_rows(named=True):
        assert row["n"] == medians[row["scheme"], row["level"]]  # the same sizes, hidden alike
    printed = outputs[THRESHOLD]["validate"]
    assert printed["min_cell"] == THRESHOLD
    assert set(printed) == set(outputs[1]["validate"])
    schemes = csv(folder / "schemes.csv")
    assert [text(s["n"]) for s in printed["schemes"]] == [text(v) for v in schemes["n"].to_list()]


def test_validation_exclusions_and_analysed_add_up_without_giving_a_count_away(outputs) -> None:
    def relations(threshold: int) -> tuple[dict[str, str], list]:
        folder = outputs[threshold]["validation"]
        numbers = json.loads((folder / "manifest.json").read_text())["numbers"]
        registry = json.loads((folder / "manifest.json").read_text())["registry"]["fingerprint"]["patients"]
        entries = {f"excluded/{k}": text(v) for k, v in numbers["excluded"].items()}
        entries |= {"analysed": text(csv(folder / "schemes.csv")["n"][0]), "registry": str(registry)}
        return entries, [([*(e for e in entries if e.startswith("excluded/")), "analysed"], "registry")]

    shown, lines = relations(THRESHOLD)
    truth, _ = relations(1)
    if sum(count(v) for k, v in truth.items() if k != "registry") != count(truth["registry"]):
        pytest.skip("the exclusions do not add up to the registry here: validation.md states no such line")
    attack(shown, truth, lines)


def test_without_the_switch_small_counts_show(outputs) -> None:
    flow = csv(outputs[1]["report"] / "cohort_flow.csv")
    table = csv(outputs[1]["report"] / "table_one.csv")
    blocks = table_one_blocks(table)
    cells = [r[c] for rows in blocks.values() for r in rows for c in table.columns[2:-2]]
    assert any(0 < count(v) < THRESHOLD for v in cells) or any(0 < int(v) < THRESHOLD for v in flow["excluded"])


def test_shareable_km_csv_gives_the_curves_on_a_grid(demo_registry: Path) -> None:
    shown = run(demo_registry, "km", "--format", "csv", "--at", "12,24,36", "--shareable")
    frame = pl.read_csv(io.StringIO(shown))
    assert sorted(frame["time"].unique().to_list()) == [12.0, 24.0, 36.0]
    assert frame["n_event"].null_count() == frame.height
    assert all(n is None or n >= THRESHOLD for n in frame["n_risk"].to_list())


def test_a_cohort_reports_flow_km_and_table_one_hide_the_patients_analysed_alike(tmp_path: Path) -> None:
    """The flow's last box, the KM groups' total and Table 1's n are one number: no table may show what another
    hides, so the three are attacked together (a cohort of 10 patients, one excluded at its last criterion)."""
    path = demo_of_size(40, tmp_path / "unused.duckdb", tmp_path)
    run(path, "cohort", "build", str(Path(__file__).parents[1] / "cohorts/examples/pancreatic.yaml"),
        "--name", "pancreatic")

    def relations(threshold: int) -> tuple[dict[str, str], list, list]:
        folder = tmp_path / f"report{threshold}"
        run(path, "report", "--out", str(folder), "--cohort", "pancreatic", "--covariates", "", "--format", "png",
            "--min-cell", str(threshold))
        entries, lines = flow_relations(csv(folder / "cohort_flow.csv"))
        analysed = f"remaining/{max(int(s) for s in csv(folder / 'cohort_flow.csv')['step'])}"
        km, km_lines, at_most = summary_relations(csv(folder / "km_medians.csv").to_dicts(), prefix="km/")
        table, table_lines, table_at_most = table_one_relations(csv(folder / "table_one.csv"))
        entries |= km | table | {"km/total": text(json.loads((folder / "manifest.json").read_text())[
            "numbers"]["patients_analysed"])}
        lines += [*km_lines, *table_lines, ([k for k in km if k.endswith("/n")], analysed),
                  (["km/total"], analysed), (["n/Overall"], analysed)]
        return entries, lines, at_most + table_at_most

    shown, lines, at_most = relations(THRESHOLD)
    truth, _, _ = relations(1)
    attack(shown, truth, lines, at_most)
