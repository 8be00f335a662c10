"""Fuzz the importer: random byte mutations of a valid folder are imported or refused, never anything else.

Hypothesis mutates the CSV files of `tests/data/valid` (inserted, deleted and replaced bytes, cut files,
doubled lines, and tokens known to hurt CSV readers: NUL, quotes, separators, BOMs, huge numbers, formula
starts, impossible dates). Property: the import either succeeds or raises `ValidationError` whose issues
render as one printable line each, and a refused import leaves the registry as it was. Bounded for CI by
`max_examples` (set `NETPET_FUZZ_EXAMPLES` for a longer run).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpet.registry import Registry, ValidationError
from netpet.registry.ingest import import_folder
from netpet.registry.import_issues import ISSUE_SCHEMA, format_issues
from tests.ingest_fixtures import DATA, snapshot

VALID = DATA / "valid"
FILES = sorted(p.name for p in VALID.glob("*.csv"))
EXAMPLES = int(os.environ.get("NETPET_FUZZ_EXAMPLES", "40"))
TOKENS = [
    b"\x00", b'"', b'""', b",", b";", b"\t", b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3",
    b"=cmd|' /C calc'!A0", b"+1", b"@SUM(A1)", b"-", b"1e400", b"nan", b"-inf", b"99999999999999999999",
    b"2023-02-30", b"0000-00-00", b"9999-12-31", b"P1", b"S1", b"T1", b"true", b"P5", b" ", b"\\",
]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 20)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("double_line"), st.integers(0, 10_000), st.just(0)),
)


def mutate(data: bytes, op: str, at: int, arg: bytes | int) -> bytes:
    """Apply one mutation at position `at` (taken modulo the length)."""
    i = at % (len(data) + 1)
    if op == "insert":
        assert isinstance(arg, bytes)
        return data[:i] + arg + data[i:]
    if op == "replace":
        assert isinstance(arg, bytes)
        return data[:i] + arg + data[i + len(arg) :]
    if op == "delete":
        assert isinstance(arg, int)
        return data[:i] + data[i + arg :]
    if op == "cut":
        return data[:i]
    lines = data.splitlines(keepends=True)
    line = lines[at % len(lines)] if lines else b""
    return data + line


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pl.DataFrame]]:
    """An empty, migrated registry file to copy for each example, and its snapshot."""
    path = tmp_path_factory.mktemp("fuzz") / "empty.duckdb"
    with Registry.create(path) as reg:
        return path, snapshot(reg)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(FILES), mutation), min_size=1, max_size=4))
def test_mutated_folder_is_imported_or_refused_cleanly(
    template: tuple[Path, dict[str, pl.DataFrame]], mutations: list[tuple[str, tuple[str, int, bytes | int]]]
) -> None:
    empty_path, empty = template
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        shutil.copytree(VALID, folder)
        for name, (op, at, arg) in mutations:
            path = folder / name
            path.write_bytes(mutate(path.read_bytes(), op, at, arg))
        shutil.copy(empty_path, Path(tmp) / "r.duckdb")
        with Registry.open(Path(tmp) / "r.duckdb") as reg:
            refused: ValidationError | None = None
            try:
                summary = import_folder(reg, folder)
            except ValidationError as exc:
                refused = exc
            if refused is None:
                logged = reg.query("select after from change_log")["after"]  # one row per table: {"rows": N}
                assert summary["inserted"].sum() == sum(json.loads(a)["rows"] for a in logged)
                return
            assert isinstance(refused.issues, pl.DataFrame)
            assert refused.issues.height > 0
            assert refused.issues.schema == pl.Schema(ISSUE_SCHEMA)
            assert all(line.isprintable() for line in format_issues(refused.issues))
            after = snapshot(reg)
            assert all(after[t].equals(frame) for t, frame in empty.items())
