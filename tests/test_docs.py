"""The documentation keeps up with the code: every command has help and is shown in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import COMMANDS, cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(COMMANDS[command][1]) > 10


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_appears_in_the_readme(command: str) -> None:
    assert re.search(rf"netpet (--db \S+ )?{re.escape(command)}\b", README), command


def test_readme_opens_with_the_two_setup_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert "netpet --db demo.duckdb demo" in blocks[0]
    assert "python -m pytest -q" in blocks[1]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in ci
