"""Pairing SSTR and FDG scans into timepoints (netpet.registry.pairing): nearest first, one-to-one, ties reported."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.registry import Registry, RegistryError
from netpet.registry.pairing import pair_registry, pair_scans, pair_unpaired_scans
from tests.scoring_fixtures import fill_scoring_registry, rederive


@pytest.fixture
def scored_registry(registry: Registry) -> Registry:
    """The empty `registry` fixture filled with patients A, B, C and their derived scores."""
    return fill_scoring_registry(registry)


DAY0 = date(2020, 1, 1)
SCAN_SCHEMA = {"scan_id": pl.String, "patient_id": pl.String, "tracer": pl.String, "scan_date": pl.Date}


def scans_of(*scans: tuple[str, str, int], patient: str = "P1") -> pl.DataFrame:
    """Scans of one patient from (scan_id, tracer, day offset) tuples."""
    rows = [(scan_id, patient, tracer, DAY0 + timedelta(days=day)) for scan_id, tracer, day in scans]
    return pl.DataFrame(rows, schema=SCAN_SCHEMA, orient="row")


def pair_ids(result) -> list[tuple[str, str]]:
    return result.pairs.select("sstr_scan_id", "fdg_scan_id").rows()


def reasons(result) -> dict[str, str]:
    return dict(result.unpaired.select("scan_id", "reason").rows())


def test_sstr_scan_pairs_with_nearest_fdg_scan() -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", 10), ("F2", "fdg", -3)))
    assert pair_ids(result) == [("S1", "F2")]
    assert result.pairs["gap_days"].to_list() == [3]
    assert reasons(result) == {"F1": "partners_taken"}


def test_generated_timepoint_id_joins_the_scan_ids() -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", 2)))
    assert result.pairs["timepoint_id"].to_list() == ["S1+F1"]


@pytest.mark.parametrize(("gap", "paired"), [(0, True), (31, True), (32, False)])
def test_default_window_is_31_days(gap: int, paired: bool) -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", gap)))
    assert (result.pairs.height == 1) is paired
    if not paired:
        assert reasons(result) == {"S1": "no_partner_in_window", "F1": "no_partner_in_window"}


def test_window_can_be_narrowed() -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", 10)), window_days=7)
    assert result.pairs.height == 0


def test_each_scan_is_used_once_nearest_pair_first() -> None:
    # F1 is 8 days from S1 and 12 from S2: S1 takes it and S2 is left with no free partner.
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", 8), ("S2", "ga68_dotatate", 20)))
    assert pair_ids(result) == [("S1", "F1")]
    assert reasons(result) == {"S2": "partners_taken"}


def test_two_sstr_scans_equally_near_one_fdg_scan_are_ambiguous() -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", 5), ("S2", "ga68_dotatate", 10)))
    assert result.pairs.height == 0
    assert result.ambiguous.select("sstr_scan_id", "fdg_scan_id", "gap_days").rows() == [
        ("S1", "F1", 5),
        ("S2", "F1", 5),
    ]
    assert reasons(result) == {"S1": "ambiguous", "F1": "ambiguous", "S2": "ambiguous"}


def test_one_sstr_scan_equally_near_two_fdg_scans_is_ambiguous() -> None:
    result = pair_scans(scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", -4), ("F2", "fdg", 4)))
    assert result.pairs.height == 0
    assert result.ambiguous.select("sstr_scan_id", "fdg_scan_id").rows() == [("S1", "F1"), ("S1", "F2")]


def test_ambiguous_scans_are_not_paired_with_farther_scans() -> None:
    # S1 ties between F1 and F2 at 4 days; F3 at 20 days must not be paired instead.
    result = pair_scans(
        scans_of(("S1", "ga68_dotatate", 0), ("F1", "fdg", -4), ("F2", "fdg", 4), ("F3", "fdg", 20))
    )
    assert result.pairs.height == 0
    assert reasons(result)["F3"] == "partners_taken"


def test_equal_gaps_between_separate_pairs_are_not_ambiguous() -> None:
    result = pair_scans(
        scans_of(
            ("S1", "ga68_dotatate", 0), ("F1", "fdg", 5), ("S2", "ga68_dotatate", 200), ("F2", "fdg", 205)
        )
    )
    assert pair_ids(result) == [("S1", "F1"), ("S2", "F2")]
    assert result.ambiguous.height == 0


def test_scans_of_different_patients_are_never_paired() -> None:
    scans = pl.concat(
        [scans_of(("S1", "ga68_dotatate", 0), patient="P1"), scans_of(("F1", "fdg", 1), patient="P2")]
    )
    assert pair_scans(scans).pairs.height == 0


def test_every_sstr_tracer_pairs_and_fdg_never_pairs_with_fdg() -> None:
    scans = scans_of(
        ("S1", "ga68_dotatoc", 0),
        ("F1", "fdg", 1),
        ("S2", "cu64_dotatate", 100),
        ("F2", "fdg", 101),
        ("F3", "fdg", 300),
        ("F4", "fdg", 301),
    )
    result = pair_scans(scans)
    assert pair_ids(result) == [("S1", "F1"), ("S2", "F2")]
    assert reasons(result) == {"F3": "no_partner_in_window", "F4": "no_partner_in_window"}


def test_negative_window_is_refused() -> None:
    with pytest.raises(RegistryError, match="0 days or more"):
        pair_scans(scans_of(("S1", "ga68_dotatate", 0)), window_days=-1)


scan_strategy = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2"]),
        st.sampled_from(["ga68_dotatate", "fdg"]),
        st.integers(min_value=0, max_value=120),
    ),
    max_size=25,
)


def scans_from(rows) -> pl.DataFrame:
    flat = [(f"X{i}", p, t, DAY0 + timedelta(days=d)) for i, (p, t, d) in enumerate(rows)]
    return pl.DataFrame(flat, schema=SCAN_SCHEMA, orient="row")


@settings(max_examples=60, deadline=None)
@given(scan_strategy)
def test_every_scan_is_paired_once_or_reported_unpaired(rows) -> None:
    scans = scans_from(rows)
    result = pair_scans(scans, window_days=31)
    paired = result.pairs["sstr_scan_id"].to_list() + result.pairs["fdg_scan_id"].to_list()
    assert len(paired) == len(set(paired))
    assert sorted(paired + result.unpaired["scan_id"].to_list()) == sorted(scans["scan_id"].to_list())
    assert result.pairs.filter(pl.col("gap_days") > 31).height == 0


@settings(max_examples=60, deadline=None)
@given(scan_strategy, st.randoms(use_true_random=False))
def test_pairing_does_not_depend_on_row_order(rows, rnd) -> None:
    scans = scans_from(rows)
    shuffled = scans.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(2**32))
    first, second = pair_scans(scans), pair_scans(shuffled)
    assert first.pairs.equals(second.pairs)
    assert first.unpaired.sort("scan_id").equals(second.unpaired.sort("scan_id"))
    assert first.ambiguous.equals(second.ambiguous)


# -- the registry ------------------------------------------------------------------------------------


def test_pair_registry_adds_timepoints_for_unpaired_scans_and_logs_them(scored_registry: Registry) -> None:
    result = pair_registry(scored_registry, operator="tester")
    assert result.pairs["timepoint_id"].to_list() == ["C-S1+C-F1"]
    assert reasons(result) == {
        "C-S2": "no_partner_in_window",
        "C-S3": "ambiguous",
        "C-F2": "ambiguous",
        "C-S4": "ambiguous",
    }
    stored = scored_registry.query(
        "select timepoint_id, sstr_scan_id, fdg_scan_id from timepoints where patient_id = 'C'"
    )
    assert stored.rows() == [("C-S1+C-F1", "C-S1", "C-F1")]
    log = scored_registry.query(
        "select operator, command, table_name, row_key, patient_id, action from change_log"
    )
    assert log.rows() == [("tester", "pair", "timepoints", "C-S1+C-F1", "C", "insert")]


def test_pair_registry_twice_adds_nothing_more(scored_registry: Registry) -> None:
    pair_registry(scored_registry)
    again = pair_registry(scored_registry)
    assert again.pairs.height == 0
    assert scored_registry.query("select count(*) as n from timepoints")["n"][0] == 5


def test_dry_run_writes_nothing(scored_registry: Registry) -> None:
    result = pair_registry(scored_registry, dry_run=True)
    assert result.pairs.height == 1
    assert scored_registry.query("select count(*) as n from timepoints")["n"][0] == 4
    assert scored_registry.query("select count(*) as n from change_log")["n"][0] == 0


def test_pair_registry_reads_window_from_settings(scored_registry: Registry) -> None:
    scored_registry.set_setting("pairing_window_days", "7")  # C-S1 and C-F1 are 14 days apart
    assert pair_registry(scored_registry, dry_run=True).pairs.height == 0
    assert pair_registry(scored_registry, window_days=14, dry_run=True).pairs.height == 1


def test_pair_registry_refuses_a_generated_id_already_in_use(scored_registry: Registry) -> None:
    with scored_registry.transaction() as con:
        con.execute("update timepoints set timepoint_id = 'C-S1+C-F1' where timepoint_id = 'A-T3'")
        rederive(con)
    with pytest.raises(RegistryError, match="C-S1\\+C-F1 is already used"):
        pair_registry(scored_registry)
    assert scored_registry.query("select count(*) as n from timepoints")["n"][0] == 4


def test_pairing_inside_an_import_transaction_records_its_batch(scored_registry: Registry) -> None:
    with scored_registry.transaction() as con:
        result = pair_unpaired_scans(con, window_days=31, operator="importer", command="import", batch_id=7)
    assert result.pairs["timepoint_id"].to_list() == ["C-S1+C-F1"]
    stored = scored_registry.query("select batch_id from timepoints where timepoint_id = 'C-S1+C-F1'")
    assert stored["batch_id"].to_list() == [7]
    log = scored_registry.query("select command, batch_id from change_log")
    assert log.rows() == [("import", 7)]


def test_pairing_rolls_back_with_the_callers_transaction(scored_registry: Registry) -> None:
    def failing_import() -> None:
        with scored_registry.transaction() as con:
            pair_unpaired_scans(con, window_days=31, operator="importer")
            raise RuntimeError("import failed later")

    with pytest.raises(RuntimeError, match="import failed"):
        failing_import()
    assert scored_registry.query("select count(*) as n from timepoints")["n"][0] == 4
    assert scored_registry.query("select count(*) as n from change_log")["n"][0] == 0


def test_import_with_pair_adds_timepoints_for_a_folder_of_scans_only(registry: Registry, tmp_path) -> None:
    """A site that sends scans but no timepoints: `import --pair` pairs them in the import's transaction."""
    from netpet.registry.ingest import import_folder

    folder = tmp_path / "scans_only"
    folder.mkdir()
    (folder / "patients.csv").write_text(
        "patient_id,diagnosis_date,primary_site\nNP-1,2019-01-01,pancreas\nNP-2,2019-06-01,lung\n"
    )
    (folder / "pet_scans.csv").write_text(
        "scan_id,patient_id,tracer,scan_date\n"
        "S1,NP-1,ga68_dotatate,2020-01-01\nF1,NP-1,fdg,2020-01-08\n"  # 7 days apart: paired
        "S2,NP-2,ga68_dotatoc,2020-03-01\nF2,NP-2,fdg,2020-05-01\n"  # 61 days apart: left unpaired
    )
    summary = import_folder(registry, folder, pair=True)
    pairing = summary.filter(summary["file"] == "(pairing)")
    assert pairing["inserted"].to_list() == [1]
    timepoints = registry.query("select timepoint_id, patient_id, batch_id from timepoints")
    assert timepoints["timepoint_id"].to_list() == ["S1+F1"]
    batch = registry.query("select max(batch_id) as b from import_batches")["b"][0]
    assert timepoints["batch_id"].to_list() == [batch]


def test_pair_registry_records_the_operator_from_netpet_user(
    scored_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPET_USER", "data-manager-7")
    pair_registry(scored_registry)
    operators = scored_registry.query("select distinct operator from change_log")["operator"].to_list()
    assert operators == ["data-manager-7"]
