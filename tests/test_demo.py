"""Tests of the synthetic demo cohort: determinism, the import format, NETPET consistency, calibration.

Calibration targets are the published medians of Chan et al., Br J Cancer 2023;128:549-555.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from netpet.analysis.studies.cox_analysis import cox_analysis
from netpet.analysis.studies.frames import survival_frame
from netpet.registry import Registry
from netpet.registry.columns import SSTR_TRACERS, TABLES, Column, Table
from netpet.registry.demo import DEMO_PARAMETERS, write_demo_files
from netpet.registry.scoring import derive_scores

AS_OF = date(2025, 12, 31)
MONTH_DAYS = 30.4375


def read(folder: Path, name: str, fmt: str = "parquet") -> pl.DataFrame:
    if fmt == "csv":
        table = next(t for t in TABLES if t.name == name)
        return pl.read_csv(folder / f"{name}.csv", schema=_polars_schema(table))
    return pl.read_parquet(folder / f"{name}.parquet")


def _polars_schema(table: Table) -> dict[str, pl.DataType]:
    kinds = {"date": pl.Date(), "number": pl.Float64(), "integer": pl.Int64(), "boolean": pl.Boolean()}
    return {c.name: kinds.get(c.kind, pl.String()) for c in table.columns}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo cohort (1,000 patients, seed 42), written once for this module."""
    folder = tmp_path_factory.mktemp("demo")
    write_demo_files(folder)
    return folder


@pytest.fixture(scope="module")
def tables(demo: Path) -> dict[str, pl.DataFrame]:
    return {t.name: read(demo, t.name) for t in TABLES}


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_arguments_give_byte_identical_files(demo: Path, tmp_path: Path):
    write_demo_files(tmp_path)
    assert file_bytes(tmp_path) == file_bytes(demo)


def test_another_seed_gives_another_cohort(tmp_path: Path, tables: dict[str, pl.DataFrame]):
    write_demo_files(tmp_path, patients=1000, seed=7)
    assert not read(tmp_path, "outcomes").equals(tables["outcomes"])


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_chunk_size_does_not_change_the_files(tmp_path: Path, fmt: str):
    write_demo_files(tmp_path / "small", patients=1200, chunk_size=300, fmt=fmt)
    write_demo_files(tmp_path / "large", patients=1200, chunk_size=100_000, fmt=fmt)
    assert file_bytes(tmp_path / "small") == file_bytes(tmp_path / "large")


@pytest.mark.slow
def test_chunk_size_does_not_change_parquet_bytes_past_the_dictionary_page_limit(tmp_path: Path):
    """At 60,000 patients treatment_id outgrows Parquet's 1 MB dictionary page; the layout must still hold."""
    write_demo_files(tmp_path / "small", patients=60_000, chunk_size=5_000)
    write_demo_files(tmp_path / "large", patients=60_000, chunk_size=100_000)
    assert file_bytes(tmp_path / "small") == file_bytes(tmp_path / "large")


def test_first_patients_of_a_larger_cohort_equal_a_smaller_cohort(tmp_path: Path, tables):
    write_demo_files(tmp_path, patients=500)
    assert read(tmp_path, "lesion_reads").equals(
        tables["lesion_reads"].filter(pl.col("timepoint_id").str.slice(1, 7).cast(pl.Int64) < 500)
    )


def test_csv_holds_the_same_rows_as_parquet(tmp_path: Path, tables: dict[str, pl.DataFrame]):
    counts = write_demo_files(tmp_path, fmt="csv")
    for name, frame in tables.items():
        assert read(tmp_path, name, "csv").equals(frame), name
        assert counts[name] == frame.height


def test_returned_counts_and_progress_match_the_files(tmp_path: Path):
    calls = []
    counts = write_demo_files(tmp_path, patients=1100, chunk_size=500, progress=lambda *a: calls.append(a))
    assert calls == [("patients", 500, 1100), ("patients", 1000, 1100), ("patients", 1100, 1100)]
    assert counts == {t.name: read(tmp_path, t.name).height for t in TABLES}


