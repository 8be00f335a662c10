"""The notebooks run top to bottom on a fresh install, in a kernel of the interpreter running the tests.

Each notebook builds its own demo registry in a temporary folder and checks its own key claims with
asserts, so a notebook that runs is a notebook whose numbers still hold. They are stored without outputs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "netpet-tests"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernelspec running this interpreter, with the repository importable (CI installs it; a checkout may not)."""
    folder = tmp_path_factory.mktemp("jupyter") / "kernels" / KERNEL
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "netpet tests", "language": "python",
            "env": {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return str(folder.parent.parent)


def test_there_are_four_notebooks_stored_without_outputs() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_build_demo_registry.ipynb", "02_survival_by_netpet_group.ipynb",
                                           "03_score_over_time.ipynb", "04_validate_the_score.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code), path.name


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, kernel: str, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", kernel)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    NotebookClient(nb, kernel_name=KERNEL, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.executable
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out["output_type"] == "error"]
    assert errors == []
