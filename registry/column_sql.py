"""The SQL the import writes once per spec column, as named pieces of identifiers checked against the column spec.

DuckDB binds values, never identifiers, so a statement over a table's columns must name them. Each piece here is
one named function of a `SpecColumn` (a column's file name and stored name, both checked against the spec's
vocabulary) or a named constant; `joined` lists a piece over columns. Values are always bound (`$low_<column>`
and the like are parameters). The statements that take these lists live in `sql/queries/ingest/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from netpet.registry.columns import TABLES, Table, stored_name

#: Prefixes of the temp tables, views and kept texts the import names after spec tables and columns.
_PREFIXES = ("", "_typed_", "_parsed_", "_file_", "_all_", "r_")
#: Every identifier the import's SQL may name: tables, file and stored column names, with their prefixes.
VOCABULARY = frozenset(
    prefix + name
    for table in TABLES
    for name in (table.name, *table.column_names, *(stored_name(table.name, c) for c in table.column_names))
    for prefix in _PREFIXES
)


class Sql(str):
    """SQL text built from the files under `sql/queries/ingest/` and identifiers from the spec only."""


def identifier(value: str) -> str:
    """Return `value` if the column spec names it (a table, column or import temporary), else refuse it."""
    if value not in VOCABULARY:
        raise ValueError(f"{value!r} is not an identifier of the column spec")
    return value


@dataclass(frozen=True)
class SpecColumn:
    """A spec column as the import's SQL names it: `name` as in files (its kept text is `r_<name>`), `stored` as
    the registry stores it; both checked against the spec's vocabulary."""

    name: str
    stored: str

    @classmethod
    def of(cls, table: Table, name: str) -> SpecColumn:
        """The column `name` of `table`, with the registry column that stores it."""
        return cls(identifier(name), identifier(stored_name(table.name, name)))


#: Always true (a filter that keeps every row).
ALWAYS = Sql("true")
#: Always false (a check that finds nothing, e.g. the range of an unbounded column).
NEVER = Sql("false")
#: Makes DuckDB read every column of a CSV file, also those outside the spec (see parse_file.sql).
READ_EVERY_COLUMN = Sql("length(concat_ws('', *columns(*))) >= 0")
#: The patient of an imported row `i` of a table with a patient_id column.
PATIENT_DIRECT = Sql("i.patient_id")
#: The patient of an imported lesion read `i`, through its timepoint (registry or import).
PATIENT_VIA_TIMEPOINT = Sql("(select tp.patient_id from _all_timepoints tp where tp.timepoint_id = i.timepoint_id)")
#: An ISO date as DuckDB's regexp_full_match reads it.
_ISO_DATE = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'"


def joined(piece: Callable[[SpecColumn], str], table: Table, columns: Iterable[str], sep: str = ", ") -> Sql:
    """Write `piece` once per column of `table` and join the pieces with `sep`."""
    return Sql(sep.join(piece(SpecColumn.of(table, c)) for c in columns))


# Pieces read by the checks and the writes: `i` is an imported row, `r` a registry row.


def key_match(c: SpecColumn) -> str:
    """Imported row `i` and registry row `r` agree on this key column."""
    return f"i.{c.name} = r.{c.name}"


def key_part(c: SpecColumn) -> str:
    """A key column of `i` as text, a part of the key `key_text` writes."""
    return f"cast(i.{c.name} as varchar)"


def key_text(parts: str) -> Sql:
    """An imported row's key as text (`T1|liver-s7`), from its `key_part`s."""
    return Sql(f"concat_ws('|', {parts})")


def present(c: SpecColumn) -> str:
    """Imported row `i` has a value in this column."""
    return f"i.{c.name} is not null"


def differs(c: SpecColumn) -> str:
    """Imported row `i` and registry row `r` differ in this (stored) column."""
    return f"i.{c.name} is distinct from r.{c.name}"


def changed_name(c: SpecColumn) -> str:
    """The column's file name where `i` and `r` differ in it, else null."""
    return f"case when i.{c.stored} is distinct from r.{c.stored} then '{c.name}' end"


def assignment(c: SpecColumn) -> str:
    """Set the registry row's column to the imported value."""
    return f"{c.stored} = i.{c.stored}"


def struct_field(c: SpecColumn) -> str:
    """The imported value as a field of a logged struct."""
    return f"{c.stored} := i.{c.stored}"


def r_struct_field(c: SpecColumn) -> str:
    """The registry's value as a field of a logged struct."""
    return f"{c.stored} := r.{c.stored}"


def export_column(c: SpecColumn) -> str:
    """The stored column under its file name, as the interchange format writes it."""
    return f"{c.stored} as {c.name}"


# Pieces of parse_file.sql and the cell checks: `r_<name>` is a cell's text, `<stored>` its parsed value.


def raw_present(c: SpecColumn) -> str:
    """A file column's cell as text, trimmed only when an end could be a space; empty text is null."""
    text = f'cast("{c.name}" as varchar)'
    return (f"case when starts_with({text}, ' ') or ends_with({text}, ' ') or strlen({text}) <> length({text}) "
            f"then nullif(trim({text}), '') else nullif({text}, '') end as r_{c.name}")


def raw_as_written(c: SpecColumn) -> str:
    """A file column's cell as text, where no cell of the file starts or ends with a space; empty text is null."""
    return f"nullif(cast(\"{c.name}\" as varchar), '') as r_{c.name}"


def raw_missing(c: SpecColumn) -> str:
    """The text of a spec column the file does not have: null."""
    return f"null::varchar as r_{c.name}"


