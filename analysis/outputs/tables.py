"""Publication tables: Table 1 (baseline characteristics by NETPET group) and the Cox model table.

This module owns the layout and number formatting of tables (n (%), median [IQR], HR (95% CI), p values as
journals print them) and their writers (CSV, Markdown, HTML, LaTeX). The estimates come from
`netpet.analysis.survival.cox` and the patient rows from the `patient_survival` view; nothing here reads the registry.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.registry.columns import PRIMARY_SITES, SEXES, WHO_GRADES

#: Variables Table 1 shows by default, in this order, when the frame has them.
TABLE_ONE_VARIABLES = ("sex", "age_at_origin", "primary_site", "who_grade", "ki67_percent", "site")

#: Display names of variables and Cox terms; anything missing is shown as its own name.
LABELS: dict[str, str] = {
    "sex": "Sex",
    "age_at_origin": "Age at first dual PET (years)",
    "age_at_diagnosis": "Age at diagnosis (years)",
    "primary_site": "Primary site",
    "who_grade": "WHO grade",
    "ki67_percent": "Ki-67 index (%)",
    "site": "Centre",
    "netpet_group": "NETPET group",
    "netpet_score": "NETPET score",
}

#: What one unit of a numeric Cox term is: its HR is "per year" of age, "per percentage point" of Ki-67.
PER_UNIT: dict[str, str] = {
    "age_at_origin": "per year", "age_at_diagnosis": "per year", "age_at_entry": "per year",
    "ki67_percent": "per percentage point",
}

#: Level orders that are not alphabetical (clinical order, from the import column spec).
LEVEL_ORDERS: dict[str, tuple[str, ...]] = {
    "netpet_group": ("P1", "P2-4", "P5"),
    "netpet_score": ("P0", "P1", "P2", "P3", "P4", "P5"),
    "who_grade": WHO_GRADES,
    "primary_site": PRIMARY_SITES,
    "sex": SEXES,
}

#: Fisher's test replaces chi-square when any expected cell count is below this (Cochran's rule).
MIN_EXPECTED = 5
#: Monte Carlo tables for Fisher's test beyond 2x2; the fixed seed makes Table 1 reproducible.
FISHER_RESAMPLES = 20_000
FISHER_SEED = 2017

TEST_CHISQ = "Chi-square"
TEST_FISHER = "Fisher exact"
TEST_FISHER_MC = f"Fisher exact (Monte Carlo, {FISHER_RESAMPLES:,} tables, seed {FISHER_SEED})"
TEST_KRUSKAL = "Kruskal-Wallis"


def format_p(p: float, *, prefix: bool = True) -> str:
    """Format a p value as journals print it: ``p < 0.001``, else three decimals (``p = 0.012``).

    Parameters
    ----------
    p : float
        The p value, in [0, 1].
    prefix : bool
        Start with ``p`` and the relation (``p = 0.012``); without it, ``0.012`` or ``<0.001``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_p(0.00004), format_p(0.0123), format_p(0.5, prefix=False)
    ('p < 0.001', 'p = 0.012', '0.500')
    """
    if p is None or math.isnan(p) or not 0.0 <= p <= 1.0:
        raise AnalysisError(f"a p value must be a number in [0, 1], got {p!r}")
    if p < 0.001:
        relation, text = "<", "0.001"
    elif p > 0.999:
        relation, text = ">", "0.999"
    else:
        relation, text = "=", f"{p:.3f}"
    if prefix:
        return f"p {relation} {text}"
    return text if relation == "=" else f"{relation}{text}"


def ordered_levels(variable: str, values: Sequence[object]) -> list[str]:
    """Return the distinct non-null `values` in clinical order for `variable`, else alphabetical."""
    present = {str(v) for v in values if v is not None}
    known = [level for level in LEVEL_ORDERS.get(variable, ()) if level in present]
    return known + sorted(present - set(known))


def table_one(
    patients: pl.DataFrame, *, by: str = "netpet_group", variables: Sequence[str] | None = None
) -> pl.DataFrame:
    """Return baseline characteristics by group with an Overall column and a test per variable.

    Categorical variables show n (%) per level, with percentages of the non-missing values; continuous
    (numeric) variables show median [IQR] (quartiles as R's default, type 7). A Missing row follows any
    variable with missing values. Categorical rows are tested with chi-square (Yates-corrected for 2x2,
    as R's ``chisq.test``), or Fisher's exact test when an expected count is below 5 (Monte Carlo p
    with a fixed seed beyond 2x2); continuous rows with Kruskal-Wallis. Patients with no `by` value are
    left out of every column (P0 and unscored patients have no NETPET group).

    Parameters
    ----------
    patients : pl.DataFrame
        One row per patient, such as the `patient_survival` view.
    by : str
        The grouping column; its levels become columns in clinical order.
    variables : sequence of str, optional
        Columns to describe; default: those of `TABLE_ONE_VARIABLES` that `patients` has.

    Returns
    -------
    pl.DataFrame
        Columns variable, level, Overall, one per group, p (float, on the variable's first row) and
        test. The first row is the patient count.
    """
    data = patients.filter(pl.col(by).is_not_null()).with_columns(pl.col(by).cast(pl.String))
    groups = ordered_levels(by, data[by].to_list())
    if variables is None:
        variables = [v for v in TABLE_ONE_VARIABLES if v in data.columns]
    rows: list[dict[str, object]] = [
        {"variable": "n", "level": None, "Overall": str(data.height),
         **{g: str(data.filter(pl.col(by) == g).height) for g in groups}, "p": None, "test": None}
    ]
    for variable in variables:
        if data.schema[variable].is_numeric():
            rows.extend(_continuous_rows(data, variable, by, groups))
        else:
            rows.extend(_categorical_rows(data, variable, by, groups))
    schema = {"variable": pl.String, "level": pl.String, "Overall": pl.String,
              **dict.fromkeys(groups, pl.String), "p": pl.Float64, "test": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


Row = dict[str, object]


def _continuous_rows(data: pl.DataFrame, variable: str, by: str, groups: list[str]) -> list[Row]:
    """Median [IQR] per column, the Kruskal-Wallis test and a Missing row when any value is missing."""
    from netpet.analysis.outputs.table_tests import kruskal_p

    columns = {"Overall": data, **{g: data.filter(pl.col(by) == g) for g in groups}}
    samples = [columns[g][variable].drop_nulls().to_numpy() for g in groups]
    tested = [s for s in samples if len(s) > 0]
    p = kruskal_p(tested) if len(tested) >= 2 and _varies(tested) else None
    row: Row = {"variable": LABELS.get(variable, variable), "level": "Median [IQR]",
           **{name: _median_iqr(frame[variable]) for name, frame in columns.items()},
           "p": p, "test": TEST_KRUSKAL if p is not None else None}
    return [row, *_missing_row(columns, variable)]


def _varies(samples: list) -> bool:
    """Say whether the pooled samples hold two or more distinct values (Kruskal-Wallis needs it)."""
    import numpy as np

    return len(np.unique(np.concatenate(samples))) > 1


def _median_iqr(values: pl.Series) -> str:
    """Format the median [Q1, Q3] of the non-missing values, with one decimal."""
    values = values.drop_nulls().cast(pl.Float64)
    if values.is_empty():
        return "–"
    q1, med, q3 = (values.quantile(q, interpolation="linear") for q in (0.25, 0.5, 0.75))
    return f"{med:.1f} [{q1:.1f}, {q3:.1f}]"


def _categorical_rows(data: pl.DataFrame, variable: str, by: str, groups: list[str]) -> list[Row]:
    """A header row with the test, n (%) per level and a Missing row when any value is missing."""
    values = data.with_columns(pl.col(variable).cast(pl.String))
    levels = ordered_levels(variable, values[variable].to_list())
    columns = {"Overall": values, **{g: values.filter(pl.col(by) == g) for g in groups}}
    counts = [[columns[g].filter(pl.col(variable) == level).height for g in groups] for level in levels]
    p, test = _categorical_test(counts)
    rows: list[dict[str, object]] = [
        {"variable": LABELS.get(variable, variable), "level": None,
         **dict.fromkeys(columns, None), "p": p, "test": test}
    ]
    for level in levels:
        cells = {}
        for name, frame in columns.items():
            known = frame[variable].drop_nulls().len()
            n = frame.filter(pl.col(variable) == level).height
            cells[name] = f"{n} ({100 * n / known:.1f})" if known else "0"
        rows.append({"variable": LABELS.get(variable, variable), "level": level, **cells,
                     "p": None, "test": None})
    return rows + _missing_row(columns, variable)


def _categorical_test(counts: list[list[int]]) -> tuple[float | None, str | None]:
    """Chi-square, or Fisher's exact test when an expected count is below `MIN_EXPECTED`."""
    import numpy as np

    from netpet.analysis.outputs.table_tests import chi2_contingency_p

    if not counts:
        return None, None
    table = np.array(counts, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return None, None
    p, smallest_expected = chi2_contingency_p(table)
    if smallest_expected >= MIN_EXPECTED:
        return p, TEST_CHISQ
    from scipy import stats  # Fisher's exact test only: scipy.stats costs 0.5-1 s to import

    if table.shape == (2, 2):
        return float(stats.fisher_exact(table).pvalue), TEST_FISHER
    method = stats.MonteCarloMethod(n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(FISHER_SEED))
    # scipy returns a length-1 array rather than a scalar for some table shapes.
    return float(np.ravel(stats.fisher_exact(table, method=method).pvalue)[0]), TEST_FISHER_MC


def _missing_row(columns: Mapping[str, pl.DataFrame], variable: str) -> list[dict[str, object]]:
    """A Missing row (counts) when any patient lacks `variable`, else nothing."""
    missing = {name: frame[variable].null_count() for name, frame in columns.items()}
    if not missing["Overall"]:
        return []
    return [{"variable": LABELS.get(variable, variable), "level": "Missing",
             **{name: str(n) for name, n in missing.items()}, "p": None, "test": None}]


def cox_table(coef_table: pl.DataFrame, reference: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Return a Cox model table for publication: one row per term, with reference levels as rows.

    Parameters
    ----------
    coef_table : pl.DataFrame
        The tidy coefficients of `netpet.analysis.survival.cox`: term (``variable=level`` for factor levels), hr,
        hr_lower, hr_upper, p and optionally estimable; an estimate that is not estimable (R's warning of
        no convergence or an infinite coefficient, or a non-finite number) shows as "not estimable".
    reference : mapping of str to str, optional
        Reference level of each factor, e.g. ``{"netpet_group": "P1"}``; shown as ``1 (reference)``.

    Returns
    -------
    pl.DataFrame
        Columns variable, level, "HR (95% CI)" and p, all strings, factor levels under their variable; the
        level of a numeric term says what its HR is per (`PER_UNIT`, e.g. "per year" of age).
    """
    from netpet.analysis.studies.cox_warnings import NOT_ESTIMABLE, estimable_row

    rows = []
    for variable, level, coef in term_rows(coef_table, reference):
        if coef is None:
            rows.append((LABELS.get(variable, variable), level, "1 (reference)", ""))
        elif not estimable_row(coef):
            rows.append((LABELS.get(variable, variable), level, NOT_ESTIMABLE, ""))
        else:
            estimate = f"{coef['hr']:.2f} ({coef['hr_lower']:.2f}–{coef['hr_upper']:.2f})"
            rows.append((LABELS.get(variable, variable), level or PER_UNIT.get(variable), estimate,
                         format_p(coef["p"], prefix=False)))
    return pl.DataFrame(rows, schema=["variable", "level", "HR (95% CI)", "p"], orient="row")


def term_rows(
    coef_table: pl.DataFrame, reference: Mapping[str, str] | None = None
) -> list[tuple[str, str | None, dict | None]]:
    """Split Cox terms into (variable, level, coefficient row) in table order, reference levels first.

    A reference level has no coefficient row (None); a numeric term has no level.
    """
    reference = dict(reference or {})
    out: list[tuple[str, str | None, dict | None]] = []
    seen: set[str] = set()
    for coef in coef_table.iter_rows(named=True):
        variable, _, level = coef["term"].partition("=")
        if variable not in seen:
            seen.add(variable)
            if variable in reference:
                out.append((variable, reference[variable], None))
        out.append((variable, level or None, coef))
    return out


def write_table(table: pl.DataFrame, path: str | Path) -> Path:
    """Write `table` as CSV, Markdown, HTML or LaTeX, chosen by the extension of `path`.

    Parameters
    ----------
    table : pl.DataFrame
        A table from `table_one`, `cox_table` or any tidy frame.
    path : str or Path
        Ends in .csv, .md, .html (.htm) or .tex.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table.write_csv(path)
        return path
    writers = {".md": to_markdown, ".html": to_html, ".htm": to_html, ".tex": to_latex}
    if suffix not in writers:
        raise AnalysisError(f"cannot write a table as {suffix or 'a file without extension'}: "
                         "use .csv, .md, .html or .tex")
    path.write_text(writers[suffix](table), encoding="utf-8")
    return path


def _cells(table: pl.DataFrame) -> list[list[str]]:
    """The table's values as display strings: p values as journals print them, nulls empty, and each
    variable's name on its first row only, as printed tables show it."""
    at = table.columns.index("variable") if "variable" in table.columns else None
    rows, last = [], None
    for record in table.iter_rows(named=True):
        cells = [_cell(name, value) for name, value in record.items()]
        if at is not None:
            name = cells[at]
            cells[at] = "" if name == last else name
            last = name
        rows.append(cells)
    return rows


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if name == "p":
            return "NA" if math.isnan(value) else format_p(value, prefix=False)  # NA: R's untestable p
        return f"{value:.3g}"
    return str(value)


def to_markdown(table: pl.DataFrame) -> str:
    """Return `table` as a GitHub-flavoured Markdown pipe table."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [line(table.columns), line(["---"] * table.width)]
    lines += [line(row) for row in _cells(table)]
    return "\n".join(lines) + "\n"


def to_html(table: pl.DataFrame) -> str:
    """Return `table` as an HTML ``<table>`` with a header row; every value escaped."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in _cells(table)
    )
    return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters so `text` prints as written."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(table: pl.DataFrame) -> str:
    """Return `table` as a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), labels left."""
    spec = "ll" + "c" * (table.width - 2) if table.width > 2 else "l" * table.width
    lines = [f"\\begin{{tabular}}{{{spec}}}", "\\toprule",
             " & ".join(latex_escape(c) for c in table.columns) + r" \\", "\\midrule"]
    lines += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in _cells(table)]
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"
