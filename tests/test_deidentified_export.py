"""`netpet export --deidentify`: linkage and intervals survive; IDs, real dates, free text and birth dates do not.

The registry holds 20 demo patients imported through the real importer, plus a saved cohort. Every test
reads the files written, so what is checked is what leaves the registry.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.cli import cli
from netpet.registry import Registry, RegistryError
from netpet.registry.cohorts import build_cohort
from netpet.registry.deidentify import date_shift_days, project_secret, pseudonym
from netpet.registry.export import export_views, neutralise_formulas
from netpet.registry.ingest import import_folder
from tests.reliability_fixtures import demo_folder

SECRET = b"project secret for the export tests"
ID_COLUMNS = ("patient_id", "timepoint_id", "sstr_scan_id", "fdg_scan_id", "treatment_id")


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deid")
    path = root / "registry.duckdb"
    with Registry.create(path) as reg:
        import_folder(reg, demo_folder(root / "data", patients=20, seed=3, prefix="D"))
        build_cohort(reg, "include: [who_grade: [G1, G2]]", "low_grade")
    return path


def _export(path: Path, out: Path, **options: object) -> dict[str, pl.DataFrame]:
    with Registry.open(path, read_only=True) as reg:
        files = export_views(reg, out, cohort="low_grade", **options)  # type: ignore[arg-type]
    read = pl.read_csv if options.get("fmt") == "csv" else pl.read_parquet
    return {f.stem: read(f, try_parse_dates=True) if read is pl.read_csv else read(f) for f in files}


@pytest.fixture(scope="module")
def plain(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    return _export(demo_path, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def deidentified_csv(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deid_csv")
    with Registry.open(demo_path, read_only=True) as reg:
        export_views(reg, out, cohort="low_grade", fmt="csv", deidentify=True, secret=SECRET)
    return out


def test_no_original_id_appears_in_any_file(plain: dict[str, pl.DataFrame], deidentified_csv: Path) -> None:
    originals = {v for frame in plain.values() for c in ID_COLUMNS if c in frame.columns for v in frame[c]}
    assert len(originals) > 100
    for path in deidentified_csv.iterdir():
        text = path.read_text()
        assert [v for v in originals if v in text] == [], path.name


def test_no_patient_keeps_any_original_date(plain: dict[str, pl.DataFrame], deidentified_csv: Path) -> None:
    """For every file and date column: no (patient, date) pair of the original survives, patient mapped back."""
    for name, frame in plain.items():
        shifted = pl.read_csv(deidentified_csv / f"{name}.csv", try_parse_dates=True)
        back = {pseudonym(SECRET, p): p for p in frame["patient_id"]}
        dates = [c for c, t in frame.schema.items() if t == pl.Date and c != "birth_date"]
        original = {(p, d) for c in dates for p, d in zip(frame["patient_id"], frame[c], strict=True) if d}
        exported = {(back[p], d) for c in dates for p, d in zip(shifted["patient_id"], shifted[c], strict=True) if d}
        assert original, name
        assert original.isdisjoint(exported), name


def test_each_patient_moves_by_one_offset_and_intervals_are_kept(
    plain: dict[str, pl.DataFrame], deidentified_csv: Path
) -> None:
    before = plain["patient_survival"].sort("patient_id")
    after = pl.read_csv(deidentified_csv / "patient_survival.csv", try_parse_dates=True)
    after = after.with_columns(
        pl.col("patient_id").replace_strict({pseudonym(SECRET, p): p for p in before["patient_id"]})
    )
    after = after.sort("patient_id")
    assert after["patient_id"].to_list() == before["patient_id"].to_list()
    for column in ("os_days", "pfs_days", "ttp_days", "os_from_diagnosis_days", "os_event", "netpet_group"):
        assert after[column].to_list() == before[column].to_list(), column
    for p, old, new in zip(before["patient_id"], before["diagnosis_date"], after["diagnosis_date"], strict=True):
        assert new - old == timedelta(days=date_shift_days(SECRET, p)), p
        assert new - old != timedelta(0)


def test_pseudonyms_link_the_files(deidentified_csv: Path) -> None:
    files = {p.stem: pl.read_csv(p) for p in deidentified_csv.iterdir()}
    patients = set(files["patient_survival"]["patient_id"])
    for name in ("timepoint_scores", "treatments", "outcomes", "cohort_survival"):
        assert set(files[name]["patient_id"]) <= patients, name
    assert set(files["cohort_survival"]["patient_id"]) == patients  # the cohort export is of its members


def test_free_text_birth_date_and_exact_ages_are_gone(plain: dict[str, pl.DataFrame], deidentified_csv: Path) -> None:
    survival = pl.read_csv(deidentified_csv / "patient_survival.csv")
    outcomes = pl.read_csv(deidentified_csv / "outcomes.csv")
    assert "detail" not in outcomes.columns
    assert "batch_id" not in outcomes.columns
    assert "birth_date" not in survival.columns
    births = plain["patient_survival"]["birth_date"].dt.year().sort().to_list()
    assert survival["birth_year"].sort().to_list() == births
    assert survival["age_at_diagnosis"].dtype == pl.Int64  # whole years in the file
    assert survival["age_at_diagnosis"].sort().to_list() == (
        plain["patient_survival"]["age_at_diagnosis"].floor().cast(pl.Int64).sort().to_list()
    )
    text = "".join(p.read_text() for p in deidentified_csv.iterdir())
    assert "recist_1_1" not in text  # outcomes.detail values
    assert "neuroendocrine tumour" not in text


def test_parquet_export_is_deidentified_the_same_way(demo_path: Path, deidentified_csv: Path, tmp_path: Path) -> None:
    files = _export(demo_path, tmp_path, deidentify=True, secret=SECRET)
    for name, frame in files.items():
        from_csv = pl.read_csv(deidentified_csv / f"{name}.csv", try_parse_dates=True)
        assert frame.columns == from_csv.columns, name
        assert frame["patient_id"].to_list() == from_csv["patient_id"].to_list(), name


def test_same_secret_same_pseudonyms_other_secret_others(demo_path: Path, tmp_path: Path) -> None:
    first = _export(demo_path, tmp_path / "a", deidentify=True, secret=SECRET)
    again = _export(demo_path, tmp_path / "b", deidentify=True, secret=SECRET)
    other = _export(demo_path, tmp_path / "c", deidentify=True, secret=b"another project secret entirely")
    ids = first["patient_survival"]["patient_id"]
    assert again["patient_survival"]["patient_id"].equals(ids)
    assert set(other["patient_survival"]["patient_id"]).isdisjoint(ids)


def test_export_refuses_to_deidentify_without_a_secret(demo_path: Path, tmp_path: Path) -> None:
    with Registry.open(demo_path, read_only=True) as reg, pytest.raises(RegistryError, match="project secret"):
        export_views(reg, tmp_path / "out", deidentify=True)
    assert not (tmp_path / "out").exists()


def test_cli_deidentifies_with_a_private_secret_file_only(demo_path: Path, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET.decode() + "\n")
    secret_file.chmod(0o644)
    args = ["--db", str(demo_path), "export", "--format", "csv", "--deidentify", "--secret-file", str(secret_file)]
    refused = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "no")])
    assert refused.exit_code == 1
    assert f"run `chmod 600 {secret_file}`" in refused.output
    assert not (tmp_path / "no").exists()
    secret_file.chmod(0o600)
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "yes")])
    assert result.exit_code == 0, result.output
    assert project_secret(secret_file) == SECRET
    written = pl.read_csv(tmp_path / "yes" / "patient_survival.csv")
    with Registry.open(demo_path, read_only=True) as reg:
        first = reg.query("select patient_id from patient_survival order by patient_id")["patient_id"][0]
    assert pseudonym(SECRET, first) in written["patient_id"].to_list()


def test_cli_takes_the_secret_from_the_environment_or_refuses(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETPET_SECRET", raising=False)
    args = ["--db", str(demo_path), "export", "--deidentify", "--max-shift-days", "30"]
    refused = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "no")])
    assert refused.exit_code == 1
    assert "set $NETPET_SECRET or give a secret file" in refused.output
    monkeypatch.setenv("NETPET_SECRET", SECRET.decode())
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "yes")])
    assert result.exit_code == 0, result.output
    shifted = pl.read_parquet(tmp_path / "yes" / "patient_survival.parquet")
    with Registry.open(demo_path, read_only=True) as reg:
        real = reg.query("select patient_id, diagnosis_date from patient_survival")
    real = real.with_columns(pl.col("patient_id").map_elements(lambda p: pseudonym(SECRET, p), pl.String))
    gaps = shifted.join(real, on="patient_id").select(
        (pl.col("diagnosis_date") - pl.col("diagnosis_date_right")).dt.total_days()
    )
    assert gaps.to_series().abs().max() <= 30
    assert gaps.to_series().abs().min() >= 1


def test_csv_export_neutralises_formula_cells() -> None:
    frame = pl.DataFrame(
        {"site": ["=1+1", "+1", "-2+3", "@A1", "\tx", "ok", None, "a=b"], "n": [-1, 2, 3, 4, 5, 6, 7, 8]}
    )
    out = neutralise_formulas(frame)
    assert out["site"].to_list() == ["'=1+1", "'+1", "'-2+3", "'@A1", "'\tx", "ok", None, "a=b"]
    assert out["n"].to_list() == frame["n"].to_list()  # numbers stay numbers


def test_csv_export_of_a_dash_site_is_not_a_formula(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "patients.csv").write_text(
        "patient_id,site,diagnosis_date,primary_site\nP1,-2+3+cmd,2015-01-01,pancreas\n"
    )
    with Registry.create(tmp_path / "r.duckdb") as reg:
        import_folder(reg, folder)  # a leading '-' is accepted on import ...
        export_views(reg, tmp_path / "out", fmt="csv")
    row = (tmp_path / "out" / "patient_survival.csv").read_text().splitlines()[1]
    assert row.startswith("P1,'-2+3+cmd,")  # ... and written so that a spreadsheet shows it as text
    assert date(2015, 1, 1).isoformat() in row


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=20), st.integers(min_value=1, max_value=1000))
def test_shift_is_never_zero_and_within_its_bound(patient_id: str, bound: int) -> None:
    assert 1 <= abs(date_shift_days(SECRET, patient_id, max_shift_days=bound)) <= bound


def test_shift_reaches_both_ends_of_a_small_bound() -> None:
    """With a bound of 1 day, the shift is -1 or +1, and both occur: the offset is not one-sided."""
    assert {date_shift_days(SECRET, f"P{i}", max_shift_days=1) for i in range(50)} == {-1, 1}