def test_zero_patients_write_empty_files_with_every_column(tmp_path: Path):
    counts = write_demo_files(tmp_path, patients=0, fmt="csv")
    assert set(counts.values()) == {0}
    assert (tmp_path / "outcomes.csv").read_text() == "patient_id,outcome,outcome_date,detail\n"


def _column_issues(frame: pl.DataFrame, column: Column) -> list[str]:
    values = frame[column.name]
    issues = []
    if column.required and values.null_count():
        issues.append("missing required values")
    present = values.drop_nulls()
    if column.values and not present.is_in(column.values).all():
        issues.append(f"values outside {column.values}")
    if column.kind == "score" and not present.str.contains(r"^P[0-5]$").all():
        issues.append("bad score")
    if column.low is not None:
        below = present <= column.low if column.low_open else present < column.low
        if below.any():
            issues.append("below bound")
    if column.high is not None and (present > column.high).any():
        issues.append("above bound")
    return issues


def test_every_file_matches_the_column_spec(tables: dict[str, pl.DataFrame]):
    issues = []
    for table in TABLES:
        frame = tables[table.name]
        assert frame.columns == list(table.column_names)
        issues += [(table.name, c.name, i) for c in table.columns for i in _column_issues(frame, c)]
        assert frame.select(table.key).is_duplicated().sum() == 0, table.name
        for column, parent in table.parents.items():
            parent_key = TABLES[[t.name for t in TABLES].index(parent)].key[0]
            assert frame[column].is_in(tables[parent][parent_key].implode()).all(), (table.name, column)
    assert issues == []


def test_comparison_is_given_exactly_when_both_tracers_are_avid(tables):
    reads = tables["lesion_reads"]
    both = reads["sstr_avid"] & reads["fdg_avid"]
    assert (reads["fdg_vs_sstr"].is_not_null() == both).all()


def test_every_lesion_has_a_krenning_score_agreeing_with_its_sstr_call(tables):
    reads = tables["lesion_reads"]
    assert reads["sstr_krenning"].null_count() == 0
    assert ((reads["sstr_krenning"] >= 2) == reads["sstr_avid"]).all()
    assert set(reads["sstr_krenning"]) == {0, 1, 2, 3, 4}


def test_timepoints_pair_an_sstr_scan_with_an_fdg_scan_within_21_days(tables):
    scans = tables["pet_scans"]
    paired = (
        tables["timepoints"]
        .join(scans.rename({"scan_id": "sstr_scan_id", "tracer": "s_tracer", "scan_date": "s_date"}),
              on=["sstr_scan_id", "patient_id"])
        .join(scans.rename({"scan_id": "fdg_scan_id", "tracer": "f_tracer", "scan_date": "f_date"}),
              on=["fdg_scan_id", "patient_id"])
    )
    assert paired.height == tables["timepoints"].height
    assert paired["s_tracer"].is_in(SSTR_TRACERS).all()
    assert (paired["f_tracer"] == "fdg").all()
    gap = (paired["s_date"] - paired["f_date"]).dt.total_days().abs()
    assert gap.max() <= 21
    per_patient = paired.group_by("patient_id").len()["len"]
    assert per_patient.min() == 1
    assert per_patient.max() == 6
    dates = paired.select("patient_id", date=pl.max_horizontal("s_date", "f_date")).sort("patient_id", "date")
    interval = dates.select(pl.col("date").diff().over("patient_id").dt.total_days()).drop_nulls()["date"]
    assert interval.min() >= 182
    assert interval.max() <= 365


