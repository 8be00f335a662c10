"""Table 1 and the Cox table, hand-checked on small frames; p values against scipy (and R) called directly."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import polars as pl
import pytest
from scipy import stats

from netpet.analysis.outputs.tables import (
    TEST_CHISQ,
    TEST_FISHER,
    TEST_FISHER_MC,
    TEST_KRUSKAL,
    cox_table,
    format_p,
    table_one,
    to_html,
    to_latex,
    to_markdown,
    write_table,
)

# Ten patients in three NETPET groups and one P0 patient (no group) that Table 1 leaves out.
PATIENTS = pl.DataFrame({
    "netpet_group": ["P1"] * 4 + ["P2-4"] * 3 + ["P5"] * 3 + [None],
    "sex": ["female", "female", "male", "male", "female", "male", "male", "male", "male", "male", "female"],
    "age_at_origin": [50.0, 60.0, 70.0, 80.0, 55.0, 65.0, 75.0, 45.0, 58.0, 72.0, 40.0],
    "who_grade": ["G1", "G1", "G2", None, "G2", "G2", "G3", "G3", "G3", "NEC", "G1"],
    "ki67_percent": [1.0, 2.0, 5.0, None, 10.0, 15.0, 20.0, 30.0, 40.0, 60.0, 1.0],
})


def row(table, variable, level):
    wanted = (pl.col("variable") == variable) & pl.col("level").eq_missing(level)
    return table.filter(wanted).row(0, named=True)


@pytest.fixture(scope="module")
def table():
    return table_one(PATIENTS, variables=["sex", "age_at_origin", "who_grade", "ki67_percent"])


def test_table_one_has_overall_then_groups_in_clinical_order(table):
    assert table.columns == ["variable", "level", "Overall", "P1", "P2-4", "P5", "p", "test"]
    assert row(table, "n", None) == {"variable": "n", "level": None, "Overall": "10", "P1": "4", "P2-4": "3",
                                     "P5": "3", "p": None, "test": None}


def test_categorical_rows_give_n_and_percent_of_known_values(table):
    # Female: 3 of 10 overall, 2 of 4 in P1, 1 of 3 in P2-4, none in P5 (the P0 patient is left out).
    assert row(table, "Sex", "female") == {
        "variable": "Sex", "level": "female", "Overall": "3 (30.0)", "P1": "2 (50.0)", "P2-4": "1 (33.3)",
        "P5": "0 (0.0)", "p": None, "test": None}
    # WHO grade G2: 3 of 9 known overall; 1 of the 3 known in P1 (one missing), 2 of 3 in P2-4.
    g2 = row(table, "WHO grade", "G2")
    assert (g2["Overall"], g2["P1"], g2["P2-4"], g2["P5"]) == ("3 (33.3)", "1 (33.3)", "2 (66.7)", "0 (0.0)")


def test_levels_follow_the_spec_order_and_missing_values_are_counted(table):
    grades = table.filter(pl.col("variable") == "WHO grade")["level"].to_list()
    assert grades == [None, "G1", "G2", "G3", "NEC", "Missing"]
    missing = row(table, "WHO grade", "Missing")
    assert (missing["Overall"], missing["P1"], missing["P2-4"], missing["P5"]) == ("1", "1", "0", "0")
    assert table.filter((pl.col("variable") == "Sex") & (pl.col("level") == "Missing")).is_empty()


def test_continuous_rows_give_median_and_iqr_as_r_quantile_type_7(table):
    # R: quantile(c(50, 60, 70, 80)) -> 57.5, 65, 72.5.  P2-4: 55, 65, 75 -> 60, 65, 70.
    age = row(table, "Age at first dual PET (years)", "Median [IQR]")
    assert age["P1"] == "65.0 [57.5, 72.5]"
    assert age["P2-4"] == "65.0 [60.0, 70.0]"
    assert age["P5"] == "58.0 [51.5, 65.0]"
    assert age["Overall"] == "62.5 [55.8, 71.5]"  # 10 ages: 45 50 55 58 60 65 70 72 75 80


def test_continuous_p_is_kruskal_wallis_as_scipy_and_r_give_it(table):
    age = row(table, "Age at first dual PET (years)", "Median [IQR]")
    direct = stats.kruskal([50, 60, 70, 80], [55, 65, 75], [45, 58, 72]).pvalue
    assert age["test"] == TEST_KRUSKAL
    assert age["p"] == pytest.approx(direct, rel=1e-12)
    # R: kruskal.test(list(c(50,60,70,80), c(55,65,75), c(45,58,72)))$p.value
    assert age["p"] == pytest.approx(0.727470509, rel=1e-8)


def test_ki67_kruskal_wallis_drops_missing_values(table):
    ki67 = row(table, "Ki-67 index (%)", "Median [IQR]")
    assert ki67["p"] == pytest.approx(stats.kruskal([1, 2, 5], [10, 15, 20], [30, 40, 60]).pvalue, rel=1e-12)
    assert row(table, "Ki-67 index (%)", "Missing")["Overall"] == "1"


def test_sparse_categorical_table_uses_fisher_close_to_rs_exact_p(table):
    sex = row(table, "Sex", None)
    # Expected counts below 5, a 2 x 3 table: Fisher's test, Monte Carlo p (20,000 tables, seeded).
    # R: fisher.test(matrix(c(2, 2, 1, 2, 0, 3), nrow = 2))$p.value = 0.7
    assert sex["test"] == TEST_FISHER_MC
    assert sex["p"] == pytest.approx(0.7, abs=0.015)


def test_two_by_two_sparse_table_uses_fishers_exact_test():
    two = PATIENTS.filter(pl.col("netpet_group").is_in(["P1", "P5"]))
    sex = row(table_one(two, variables=["sex"]), "Sex", None)
    assert sex["test"] == TEST_FISHER
    assert sex["p"] == pytest.approx(stats.fisher_exact([[2, 0], [2, 3]]).pvalue, rel=1e-12)


def test_large_enough_categorical_table_uses_chi_square_as_r_chisq_test():
    counts = {("P1", "female"): 10, ("P1", "male"): 10, ("P2-4", "female"): 12, ("P2-4", "male"): 8,
              ("P5", "female"): 8, ("P5", "male"): 12}
    rows = [(group, sex) for (group, sex), n in counts.items() for _ in range(n)]
    frame = pl.DataFrame(rows, schema=["netpet_group", "sex"], orient="row")
    sex = row(table_one(frame, variables=["sex"]), "Sex", None)
    assert sex["test"] == TEST_CHISQ
    assert sex["p"] == pytest.approx(stats.chi2_contingency([[10, 12, 8], [10, 8, 12]]).pvalue, rel=1e-12)
    # R: chisq.test(matrix(c(10, 10, 12, 8, 8, 12), nrow = 2))$p.value
    assert sex["p"] == pytest.approx(0.4493289641, rel=1e-8)


def test_default_variables_are_those_the_frame_has():
    table = table_one(PATIENTS)
    assert table["variable"].unique(maintain_order=True).to_list() == [
        "n", "Sex", "Age at first dual PET (years)", "WHO grade", "Ki-67 index (%)"]


COEFS = pl.DataFrame({
    "term": ["netpet_group=P2-4", "netpet_group=P5", "ki67_percent"],
    "coef": [0.8, 2.1, 0.02], "se": [0.2, 0.25, 0.01], "hr": [2.2255, 8.17, 1.0202],
    "hr_lower": [1.5, 5.0, 1.0], "hr_upper": [3.3, 13.3, 1.04], "z": [4.0, 8.4, 2.0],
    "p": [0.00006, 1e-10, 0.0449],
})


def test_cox_table_formats_hr_ci_and_p_with_reference_rows():
    table = cox_table(COEFS, reference={"netpet_group": "P1"})
    assert table.rows() == [
        ("NETPET group", "P1", "1 (reference)", ""),
        ("NETPET group", "P2-4", "2.23 (1.50–3.30)", "<0.001"),
        ("NETPET group", "P5", "8.17 (5.00–13.30)", "<0.001"),
        ("Ki-67 index (%)", None, "1.02 (1.00–1.04)", "0.045"),
    ]


def test_format_p_without_prefix_gives_the_table_cell():
    assert [format_p(p, prefix=False) for p in (0.0002, 0.0449, 1.0)] == ["<0.001", "0.045", ">0.999"]


def test_markdown_is_a_pipe_table_with_p_formatted(table):
    lines = to_markdown(table).splitlines()
    assert lines[0] == "| variable | level | Overall | P1 | P2-4 | P5 | p | test |"
    assert lines[1] == "| --- | --- | --- | --- | --- | --- | --- | --- |"
    assert lines[2] == "| n |  | 10 | 4 | 3 | 3 |  |  |"
    assert "| Age at first dual PET (years) | Median [IQR] | 62.5 [55.8, 71.5] |" in to_markdown(table)
    assert len(lines) == table.height + 2


def test_printed_tables_name_each_variable_once(table):
    lines = to_markdown(table).splitlines()
    sex = [line for line in lines if "female" in line or "| Sex |" in line]
    assert sex[0].startswith("| Sex |  |")
    assert sex[1].startswith("|  | female | 3 (30.0) |")


def test_table_one_copes_with_no_patients_and_all_missing_values():
    empty = pl.DataFrame(schema={"netpet_group": pl.String, "sex": pl.String, "age_at_origin": pl.Float64})
    assert table_one(empty).rows() == [
        ("n", None, "0", None, None),
        ("Sex", None, None, None, None),
        ("Age at first dual PET (years)", "Median [IQR]", "–", None, None),
    ]
    unknown = pl.DataFrame({"netpet_group": ["P1", "P5"], "age_at_origin": [None, None]},
                           schema_overrides={"age_at_origin": pl.Float64})
    missing = row(table_one(unknown), "Age at first dual PET (years)", "Missing")
    assert (missing["Overall"], missing["P1"], missing["P5"]) == ("2", "1", "1")


def test_html_is_well_formed_and_escaped():
    root = ET.fromstring(to_html(cox_table(COEFS, reference={"netpet_group": "P1"})))
    cells = [td.text for td in root.iter("td")]
    assert "<0.001" in cells  # escaped as &lt; in the markup, read back as text
    assert [th.text for th in root.iter("th")] == ["variable", "level", "HR (95% CI)", "p"]


def test_latex_escapes_special_characters():
    tex = to_latex(cox_table(COEFS))
    assert r"Ki-67 index (\%)" in tex
    assert r"\textless{}0.001" in tex
    assert tex.startswith("\\begin{tabular}{llcc}\n\\toprule\n")
    assert tex.rstrip().endswith("\\end{tabular}")


@pytest.mark.parametrize("suffix", [".csv", ".md", ".html", ".tex"])
def test_write_table_chooses_the_format_by_extension(tmp_path, table, suffix):
    path = write_table(table, tmp_path / f"table1{suffix}")
    text = path.read_text(encoding="utf-8")
    writers = {".md": to_markdown, ".html": to_html, ".tex": to_latex}
    if suffix == ".csv":
        assert pl.read_csv(path).shape == table.shape
    else:
        assert text == writers[suffix](table)


def test_write_table_refuses_an_unknown_extension(tmp_path, table):
    with pytest.raises(ValueError, match=r"use \.csv, \.md, \.html or \.tex"):
        write_table(table, tmp_path / "table1.xlsx")
