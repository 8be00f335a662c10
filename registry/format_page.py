"""Render the import format's user page (`docs/import-format.md`) from the column spec in `netpet.registry.columns`.

The page is generated, never edited by hand: `python -m netpet.registry.format_page > docs/import-format.md` rewrites it,
and `tests/test_format_page.py` fails when the committed page and the spec disagree. The rules themselves live in
`netpet.registry.columns`; this module only words them.
"""

from __future__ import annotations

from netpet.registry.columns import TABLES, Column, Table

INTRO = """\
# The registry's import format

<!-- Generated from registry/columns.py by `python -m netpet.registry.format_page > docs/import-format.md`; do not edit. -->

Sites send their data as a folder of tables, one file per table: CSV (UTF-8, header row, comma-separated,
ISO dates `YYYY-MM-DD`, empty cell = missing) or Parquet with the same column names. `netpet import FOLDER`
takes such a folder; any table may be absent (an import of `outcomes.csv` alone updates follow-up). Column
order does not matter; unknown columns are an error unless the user asks to ignore them. These names are a
public contract: other tools and other sites write them. The registry may store more than this, and may
accept more (Excel workbooks, REDCap exports: below), but it always accepts exactly this.

Identifiers are the registry's pseudonyms (never names or medical record numbers). Enumerated values are
lower-case and case-insensitive on input; the registry stores them canonically. Booleans are `true`/`false`
(also `t`/`f`, `yes`/`no`, `1`/`0`). A date such as `03/04/2021` is refused as ambiguous unless the import names
its format (`netpet import --date-format %d/%m/%Y`). A worked example that imports cleanly is in
`docs/examples/site-folder/`; `netpet template --out DIR` writes empty tables with these headers.
"""

OUTRO = """\
The timepoint's date is the later of its two scan dates.

Overall survival runs from the origin (by default the patient's first dual-PET timepoint) to death, censored
at the latest of the patient's outcome and scan dates when alive. Nothing may be dated after a death.

## Other ways in

- **An Excel workbook** (`netpet import workbook.xlsx`): one sheet per table, named as the tables above, the
  header in row 1. Dates may be real Excel dates or ISO text; formulas are read as the values Excel saved.
  Errors read `workbook.xlsx[sheet]:row:column: message` with Excel's row numbers. `netpet template --out DIR
  --format xlsx` writes such a workbook with drop-down lists for the enumerated columns.
- **A REDCap project** (`netpet import --from redcap export.csv`): the "CSV (raw data)" export of a project built
  from `redcap/netpet_data_dictionary.csv`; see `docs/redcap.md`.

Whichever way in, the import is all or nothing: every problem is reported at once with its file, row and column,
and nothing is written unless everything is valid.
"""


def column_type(column: Column) -> str:
    """Say a column's type and allowed values as the page shows them."""
    if column.kind == "enum":
        return ", ".join(f"`{v}`" for v in column.values)
    if column.kind == "score":
        return "`0`–`5` or `P0`–`P5`"
    if column.kind == "date":
        return "date (`YYYY-MM-DD`)"
    if column.kind == "boolean":
        return "boolean (`true`/`false`)"
    if column.kind in ("number", "integer"):
        return f"{column.kind} {_bounds(column)}".rstrip()
    return column.kind


def _bounds(column: Column) -> str:
    if column.low is not None and column.high is not None:
        return f"{column.low:g}–{column.high:g}"
    if column.low is not None:
        return f"{'>' if column.low_open else '≥'} {column.low:g}"
    return "" if column.high is None else f"≤ {column.high:g}"


def required_text(column: Column) -> str:
    """Say whether a column must be filled: yes, no, or the condition under which it must."""
    return "yes" if column.required else column.required_when or "no"


def table_section(table: Table) -> str:
    """Return the page's section for one table: heading, grain and one line per column."""
    lines = [
        f"## {table.name}.csv ({table.grain})",
        "| column | type | required | unit | notes |",
        "|---|---|---|---|---|",
    ]
    for column in table.columns:
        notes = column.note
        if column.name in table.parents and not notes:
            notes = f"must exist in `{table.parents[column.name]}` (in the registry or in the same import)"
        lines.append(
            f"| {column.name} | {column_type(column)} | {required_text(column)} | {column.unit} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def import_format_markdown() -> str:
    """Return the whole `docs/import-format.md` page."""
    return "\n".join([INTRO, *(table_section(t) for t in TABLES), OUTRO])


if __name__ == "__main__":
    print(import_format_markdown(), end="")
