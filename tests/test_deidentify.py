"""De-identified exports keep intervals and linkage, and lose identifiers, calendar dates and free text."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.registry import RegistryError
from netpet.registry.deidentify import date_shift_days, deidentify_tables, pseudonym

SECRET = b"a project secret of 32 bytes...."


def _tables() -> dict[str, pl.DataFrame]:
    patients = pl.DataFrame(
        {
            "patient_id": ["NP-1", "NP-2"],
            "birth_date": [date(1950, 6, 1), date(1971, 1, 9)],
            "diagnosis_date": [date(2015, 1, 10), date(2018, 3, 3)],
        }
    )
    outcomes = pl.DataFrame(
        {
            "patient_id": ["NP-1", "NP-1", "NP-2"],
            "outcome": ["progression", "death", "last_contact"],
            "outcome_date": [date(2016, 2, 1), date(2017, 5, 5), date(2020, 1, 1)],
            "detail": ["recist_1_1", "carcinoid crisis at St Elsewhere", None],
        }
    )
    return {"patients": patients, "outcomes": outcomes}


def test_ids_become_keyed_pseudonyms_consistent_across_tables() -> None:
    out = deidentify_tables(_tables(), SECRET)
    assert "NP-1" not in out["patients"]["patient_id"].to_list()
    assert set(out["outcomes"]["patient_id"]) == set(out["patients"]["patient_id"])
    assert out["patients"]["patient_id"][0] == pseudonym(SECRET, "NP-1")
    assert pseudonym(b"another secret of 32 bytes......", "NP-1") != pseudonym(SECRET, "NP-1")


def test_intervals_are_kept_and_dates_moved() -> None:
    tables = _tables()
    out = deidentify_tables(tables, SECRET)
    shift = date_shift_days(SECRET, "NP-1")
    assert out["patients"]["diagnosis_date"][0] == date.fromordinal(date(2015, 1, 10).toordinal() + shift)
    joined = out["outcomes"].join(out["patients"], on="patient_id")
    original = tables["outcomes"].join(tables["patients"], on="patient_id")
    assert (joined["outcome_date"] - joined["diagnosis_date"]).to_list() == (
        original["outcome_date"] - original["diagnosis_date"]
    ).to_list()


def test_free_text_dropped_and_birth_date_coarsened_to_year() -> None:
    out = deidentify_tables(_tables(), SECRET)
    assert "detail" not in out["outcomes"].columns
    assert "birth_date" not in out["patients"].columns
    assert out["patients"]["birth_year"].to_list() == [1950, 1971]


def test_short_secret_is_refused() -> None:
    with pytest.raises(RegistryError, match="at least 16 bytes"):
        deidentify_tables(_tables(), b"short")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20), st.integers(min_value=1, max_value=1000))
def test_shift_stays_within_its_bound(patient_id: str, bound: int) -> None:
    assert -bound <= date_shift_days(SECRET, patient_id, max_shift_days=bound) <= bound
