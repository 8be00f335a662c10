"""The audit report: tables stay suppressed, the HTML stands alone, `netpet audit` exits by severity."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest
import scipy.linalg
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.analysis.outputs.audit_report import audit_report, render_html, reverse_km_steps, write_audit
from netpet.analysis.outputs.audit_tables import FIELDS, completeness_index, completeness_tables, reverse_km_median
from netpet.analysis.vocabulary import TIME_UNITS
from netpet.cli import cli
from tests.audit_fixtures import (
    AS_OF,
    SITES,
    TRIPS,
    run_script,
    seed_clean,
    seed_cohort,
)


@pytest.fixture(scope="module")
def cohort_path(backend, registry_templates, tmp_path_factory):
    """A registry holding the three-site cohort (site C has 3 patients), once per module and backend."""
    return registry_templates.copy(backend, tmp_path_factory.mktemp("cohort"), seed_cohort)


@pytest.fixture(scope="module")
def cohort_report(cohort_path):
    from netpet.registry import Registry

    with Registry.open(cohort_path, read_only=True) as reg:
        return audit_report(reg, as_of=AS_OF)


def leading_counts(table: pl.DataFrame) -> list[int]:
    """Every count a text table shows: the integer that starts a cell (`12`, `12 (40%)`)."""
    values = []
    for column in table.columns[1:]:
        for text in table[column].to_list():
            match = re.fullmatch(r"(\d+)( \(.*\))?", str(text))
            if match:
                values.append(int(match.group(1)))
    return values


def test_reverse_km_median_matches_a_hand_computation():
    # Reverse KM, "event" = alive at last contact: S(1) = 4/5, S(2) = 0.8 * 3/4 = 0.6, the death at 3 is
    # censored, S(4) = 0.6 * 1/2 = 0.3 <= 0.5, so the median follow-up is 4.
    assert reverse_km_median([1, 2, 3, 4, 5], [False, False, True, False, False]) == 4.0
    assert reverse_km_median([5, 6], [True, True]) is None


def test_reverse_km_steps_equal_the_per_time_product_bit_for_bit():
    # The figure's curve, vectorised: the same factors 1 - censored / at risk multiplied in the same order as
    # a pass over each distinct time, so the PNG does not change; ties, deaths at censoring times, all dead.
    rng = np.random.default_rng(7)
    for n in (1, 5, 2000):
        days = rng.integers(0, 400, n)
        dead = rng.random(n) < 0.3
        t, event = days.astype(float) / TIME_UNITS["months"], ~dead
        xs, ys, surv = [0.0], [1.0], 1.0
        for u in np.unique(t[event]):
            surv *= 1 - np.sum((t == u) & event) / np.sum(t >= u)
            xs.append(float(u))
            ys.append(surv)
        assert reverse_km_steps(pl.DataFrame({"observed_days": days, "is_dead": dead})) == (xs, ys)
    assert reverse_km_steps(pl.DataFrame({"observed_days": [3, 4], "is_dead": [True, True]})) == ([0.0], [1.0])


def test_completeness_index_is_observed_over_potential_person_time():
    # Clark 2002: (10 + 20) observed of (20 + 20) potential days.
    assert completeness_index([10, 20], [20, 20]) == pytest.approx(0.75)


def test_no_table_shows_a_count_under_the_threshold(cohort_report):
    count_tables = [t for t in cohort_report.tables if t.name not in ("checks",)]
    assert len(count_tables) >= 7
    for table in count_tables:
        shown = leading_counts(table.frame)
        assert shown, table.name
        assert all(v == 0 or v >= 5 for v in shown), (table.name, table.frame)


def test_small_site_counts_are_suppressed_with_their_complements(cohort_report):
    by_site = {t.name: t.frame for t in cohort_report.tables}["completeness_by_site"]
    rows = {r["site"]: r for r in by_site.iter_rows(named=True)}
    assert SITES["C"] < 5
    assert rows["C"]["patients"] == "*"
    # The total and A's count are shown, so B's must be hidden or C = total - A - B.
    assert rows["Total"]["patients"] == str(sum(SITES.values()))
    assert rows["A"]["patients"] == str(SITES["A"])
    assert rows["B"]["patients"] == "*"


def test_check_table_hides_small_failing_counts(cohort_report):
    checks = {t.name: t.frame for t in cohort_report.tables}["checks"]
    for value in checks["patients"].to_list() + checks["failing_rows"].to_list():
        assert value == "<5" or int(value) == 0 or int(value) >= 5  # per-check counts do not add up: no complements


def test_report_without_ids_names_no_patient(cohort_report, cohort_path, tmp_path):
    page = render_html(cohort_report)
    assert not re.search(r"\bQ\d{3}\b", page)
    for table in cohort_report.tables:
        assert not re.search(r"\bQ\d{3}\b", table.frame.write_csv()), table.name


def test_include_ids_adds_the_failing_rows_to_the_report(cohort_path, tmp_path):
    from netpet.registry import Registry

    with Registry.open(cohort_path, read_only=True) as reg:
        report = audit_report(reg, as_of=AS_OF, include_ids=True)
    assert "failing_rows" in [t.name for t in report.tables]
    assert re.search(r"\bQ\d{3}\b", render_html(report))
    write_audit(report, tmp_path / "out")
    rows = pl.read_csv(tmp_path / "out" / "failing_rows.csv")
    assert rows.columns == ["check", "severity", "patient_id", "record_id", "message"]
    assert rows.height == report.failures.height


def test_html_stands_alone_with_contents_sortable_tables_and_figures(cohort_report):
    page = render_html(cohort_report, version="0.1.0")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script src" not in page
    assert "<link" not in page
    toc = re.findall(r'<a href="#([a-z_]+)">', page)
    for name in toc:
        assert f'<section id="{name}">' in page
    assert {"checks", "completeness_by_site", "followup_by_site", "practice_by_group", "figures"} <= set(toc)
    assert page.count('<table class="sortable">') == len(cohort_report.tables)
    assert page.count("data:image/png;base64,") == 2


def test_write_audit_writes_a_csv_per_table_and_no_row_level_file(cohort_report, tmp_path):
    written = write_audit(cohort_report, tmp_path / "out")
    names = sorted(p.name for p in written)
    expected = sorted(["audit.html", *[f"{t.name}.csv" for t in cohort_report.tables]])
    assert names == expected
    assert "failing_rows.csv" not in names
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == expected
    site = pl.read_csv(tmp_path / "out" / "completeness_by_site.csv", infer_schema=False)
    assert site.equals(cohort_report.tables[1].frame)


def test_cli_exits_zero_when_only_warnings_fail(cohort_path, tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", cohort_path, "audit", "--out", str(tmp_path / "o"), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "lost_to_follow_up" in result.output
    assert (tmp_path / "o" / "audit.html").is_file()


def test_cli_exits_one_when_an_error_check_fails(registries, tmp_path):
    from netpet.registry import Registry

    location = registries.copy()
    with Registry.open(location) as reg:
        seed_clean(reg)
        run_script(reg, TRIPS["event_after_death"])
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            location,
            "audit",
            "--out",
            str(tmp_path / "o"),
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "severity 'error'" in result.output
    assert "FAILED" in (tmp_path / "o" / "audit.html").read_text(encoding="utf-8")


def test_cli_min_cell_overrides_the_setting(cohort_path, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            cohort_path,
            "audit",
            "--out",
            str(tmp_path / "o"),
            "--as-of",
            AS_OF.isoformat(),
            "--min-cell",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(tmp_path / "o" / "completeness_by_year.csv", infer_schema=False)
    assert all(v == 0 or v >= 10 for v in leading_counts(table))
    assert "from 1 to 9" in (tmp_path / "o" / "audit.html").read_text(encoding="utf-8")


def test_threshold_defaults_to_the_registry_setting(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy(seed_cohort)) as reg:
        reg.set_setting("min_cell_count", "10")
        assert audit_report(reg, as_of=AS_OF).threshold == 10


def test_discordant_patients_given_prrt_are_highlighted(cohort_report):
    page = render_html(cohort_report)
    section = page.split('<section id="practice_by_site">')[1].split("</section>")[0]
    header = re.findall(r'<th scope="col">([^<]+)</th>', section)
    flagged_column = header.index("PRRT after P5")
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section)[1:]:
        cells = re.findall(r"<td([^>]*)>([^<]*)</td>", row)
        css, text = cells[flagged_column]
        if re.fullmatch(r"[1-9]\d* \(.*\)", text):
            assert 'class="flag"' in css
    assert 'class="flag"' in section


patients_strategy = st.lists(
    st.tuples(
        st.sampled_from("ABC"),
        st.sampled_from([2018, 2019, 2020]),
        st.lists(st.booleans(), min_size=6, max_size=6),
    ),
    min_size=1,
    max_size=45,
)


def fields_frame(rows) -> pl.DataFrame:
    """The frame of sql/queries/audit_patient_fields.sql for patients (site, year, field flags), counted here."""
    patients = pl.DataFrame(
        {
            "site": [r[0] for r in rows],
            "diagnosis_year": [r[1] for r in rows],
            **{column: [r[2][k] for r in rows] for k, column in enumerate(FIELDS)},
        }
    )
    return pl.concat(
        [
            patients.group_by(by)
            .agg(pl.len().alias("patients"), *[pl.col(c).sum().cast(pl.Int64) for c in FIELDS])
            .with_columns(pl.lit(by).alias("breakdown"))
            for by in ("site", "diagnosis_year")
        ],
        how="diagonal",
    )


def known(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)( \(.*\))?", text)
    return int(match.group(1)) if match else None


@settings(max_examples=40, deadline=None)
@given(patients_strategy, st.integers(3, 6))
def test_completeness_tables_hide_nothing_recoverable_across_both_breakdowns(rows, threshold):
    """Per field, the by-site and by-year tables share the field's total and the grand total; together
    with every shown cell, no hidden count (per-group complete count or total) is fixed exactly."""
    tables = completeness_tables(fields_frame(rows), by=("site", "diagnosis_year"), threshold=threshold)
    for frame in tables.values():
        assert all(v == 0 or v >= threshold for v in leading_counts(frame))
    for label in FIELDS.values():
        variables, equations, values = [], [], {}
        for name, frame in tables.items():
            n = frame.height - 1
            ys = [(name, "y", i) for i in range(n)]
            ts = [(name, "t", i) for i in range(n)]
            variables += ys + ts
            equations.append(([*ys], ("Y", label)))
            equations.append(([*ts], ("G",)))
            for i in range(n):
                values[(name, "y", i)] = known(frame[label][i])
                values[(name, "t", i)] = known(frame["patients"][i])
            for key, text in ((("Y", label), frame[label][n]), (("G",), frame["patients"][n])):
                if key in values and values[key] is not None and known(text) is not None:
                    assert values[key] == known(text)
                values[key] = known(text) if values.get(key) is None else values[key]
        variables += [("Y", label), ("G",)]
        index = {v: k for k, v in enumerate(variables)}
        matrix = np.zeros((len(equations), len(variables)))
        for row, (members, total) in enumerate(equations):
            matrix[row, [index[m] for m in members]] = 1
            matrix[row, index[total]] = -1
        unknown = [v for v in variables if values[v] is None]
        if not unknown:
            continue
        null = scipy.linalg.null_space(matrix[:, [index[v] for v in unknown]])
        fixed = [v for k, v in enumerate(unknown) if null.shape[1] == 0 or np.allclose(null[k], 0)]
        assert fixed == [], (label, fixed, tables)


def test_both_completeness_breakdowns_show_the_same_totals_row(cohort_report):
    frames = {t.name: t.frame for t in cohort_report.tables}
    by_site = frames["completeness_by_site"].row(-1)
    by_year = frames["completeness_by_year"].row(-1)
    assert by_site[1:] == by_year[1:]


def test_cli_audits_an_empty_registry(registries, tmp_path):
    out = tmp_path / "o"
    result = CliRunner().invoke(
        cli, ["--db", registries.copy(), "audit", "--out", str(out), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out / "completeness_by_site.csv", infer_schema=False).row(0)[:2] == ("Total", "0")
    assert not (out / "failing_rows.csv").exists()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # R: survfit(Surv(t, 1 - dead) ~ 1) on t = 1,1,1,2,2,2 (all alive): S = 0.5 on [1, 2), median 1.5
        ([(1, False)] * 3 + [(2, False)] * 3, 1.5),
        # S falls 0.8, 0.6, 0.4 at t = 1, 2, 3: median 3
        ([(t, False) for t in (1, 2, 3, 4, 5)], 3.0),
        # deaths are censored for follow-up: S = 2/3 at t = 2, then 1/3 at t = 3
        ([(1, True), (2, False), (3, False), (3, True)], 3.0),
        # everyone died: follow-up never ends by censoring, the median is not reached
        ([(1, True), (2, True)], None),
    ],
)
def test_reverse_km_median_follows_r(rows, expected):
    assert reverse_km_median([t for t, _ in rows], [d for _, d in rows]) == expected
def test_check_descriptions_show_the_parameters_used(cohort_report):
    checks = {t.name: t.frame for t in cohort_report.tables}["checks"]
    text = dict(zip(checks["check"].to_list(), checks["description"].to_list(), strict=True))
    assert "more than 365 days before 2025-01-01" in text["lost_to_follow_up"]
    assert "(31, the registry setting" in text["pairing_outside_window"]