def parse_text(c: SpecColumn) -> str:
    """A text cell, unless it starts like a spreadsheet formula (`$formula_start`)."""
    return f"case when not regexp_matches(r_{c.name}, $formula_start) then r_{c.name} end as {c.stored}"


def parse_number(c: SpecColumn) -> str:
    """A finite number."""
    value = f"try_cast(r_{c.name} as double)"
    return f"case when isfinite({value}) then {value} end as {c.stored}"


def parse_integer(c: SpecColumn) -> str:
    """A whole number below 1e15 in magnitude, written as an integer or a number with a zero fraction."""
    value = f"try_cast(r_{c.name} as double)"
    return f"case when {value} = trunc({value}) and abs({value}) < 1e15 then {value}::bigint end as {c.stored}"


def parse_date(c: SpecColumn) -> str:
    """An ISO date, else a date in the session's accepted format (`date_format_accepted`)."""
    return (f"case when regexp_full_match(r_{c.name}, {_ISO_DATE}) then try_strptime(r_{c.name}, '%Y-%m-%d')::date "
            f"when getvariable('netpet_date_format') is not null "
            f"then try_strptime(r_{c.name}, getvariable('netpet_date_format'))::date end as {c.stored}")


def parse_boolean(c: SpecColumn) -> str:
    """true/false as written, else the spellings of yes and no in any case."""
    raw = f"r_{c.name}"
    return (f"case {raw} when 'true' then true when 'false' then false else case "
            f"when lower({raw}) in ('true', 't', 'yes', '1') then true "
            f"when lower({raw}) in ('false', 'f', 'no', '0') then false end end as {c.stored}")


def parse_enum(c: SpecColumn) -> str:
    """A level of `$canon_<name>` as written, else matched in lower case (`$lower_<name>`)."""
    canon, raw = f"$canon_{c.name}", f"r_{c.name}"
    return (f"({canon})[coalesce(list_position({canon}, {raw}), list_position($lower_{c.name}, lower({raw})))] "
            f"as {c.stored}")


def parse_score(c: SpecColumn) -> str:
    """A NETPET score written 0-5 or P0-P5."""
    return (f"case when regexp_full_match(upper(r_{c.name}), 'P?[0-5]') then cast(right(r_{c.name}, 1) as tinyint) "
            f"end as {c.stored}")


def parse_formula_free_text(c: SpecColumn) -> str:
    """A text cell of a file in which no cell starts like a formula (`FileScan.formula_free`): as written."""
    return f"r_{c.name} as {c.stored}"


#: The parse piece of each column kind of the spec.
PARSE: dict[str, Callable[[SpecColumn], str]] = {
    "text": parse_text, "number": parse_number, "integer": parse_integer, "date": parse_date,
    "boolean": parse_boolean, "enum": parse_enum, "score": parse_score,
}


def out_of_range(c: SpecColumn) -> str:
    """The parsed value lies outside its bound parameters `$low_<name>` (open if `$low_open_<name>`), `$high_<name>`."""
    low = f"$low_{c.name}"
    return (f"{c.stored} < {low} or ($low_open_{c.name} and {c.stored} = {low}) "
            f"or {c.stored} > $high_{c.name}")


def kept_text(c: SpecColumn, range_check: str) -> str:
    """The cell's text, kept only where its value did not parse or is out of range (`range_check`)."""
    return f"case when {c.stored} is null or ({range_check}) then r_{c.name} end as r_{c.name}"


def no_text(c: SpecColumn) -> str:
    """No text was kept for this cell (it parsed and is in range, or is empty)."""
    return f"r_{c.name} is null"


def text_at(c: SpecColumn, index: int) -> str:
    """The kept text of the `index`-th column (from 1) of a row's `_texts` list."""
    return f"_texts[{int(index)}] as r_{c.name}"


def raw_kept(c: SpecColumn) -> str:
    """The text kept for a cell that is not text (see `kept_text`)."""
    return f"r_{c.name}"


def raw_text(c: SpecColumn) -> str:
    """The text of a text cell: its kept text, else its value."""
    return f"coalesce(r_{c.name}, {c.stored})"


def kept_problem(c: SpecColumn) -> str:
    """A cell of a column that is not text has a problem: empty though `$required_<name>`, or its text was kept."""
    return f"($required_{c.name} and {c.stored} is null and r_{c.name} is null) or r_{c.name} is not null"


def parsed_problem(c: SpecColumn, range_check: str) -> str:
    """`kept_problem` told from a cell's text and value before any text is kept (a first load keeps none): no
    value though there is text or `$required_<name>`, else a value out of range (`range_check`)."""
    return (f"case when {c.stored} is null then r_{c.name} is not null or $required_{c.name} "
            f"else coalesce({range_check}, false) end")


def parsed_text_problem(c: SpecColumn, range_check: str, control_check: str) -> str:
    """`text_problem` told from a text cell's text and value, as `parsed_problem`."""
    return f"{parsed_problem(c, range_check)} or length({c.stored}) > $max_chars or {control_check}"


def control(c: SpecColumn) -> str:
    """The text cell holds a control character (`$control`)."""
    return f"regexp_matches({c.stored}, $control)"


def text_problem(c: SpecColumn, control_check: str) -> str:
    """A text cell has a problem: as `kept_problem`, or too long (`$max_chars`), or `control_check`."""
    return f"{kept_problem(c)} or length({c.stored}) > $max_chars or {control_check}"