@pytest.mark.parametrize("lesions", [2.0, 6.0])
def test_scored_timepoints_have_about_the_requested_lesions(tmp_path: Path, lesions: float):
    """max(1, Poisson(lesions)) reads on P1-P5 timepoints with reads: mean lesions + exp(-lesions)."""
    write_demo_files(tmp_path, patients=500, lesions_per_timepoint=lesions)
    scored = derive_scores(read(tmp_path, "lesion_reads")).filter(pl.col("derived_score") > 0)
    assert scored["lesion_count"].min() >= 1
    assert scored["lesion_count"].mean() == pytest.approx(lesions + math.exp(-lesions), rel=0.05)


def test_lesion_reads_reproduce_the_recorded_score_but_for_about_two_percent(tables):
    """Recorded scores that disagree with the lesions are one step off, in ~2% of scored timepoints."""
    both = tables["timepoints"].join(derive_scores(tables["lesion_reads"]), on="timepoint_id").filter(
        pl.col("netpet_score").is_not_null()
    )
    recorded = both["netpet_score"].str.slice(1).cast(pl.Int8)
    off = (recorded - both["derived_score"]).abs()
    share = (off > 0).mean()
    assert 0.005 < share < 0.04
    assert off.max() == 1


def test_timepoints_carry_a_recorded_score_lesion_reads_or_both(tables):
    derived = derive_scores(tables["lesion_reads"]).select("timepoint_id", "derived_score")
    tps = tables["timepoints"].join(derived, on="timepoint_id", how="left")
    has_recorded, has_reads = tps["netpet_score"].is_not_null(), tps["derived_score"].is_not_null()
    assert (has_recorded | has_reads).all()
    assert 0.75 < (has_recorded & has_reads).mean() < 0.95
    assert (has_recorded & ~has_reads).sum() > 0
    assert (~has_recorded & has_reads).sum() > 0


def test_scores_change_over_time(tables):
    scores = survival_rows(tables, all_timepoints=True)
    changes = scores.sort("patient_id", "date").group_by("patient_id", maintain_order=True).agg(
        (pl.col("score").diff().fill_null(0) != 0).any().alias("changed")
    )
    assert 0.1 < changes["changed"].mean() < 0.9


def test_a_lesion_keeps_its_location_at_every_timepoint(tables):
    reads = tables["lesion_reads"].with_columns(pl.col("timepoint_id").str.slice(0, 8).alias("patient_id"))
    locations = reads.group_by("patient_id", "lesion_id").agg(pl.col("location").n_unique())
    assert locations["location"].max() == 1
    assert (reads.group_by("patient_id").agg(pl.col("lesion_id").n_unique())["lesion_id"] > 1).any()


def test_nothing_is_dated_after_death_or_the_cutoff_or_before_birth(tables):
    dated = pl.concat([
        tables["pet_scans"].select("patient_id", pl.col("scan_date").alias("d")),
        tables["outcomes"].select("patient_id", pl.col("outcome_date").alias("d")),
        tables["treatments"].select("patient_id", pl.col("start_date").alias("d")),
        tables["treatments"].select("patient_id", pl.col("end_date").alias("d")).drop_nulls(),
    ])
    deaths = tables["outcomes"].filter(pl.col("outcome") == "death")
    assert deaths["patient_id"].is_unique().all()
    joined = dated.join(deaths.select("patient_id", pl.col("outcome_date").alias("death")), on="patient_id",
                        how="left").join(tables["patients"], on="patient_id")
    assert joined.filter(pl.col("d") > pl.col("death")).height == 0
    assert joined["d"].max() <= AS_OF
    assert joined.filter(pl.col("d") <= pl.col("diagnosis_date")).height == 0
    patients = tables["patients"]
    assert (patients["birth_date"] < patients["diagnosis_date"]).all()
    treatments = tables["treatments"].drop_nulls("end_date")
    assert (treatments["end_date"] >= treatments["start_date"]).all()


