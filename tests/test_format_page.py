"""The import format's page is generated from the column spec and its worked example imports cleanly."""

from __future__ import annotations

from pathlib import Path

from netpet.registry import Registry
from netpet.registry.columns import TABLES
from netpet.registry.format_page import column_type, import_format_markdown
from netpet.registry.ingest import import_folder

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_committed_page_equals_the_page_generated_from_the_spec() -> None:
    page = (DOCS / "import-format.md").read_text(encoding="utf-8")
    assert page == import_format_markdown(), "regenerate: python -m netpet.registry.format_page > docs/import-format.md"


def test_page_lists_every_column_with_its_allowed_values() -> None:
    page = import_format_markdown()
    for table in TABLES:
        assert f"## {table.name}.csv (" in page
        for column in table.columns:
            assert f"| {column.name} | {column_type(column)} |" in page
            for value in column.values:
                assert f"`{value}`" in page


def test_worked_example_imports_every_table_cleanly(registry_path: Path) -> None:
    with Registry.create(registry_path) as reg:
        summary = import_folder(reg, DOCS / "examples" / "site-folder")
        assert sorted(summary["table"]) == sorted(t.name for t in TABLES)
        assert summary["inserted"].to_list() == summary["rows"].to_list()


def test_no_file_names_a_page_outside_the_repository() -> None:
    root = DOCS.parent
    outside = ("shared/" + "registry-format.md", "shared/" + "domain.md")
    for path in [root / "README.md", *root.glob("docs/*.md"), *root.glob("registry/*.py"), *root.glob("tests/*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not any(name in text for name in outside), path
