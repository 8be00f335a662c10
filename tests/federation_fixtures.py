"""Site registries for the federation tests, from the rows R analysed (tests/reference/federation).

`combined.csv` holds site, NETPET group, follow-up in days and event for three sites, with no IDs and no
dates; here each row gets a registry ID (`NOR-0001`, ...) and a first-timepoint date, and is inserted with
plain SQL (tests/data/federation_site.sql), so the registries' survival frames are exactly R's rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from tests.scoring_fixtures import rederive

REFERENCE = Path(__file__).parent / "reference" / "federation"
SITE_SQL = Path(__file__).parent / "data" / "federation_site.sql"

#: Registry IDs are the site's first three letters, a dash and four digits; dates are ISO dates.
ID_PATTERN = r"\b[A-Z]{3}-\d{4}\b"
DATE_PATTERN = r"\b\d{4}-\d{2}-\d{2}\b"

#: A recorded score for each NETPET group (P2-4 spread over 2, 3 and 4).
_SCORES = {"P1": [1], "P2-4": [2, 3, 4], "P5": [5]}


def combined_rows() -> pl.DataFrame:
    """The rows of all sites, with a registry ID, a first-timepoint date and a recorded score each."""
    rows = pl.read_csv(REFERENCE / "combined.csv").with_row_index("i")
    return rows.with_columns(
        patient_id=pl.format("{}-{}", pl.col("site").str.slice(0, 3).str.to_uppercase(),
                             (pl.col("i") + 1).cast(pl.String).str.zfill(4)),
        origin_date=pl.col("i").map_elements(lambda i: date(2012, 1, 2) + timedelta(days=(i * 37) % 2900),
                                             return_dtype=pl.Date),
        score=pl.struct("group", "i").map_elements(
            lambda r: _SCORES[r["group"]][r["i"] % len(_SCORES[r["group"]])], return_dtype=pl.Int64),
    )


def fill_registry(reg: Registry, rows: pl.DataFrame) -> Registry:
    """Insert `rows` (from `combined_rows`) into `reg` in one transaction, and derive scores as an import does."""
    with reg.transaction() as con:
        con.register("site_rows", rows.select("patient_id", "site", "origin_date", "days", "event", "score"))
        con.execute(SITE_SQL.read_text(encoding="utf-8"))
        con.unregister("site_rows")
        rederive(con)
    return reg


def site_rows(site: str) -> pl.DataFrame:
    """The rows of one site."""
    return combined_rows().filter(pl.col("site") == site)