def test_grade_follows_ki67_and_score(tables):
    """WHO 2019 Ki-67 bands (G1 < 3, G2 3-20, G3 > 20) and more G3/NEC in P5 than P1 (BJC 2023)."""
    patients = tables["patients"].join(survival_rows(tables), on="patient_id")
    bands = patients.group_by("who_grade").agg(pl.col("ki67_percent").min().alias("lo"),
                                               pl.col("ki67_percent").max().alias("hi"))
    band = {row["who_grade"]: (row["lo"], row["hi"]) for row in bands.to_dicts()}
    assert band["G1"][1] < 3
    assert band["G2"][0] >= 3
    assert band["G2"][1] <= 20
    assert band["G3"][0] > 20
    high = patients.group_by("group").agg(pl.col("who_grade").is_in(["G3", "NEC"]).mean().alias("high"))
    share = dict(high.iter_rows())
    assert share["P5"] > 3 * share["P1"]
    age = (patients["diagnosis_date"] - patients["birth_date"]).dt.total_days() / 365.25
    assert age.mean() == pytest.approx(60, abs=2)


def test_prrt_goes_mostly_to_p1_to_p4_and_chemotherapy_mostly_to_p5(tables):
    """Judged by the score of the latest timepoint before the course starts."""
    groups = {0: "P0", 1: "P1", 2: "P2-4", 3: "P2-4", 4: "P2-4", 5: "P5"}
    scores = survival_rows(tables, all_timepoints=True).sort("date").with_columns(
        pl.col("score").replace_strict(groups, return_dtype=pl.String).alias("group")
    )
    treated = tables["treatments"].sort("start_date").join_asof(
        scores, left_on="start_date", right_on="date", by="patient_id", strategy="backward"
    )
    prrt = treated.filter(pl.col("treatment") == "prrt_lu177_dotatate")
    assert (prrt["group"] != "P5").mean() > 0.9
    assert (prrt["group"] == "P5").sum() > 0
    chemo = treated.filter(pl.col("treatment").is_in(["capecitabine_temozolomide", "platinum_etoposide"]))
    assert (chemo["group"] == "P5").mean() > 0.5
    completed = prrt.filter(pl.col("stop_reason") == "completed")
    assert (completed["cycles"] == 4).all()
    assert completed["activity_gbq"].mean() == pytest.approx(4 * 7.4, abs=0.5)


def survival_rows(tables: dict[str, pl.DataFrame], *, all_timepoints: bool = False) -> pl.DataFrame:
    """OS and TTP in months from the first timepoint by baseline group, as docs/import-format.md defines.

    Timepoint date = later scan date; score = derived from lesions, else recorded; follow-up ends at death,
    else the latest outcome or scan date; TTP censored at that end.
    """
    scans = tables["pet_scans"]
    tps = (
        tables["timepoints"]
        .join(scans.select(sstr_scan_id="scan_id", s="scan_date"), on="sstr_scan_id")
        .join(scans.select(fdg_scan_id="scan_id", f="scan_date"), on="fdg_scan_id")
        .join(derive_scores(tables["lesion_reads"]), on="timepoint_id", how="left")
        .select(
            "patient_id", "timepoint_id", pl.max_horizontal("s", "f").alias("date"),
            pl.coalesce("derived_score", pl.col("netpet_score").str.slice(1).cast(pl.Int8)).alias("score"),
        )
    )
    if all_timepoints:
        return tps
    groups = {0: "P0", 1: "P1", 2: "P2-4", 3: "P2-4", 4: "P2-4", 5: "P5"}
    base = tps.sort("date", "timepoint_id").group_by("patient_id").first().with_columns(
        pl.col("score").replace_strict(groups, return_dtype=pl.String).alias("group")
    )
    outcomes = tables["outcomes"]
    death = outcomes.filter(pl.col("outcome") == "death").select("patient_id", death="outcome_date")
    last = pl.concat([
        outcomes.select("patient_id", d="outcome_date"), scans.select("patient_id", d="scan_date"),
    ]).group_by("patient_id").agg(last=pl.col("d").max())
    progression = (
        outcomes.filter(pl.col("outcome") == "progression")
        .join(base.select("patient_id", "date"), on="patient_id")
        .filter(pl.col("outcome_date") > pl.col("date"))
        .group_by("patient_id")
        .agg(prog=pl.col("outcome_date").min())
    )
    end = pl.coalesce("death", "last")
    return (
        base.join(death, on="patient_id", how="left").join(last, on="patient_id")
        .join(progression, on="patient_id", how="left")
        .select(
            "patient_id", "group",
            os=(end - pl.col("date")).dt.total_days() / MONTH_DAYS, os_event=pl.col("death").is_not_null(),
            ttp=(pl.coalesce("prog", end) - pl.col("date")).dt.total_days() / MONTH_DAYS,
            ttp_event=pl.col("prog").is_not_null(),
        )
    )


