"""Cohort definitions: each criterion kind against members computed by hand on the fixture registry
(tests/cohort_fixtures.py), the attrition counts, saved cohorts, and definitions that try to inject SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from netpet.registry import Registry
from netpet.registry.cohort_definitions import CohortError, parse_definition
from netpet.registry.cohorts import (
    attrition,
    build_cohort,
    cohort_members,
    compile_definition,
    drop_cohort,
    list_cohorts,
    show_cohort,
)
from tests.cohort_fixtures import fill_fixture

EXAMPLES = Path(__file__).resolve().parent.parent / "cohorts" / "examples"
D = date.fromisoformat


@pytest.fixture
def reg(registries):
    """A copy of the fixture registry on each backend."""
    with registries.open(fill_fixture) as registry:
        yield registry


def members(reg: Registry, definition: str) -> list[str]:
    build_cohort(reg, definition, "t", replace=True)
    return cohort_members(reg, "t")["patient_id"].to_list()


# -- entry events ---------------------------------------------------------------------------------------
def test_default_entry_is_first_dual_pet_timepoint(reg: Registry) -> None:
    build_cohort(reg, "{}", "all")
    entries = dict(cohort_members(reg, "all").select("patient_id", "entry_date").iter_rows())
    # A8 has no timepoint; each other patient enters at the date of their first timepoint.
    assert entries == {
        "A1": D("2012-02-01"), "A2": D("2013-04-01"), "A3": D("2014-06-01"), "A4": D("2011-08-01"),
        "A5": D("2015-02-01"), "A6": D("2016-03-01"), "A7": D("2012-10-01"),
    }


def test_first_prrt_entry_is_start_of_first_prrt_course(reg: Registry) -> None:
    build_cohort(reg, "entry: first_prrt", "prrt")
    entries = dict(cohort_members(reg, "prrt").select("patient_id", "entry_date").iter_rows())
    assert entries == {
        "A1": D("2012-03-01"), "A2": D("2013-05-01"), "A4": D("2011-06-01"), "A5": D("2016-03-01"),
        "A6": D("2016-04-01"), "A8": D("2017-02-01"),
    }


def test_diagnosis_entry_takes_every_patient_at_diagnosis(reg: Registry) -> None:
    build_cohort(reg, "entry: diagnosis", "dx")
    frame = cohort_members(reg, "dx")
    assert frame.height == 8
    assert dict(frame.select("patient_id", "entry_date").iter_rows())["A8"] == D("2017-01-01")


# -- patient criteria -----------------------------------------------------------------------------------
def test_primary_site_keeps_listed_sites(reg: Registry) -> None:
    assert members(reg, "include: [primary_site: [pancreas]]") == ["A1", "A2", "A4", "A6"]


def test_who_grade_is_case_insensitive(reg: Registry) -> None:
    assert members(reg, "include: [who_grade: [g2]]") == ["A1", "A3", "A5", "A6"]


def test_site_and_sex_keep_listed_values(reg: Registry) -> None:
    assert members(reg, "include: [site: [london]]") == ["A3", "A4"]
    assert members(reg, "include: [sex: female]") == ["A1", "A3", "A5"]


def test_ki67_range_includes_both_ends_and_drops_missing(reg: Registry) -> None:
    # Ki-67: A1 5, A2 1.5, A3 10, A4 30, A5 20, A6 missing, A7 60.
    assert members(reg, "include: [ki67_percent: {min: 3, max: 20}]") == ["A1", "A3", "A5"]
    assert members(reg, "include: [ki67_percent: {min: 30}]") == ["A4", "A7"]


def test_age_at_entry_in_years_from_birth_to_entry(reg: Registry) -> None:
    # At the first timepoint: A1 62.1, A2 52.8, A3 44.3, A4 66.4, A5 34.1, A6 unknown, A7 57.4 years.
    assert members(reg, "include: [age_at_entry: {min: 58}]") == ["A1", "A4"]
    assert members(reg, "include: [age_at_entry: {min: 40, max: 55}]") == ["A2", "A3"]


def test_entry_period_is_a_calendar_window_on_the_entry_date(reg: Registry) -> None:
    definition = "include: [entry_period: {from: 2012-01-01, to: 2013-12-31}]"
    assert members(reg, definition) == ["A1", "A2", "A7"]


def test_diagnosis_period_is_a_calendar_window_on_the_diagnosis_date(reg: Registry) -> None:
    assert members(reg, "include: [diagnosis_period: {from: 2014-01-01}]") == ["A3", "A5", "A6"]


# -- scores and events relative to entry ----------------------------------------------------------------
def test_score_at_entry_is_the_first_timepoint_score_for_dual_pet_entry(reg: Registry) -> None:
    assert members(reg, "include: [score_at_entry: [P5]]") == ["A4", "A7"]
    assert members(reg, "include: [score_at_entry: [P2-4]]") == ["A3", "A5"]
    # A6's only timepoint is unscored: no score at entry.
    scored = members(reg, "include: [score_at_entry: [0, 1, 2, 3, 4, 5]]")
    assert scored == ["A1", "A2", "A3", "A4", "A5", "A7"]


def test_score_at_prrt_entry_is_last_timepoint_strictly_before_treatment(reg: Registry) -> None:
    # A2: P1 on 2013-04-01 and P5 on the PRRT day 2013-05-01, so P1; A5: latest before PRRT is P2;
    # A4 was imaged only after PRRT, A6 unscored, A8 never imaged.
    definition = "entry: first_prrt\ninclude: [score_at_entry: [P1]]"
    assert members(reg, definition) == ["A1", "A2"]
    definition = "entry: first_prrt\ninclude: [score_at_entry: [P0, P1, P2, P3, P4, P5]]"
    assert members(reg, definition) == ["A1", "A2", "A5"]


def test_dual_pet_before_prrt_within_window(reg: Registry) -> None:
    # Days from last timepoint before PRRT: A1 29, A2 30, A5 29, A6 31; A4 and A8 none.
    definition = "entry: first_prrt\ninclude: [dual_pet: {when: before, within_days: 183}]"
    assert members(reg, definition) == ["A1", "A2", "A5", "A6"]
    definition = "entry: first_prrt\ninclude: [dual_pet: {when: before, within_days: 30}]"
    assert members(reg, definition) == ["A1", "A2", "A5"]


def test_dual_pet_on_or_before_counts_the_same_day(reg: Registry) -> None:
    # Only A2 has a timepoint on the day of their first PRRT.
    definition = "entry: first_prrt\ninclude: [dual_pet: {when: on_or_before, within_days: 0}]"
    assert members(reg, definition) == ["A2"]


def test_discordant_at_any_time(reg: Registry) -> None:
    # P5 at any timepoint: A1 (second), A2 (second), A4, A7.
    assert members(reg, (EXAMPLES / "discordant_any_time.yaml").read_text()) == ["A1", "A2", "A4", "A7"]


def test_treatment_after_entry_within_window(reg: Registry) -> None:
    # PRRT after the first timepoint: A1 29 days, A2 30, A5 394, A6 31; A4's PRRT came before.
    definition = "include: [treatment: {types: [prrt_lu177_dotatate], when: after}]"
    assert members(reg, definition) == ["A1", "A2", "A5", "A6"]
    definition = "include: [treatment: {types: [prrt_lu177_dotatate], when: after, within_days: 60}]"
    assert members(reg, definition) == ["A1", "A2", "A6"]


def test_treatment_before_entry(reg: Registry) -> None:
    definition = "include: [treatment: {types: [prrt_lu177_dotatate, ssa_octreotide], when: before}]"
    assert members(reg, definition) == ["A1", "A4"]


def test_exclusion_removes_matching_patients(reg: Registry) -> None:
    definition = "exclude: [treatment: {types: [capecitabine_temozolomide, platinum_etoposide]}]"
    assert members(reg, definition) == ["A1", "A2", "A5", "A6", "A7"]


def test_exclusion_on_missing_value_keeps_the_patient(reg: Registry) -> None:
    # A6 has no Ki-67: an exclusion on Ki-67 cannot apply to them.
    assert members(reg, "exclude: [ki67_percent: {max: 10}]") == ["A4", "A5", "A6", "A7"]


# -- end of follow-up -----------------------------------------------------------------------------------
def test_end_of_followup_drops_late_entries_and_caps_followup(reg: Registry) -> None:
    build_cohort(reg, "end_of_followup: 2013-12-31", "censored")
    ends = dict(cohort_members(reg, "censored").select("patient_id", "end_of_followup_date").iter_rows())
    # A3, A5, A6 enter after the censoring date; A1 and A2 are alive then; A4 and A7 died before it.
    assert ends == {
        "A1": D("2013-12-31"), "A2": D("2013-12-31"), "A4": D("2012-06-01"), "A7": D("2013-01-01"),
    }


def test_end_of_followup_without_censoring_matches_patient_followup(reg: Registry) -> None:
    build_cohort(reg, "{}", "all")
    ours = cohort_members(reg, "all").select("patient_id", "end_of_followup_date").sort("patient_id")
    view = reg.query(
        "select patient_id, followup_end_date from patient_followup where timepoint_count > 0 order by 1"
    )
    assert ours["end_of_followup_date"].to_list() == view["followup_end_date"].to_list()
    assert ours["end_of_followup_date"].to_list()[0] == D("2016-01-01")  # A1 died 2016-01-01


# -- attrition ------------------------------------------------------------------------------------------
def test_attrition_counts_remaining_after_each_criterion_in_order(reg: Registry) -> None:
    steps = build_cohort(reg, EXAMPLES / "pancreatic_g2_dual_pet_before_prrt.yaml", "pg2")
    # 8 patients; 6 had PRRT; pancreatic: A1 A2 A4 A6 A8; G2: A1 A6 A8; Ki-67 3-20: A1 A8 (A6 missing);
    # dual PET in the 183 days before PRRT: A1; no chemotherapy before; entry before 2025-12-31.
    assert steps["remaining"].to_list() == [8, 6, 5, 3, 2, 1, 1, 1]
    assert steps["removed"].to_list() == [0, 2, 1, 2, 1, 1, 0, 0]
    assert steps["kind"].to_list() == [
        "registry", "entry", "include", "include", "include", "include", "exclude", "censoring",
    ]
    assert steps["criterion"][3] == "who_grade in (G2)"
    assert attrition(reg, "pg2").equals(steps)
    assert cohort_members(reg, "pg2")["patient_id"].to_list() == ["A1"]


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("prrt_treated", ["A1", "A2", "A5"]),  # imaged in the year before PRRT: A1 A2 A5 A6; A6 unscored
        ("pancreatic", ["A1", "A2", "A4"]),  # A6 is unscored at entry
        ("g3_net", ["A4"]),
        ("discordant_any_time", ["A1", "A2", "A4", "A7"]),
    ],
)
def test_example_definitions_select_hand_computed_members(
    reg: Registry, example: str, expected: list[str]
) -> None:
    build_cohort(reg, EXAMPLES / f"{example}.yaml", example)
    assert cohort_members(reg, example)["patient_id"].to_list() == expected


# -- saved cohorts --------------------------------------------------------------------------------------
def test_saved_cohort_records_definition_hash_and_registry_state(reg: Registry) -> None:
    text = (EXAMPLES / "g3_net.yaml").read_text()
    build_cohort(reg, text, "g3")
    row = show_cohort(reg, "g3").to_dicts()[0]
    assert row["definition"] == text
    assert row["definition_sha256"] == parse_definition(text).sha256
    assert row["member_count"] == 1
    assert row["entry_event"] == "first_dual_pet"
    assert '"patients": 8' in row["registry_state"]
    assert row["is_current"] is True


def test_show_cohort_notices_a_changed_registry(reg: Registry) -> None:
    build_cohort(reg, "{}", "all")
    reg.con.execute("delete from outcomes where patient_id = 'A8'")
    assert show_cohort(reg, "all")["is_current"][0] is False


def test_definition_hash_ignores_comments_and_layout(reg: Registry) -> None:
    compact = "include: [who_grade: [G2], ki67_percent: {min: 3}]"
    spread = "# a comment\ninclude:\n  - who_grade: g2\n  - ki67_percent:\n      min: 3.0\n"
    assert parse_definition(compact).sha256 == parse_definition(spread).sha256
    assert parse_definition(compact).sha256 != parse_definition("include: [who_grade: [G3]]").sha256


def test_building_an_existing_name_needs_replace(reg: Registry) -> None:
    build_cohort(reg, "{}", "c")
    with pytest.raises(CohortError, match="already exists"):
        build_cohort(reg, "include: [who_grade: [G3]]", "c")
    assert cohort_members(reg, "c").height == 7  # the refused build changed nothing
    build_cohort(reg, "include: [who_grade: [G3]]", "c", replace=True)
    assert cohort_members(reg, "c")["patient_id"].to_list() == ["A4"]
    assert attrition(reg, "c")["remaining"].to_list() == [8, 7, 1]


def test_list_and_drop_cohorts(reg: Registry) -> None:
    build_cohort(reg, "{}", "one")
    build_cohort(reg, "entry: first_prrt", "two")
    assert sorted(list_cohorts(reg)["name"].to_list()) == ["one", "two"]
    drop_cohort(reg, "one")
    assert list_cohorts(reg)["name"].to_list() == ["two"]
    assert reg.query("select count(*) as n from cohort_members where cohort_name = 'one'")["n"][0] == 0
    assert reg.query("select count(*) as n from cohort_attrition where cohort_name = 'one'")["n"][0] == 0
    with pytest.raises(CohortError, match="no cohort named 'one'; saved: two"):
        cohort_members(reg, "one")


def test_cohort_members_reads_a_read_only_registry(registries) -> None:
    location = registries.copy(fill_fixture)
    with Registry.open(location) as reg:
        build_cohort(reg, "include: [who_grade: [G3]]", "g3")
    with Registry.open(location, read_only=True) as reg:
        assert cohort_members(reg, "g3")["patient_id"].to_list() == ["A4"]


def test_build_leaves_no_working_tables(reg: Registry) -> None:
    build_cohort(reg, "include: [score_at_entry: [P5]]", "p5")
    temp = reg.query("select table_name from duckdb_tables() where database_name = 'temp'")
    assert temp.height == 0


# -- invalid and malicious definitions ------------------------------------------------------------------
def test_malicious_criterion_name_is_rejected_naming_the_allowed_ones(reg: Registry) -> None:
    definition = {"include": [{"primary_site = primary_site or 1=1; drop table patients; --": ["pancreas"]}]}
    expected = (
        r"unknown criterion 'primary_site = .*' in include\[0\]; "
        r"allowed: age_at_entry, diagnosis_period, dual_pet, entry_period, ki67_percent"
    )
    with pytest.raises(CohortError, match=expected):
        build_cohort(reg, definition, "evil")
    assert reg.query("select count(*) as n from patients")["n"][0] == 8
    assert list_cohorts(reg).height == 0


def test_malicious_value_is_a_harmless_non_matching_string(reg: Registry) -> None:
    evil = "sydney') or true; drop table patients; --"
    steps = build_cohort(reg, {"include": [{"site": [evil, "london' or '1'='1"]}]}, "evil")
    assert steps["remaining"].to_list()[-1] == 0
    assert reg.query("select count(*) as n from patients")["n"][0] == 8
    # The value travelled as a bound parameter, never as SQL text.
    step = compile_definition(parse_definition({"include": [{"site": [evil]}]}))[-1]
    assert evil not in step.sql
    assert list(step.params.values()) == [[evil]]


def test_malicious_enumerated_value_is_rejected(reg: Registry) -> None:
    expected = r"primary_site in include\[0\]: unknown value \"pancreas' or 1=1 --\"; allowed: pancreas"
    with pytest.raises(CohortError, match=expected):
        build_cohort(reg, {"include": [{"primary_site": ["pancreas' or 1=1 --"]}]}, "evil")


def test_malicious_option_key_is_rejected(reg: Registry) -> None:
    definition = {"include": [{"ki67_percent": {"min": 3, "max) or (1=1": 5}}]}
    expected = r"unknown key 'max\) or \(1=1' in ki67_percent in include\[0\]; allowed: min, max"
    with pytest.raises(CohortError, match=expected):
        build_cohort(reg, definition, "evil")


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("entry: first_surgery", r"unknown entry event 'first_surgery'; allowed: first_dual_pet, first_prrt"),
        ("cohort: x", r"unknown key 'cohort' in cohort definition; allowed: description, entry"),
        ("entry: [first_prrt]", r"unknown entry event \['first_prrt'\]"),
        ("include: [dual_pet: {when: [before]}]", r"dual_pet.when in include\[0\]: unknown \['before'\]"),
        ("- who_grade: G2", r"a cohort definition is a mapping with keys description, entry"),
        ("include: {who_grade: G2}", r"include is a list of criteria"),
        ("include: [{who_grade: G2, sex: male}]", r"include\[0\] must be a mapping with one criterion"),
        ("include: [ki67_percent: {min: high}]", r"ki67_percent.min must be a number, not 'high'"),
        ("include: [ki67_percent: {min: 20, max: 3}]", r"min 20.0 is after max 3.0"),
        ("include: [entry_period: {from: 2012-13-01}]", r"impossible date: month must be in 1..12"),
        ("include: [entry_period: {from: 1st May}]", r"entry_period.from must be a date YYYY-MM-DD"),
        ("include: [score_at_entry: [P6]]", r"unknown score 'P6'; allowed: 0-5, P0-P5, P2-4"),
        ("include: [dual_pet: {when: during}]", r"dual_pet.when in include\[0\]: unknown 'during'"),
        ("include: [dual_pet: {within_days: -3}]", r"within_days in include\[0\] must be a whole number"),
        ("include: [treatment: {when: before}]", r"treatment in include\[0\] needs `types`"),
        ("include: [treatment: {types: [prrt]}]", r"unknown value 'prrt'; allowed: prrt_lu177_dotatate"),
        ("end_of_followup: soon", r"end_of_followup must be a date YYYY-MM-DD, not 'soon'"),
        ("include: [who_grade: [G2]", r"not valid YAML"),
    ],
)
def test_invalid_definitions_raise_clear_errors(definition: str, message: str) -> None:
    with pytest.raises(CohortError, match=message):
        parse_definition(definition)


@pytest.mark.parametrize("name", ["", "a b", "x;drop", "../up", "-lead"])
def test_cohort_names_are_restricted(reg: Registry, name: str) -> None:
    with pytest.raises(CohortError, match="cohort name"):
        build_cohort(reg, "{}", name)


def test_every_example_definition_parses() -> None:
    examples = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert examples == [
        "discordant_any_time", "g3_net", "pancreatic", "pancreatic_g2_dual_pet_before_prrt", "prrt_treated",
    ]
    for path in EXAMPLES.glob("*.yaml"):
        assert parse_definition(path).description


def test_documented_example_is_the_shipped_example() -> None:
    doc = (EXAMPLES.parent.parent / "docs" / "cohorts.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    shipped = parse_definition(EXAMPLES / "pancreatic_g2_dual_pet_before_prrt.yaml")
    assert parse_definition(block).sha256 == shipped.sha256


# -- the cohort_survival view ---------------------------------------------------------------------------
def survival_rows(reg: Registry, cohort: str) -> dict[str, dict]:
    sql = "select * from cohort_survival where cohort_name = $c order by patient_id"
    frame = reg.query(sql, {"c": cohort})
    return {row["patient_id"]: row for row in frame.to_dicts()}


def test_cohort_survival_measures_from_the_cohort_entry(reg: Registry) -> None:
    build_cohort(reg, EXAMPLES / "pancreatic_g2_dual_pet_before_prrt.yaml", "pg2")
    a1 = survival_rows(reg, "pg2")["A1"]
    # A1: first PRRT 2012-03-01, died 2016-01-01; scored P1 on 2012-02-01, before PRRT.
    assert a1["os_days"] == (D("2016-01-01") - D("2012-03-01")).days
    assert a1["os_event"] is True
    assert (a1["netpet_group"], a1["entry_score"]) == ("P1", 1)
    assert (a1["pfs_event"], a1["ttp_event"]) == (True, False)  # death without progression


def test_cohort_survival_censors_events_after_end_of_followup(reg: Registry) -> None:
    build_cohort(reg, "end_of_followup: 2013-12-31", "censored")
    rows = survival_rows(reg, "censored")
    # A1 died 2016-01-01, after the censoring date: alive at 2013-12-31.
    assert rows["A1"]["os_days"] == (D("2013-12-31") - D("2012-02-01")).days
    assert rows["A1"]["os_event"] is False
    assert rows["A1"]["death_date"] is None
    # A4 died 2012-06-01, before it.
    assert (rows["A4"]["os_days"], rows["A4"]["os_event"]) == ((D("2012-06-01") - D("2011-08-01")).days, True)


def test_cohort_survival_progression_after_entry(reg: Registry) -> None:
    build_cohort(reg, "{}", "all")
    a3 = survival_rows(reg, "all")["A3"]
    # A3: first timepoint 2014-06-01, progression 2015-06-01, last contact 2019-01-01.
    assert (a3["ttp_days"], a3["ttp_event"], a3["pfs_event"]) == (365, True, True)
    assert (a3["os_days"], a3["os_event"]) == ((D("2019-01-01") - D("2014-06-01")).days, False)


def test_cohort_survival_score_at_prrt_entry_is_before_treatment(reg: Registry) -> None:
    build_cohort(reg, "entry: first_prrt", "prrt")
    rows = survival_rows(reg, "prrt")
    # A2's P5 timepoint is on the PRRT day, so the entry score is the earlier P1; A4 was imaged after PRRT.
    assert rows["A2"]["netpet_score"] == "P1"
    assert rows["A4"]["netpet_score"] is None
    assert sorted(rows) == ["A1", "A2", "A4", "A5", "A6", "A8"]
