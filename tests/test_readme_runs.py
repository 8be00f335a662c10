"""The README runs as typed: its shell lines, in order, from a copy of the repository root after the set-up.

Every line of the README's ```bash blocks runs in one bash session (so `export NETPET_DB=...` carries on),
with the installed `netpet` on PATH, except the lines `SKIPPED` names: the install, the test suite, the
benchmarks, and those needing a PostgreSQL server. The set-up command runs twice, as a user may.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Lines the test does not run, each with why: (pattern, reason).
SKIPPED = (
    (r"^python3 -m venv", "the install: the test runs in the installed environment"),
    (r"pytest", "the test suite itself"),
    (r"^python benchmarks/", "the benchmarks take minutes (benchmarks/README.md)"),
    (r"postgresql://", "needs a PostgreSQL server"),
)
#: Files and folders of the repository a user's checkout does not have.
NOT_SHIPPED = (".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "*.duckdb", "*.wal")


def readme_lines() -> list[str]:
    """Return the README's shell lines to run, in order."""
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    return [line for line in lines if not any(re.search(pattern, line) for pattern, _ in SKIPPED)]


def test_the_readme_names_the_example_files_it_uses() -> None:
    lines = readme_lines()
    for folder in ("docs/examples/site-data/", "docs/examples/fixes/", "docs/examples/late-pair/",
                   "docs/examples/km-style.yaml", "cohorts/examples/pancreatic.yaml"):
        assert any(folder in line for line in lines), folder
        assert (ROOT / folder).exists(), folder
    setup = [line for line in lines if re.search(r"netpet --db demo\.duckdb demo\b", line)]
    assert len(setup) == 1


def test_every_readme_command_runs_in_order(tmp_path: Path) -> None:
    root = tmp_path / "netpet"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    lines = readme_lines()
    setup = next(i for i, line in enumerate(lines) if re.search(r"netpet --db demo\.duckdb demo\b", line))
    script = ["set -euo pipefail", *lines[: setup + 1], lines[setup]]  # the set-up is safe to run twice
    for line in lines[setup + 1 :]:
        script += [f"echo {shlex.quote('+ ' + line)}", line]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETPET_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["HOME"] = str(tmp_path)
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)
    last = [line for line in done.stdout.splitlines() if line.startswith("+ ")][-1:]
    assert done.returncode == 0, f"README line failed: {last}\n{done.stderr[-3000:]}"
    assert last == [f"+ {lines[-1]}"]
    for made in ("demo.duckdb", "my.duckdb", "report/report.md", "deidentified/patient_survival.csv", "km-pfs.pdf",
                 "data-dictionary.md", "stata-export/patient_survival.dta", "stata-export/codebook.md"):
        assert (root / made).exists(), made