@pytest.mark.parametrize("endpoint", ["os", "ttp"])
def test_km_medians_match_chan_2023_within_15_percent(tables, endpoint: str):
    """KM medians by baseline NETPET group: OS 101.8 / 46.5 / 11.5, TTP 25.5 / 16.7 / 6.6 months."""
    from lifelines import KaplanMeierFitter

    published = {"os": DEMO_PARAMETERS.os_median_months, "ttp": DEMO_PARAMETERS.ttp_median_months}[endpoint]
    assert published["P1"] == {"os": 101.8, "ttp": 25.5}[endpoint]
    rows = survival_rows(tables)
    for group in ("P1", "P2-4", "P5"):
        x = rows.filter(pl.col("group") == group)
        km = KaplanMeierFitter().fit(x[endpoint].to_numpy(), x[f"{endpoint}_event"].to_numpy())
        assert km.median_survival_time_ == pytest.approx(published[group], rel=0.15), group


def test_baseline_groups_hold_the_stated_shares(tables):
    counts = dict(survival_rows(tables).group_by("group").len().iter_rows())
    for group, share in DEMO_PARAMETERS.group_shares.items():
        assert counts[group] == pytest.approx(1000 * share, abs=2), group


def test_patient_ids_are_registry_pseudonyms(tables):
    assert tables["patients"]["patient_id"].str.contains(r"^D\d{7}$").all()
    assert re.fullmatch(r"D\d{7}-T\d", tables["timepoints"]["timepoint_id"][0])


def test_unknown_format_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        write_demo_files(tmp_path, fmt="xlsx")


def test_an_earlier_cutoff_dates_nothing_after_it(tmp_path: Path):
    cutoff = date(2018, 6, 30)
    write_demo_files(tmp_path, patients=500, as_of=cutoff)
    latest = max(
        read(tmp_path, "pet_scans")["scan_date"].max(),
        read(tmp_path, "outcomes")["outcome_date"].max(),
        read(tmp_path, "treatments")["end_date"].max(),
    )
    assert latest == cutoff


def test_cox_on_the_demo_registry_shows_the_grade_and_age_effects(demo_registry: Path):
    """BJC 2023: grade significant on multivariate analysis, age at diagnosis for OS. Adjusted for the NETPET
    group, the demo's assumed effects (DEMO_PARAMETERS: G2 1.4, G3 2.0, NEC 2.8 vs G1, 1.03 per year of
    age) come back as HRs above 1 in grade order and a significant age effect."""
    assert DEMO_PARAMETERS.os_grade_hr == (1.0, 1.4, 2.0, 2.8)
    with Registry.open(demo_registry, read_only=True) as reg:
        data = survival_frame(reg, covariates=("who_grade", "age_at_origin"))
    terms = {t.term: t for t in cox_analysis(data, covariates=("who_grade", "age_at_origin")).terms}
    assert {"netpet_group=P2-4", "netpet_group=P5"} <= set(terms)
    assert 1 < terms["who_grade=G2"].hr < terms["who_grade=G3"].hr
    assert terms["who_grade=G3"].p < 0.05
    assert terms["age_at_origin"].hr > 1
    assert terms["age_at_origin"].p < 0.05
