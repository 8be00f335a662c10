"""Draw the README's figures from the default demo registry into docs/images/.

km_demo.png and forest_demo.png (as `netpet report` draws them), swimmer_demo.png (the first 30 patients)
and transitions_demo.png. Run from the repository root: ``python docs/make_images.py``. The demo registry
(1,000 patients, seed 42) is built in a temporary folder through the real importer; figures are
byte-reproducible.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from netpet.analysis.outputs.figures import save_figure  # noqa: E402
from netpet.analysis.outputs.report import DEFAULT_COVARIATES, forest_report_figure, km_report_figure  # noqa: E402
from netpet.analysis.outputs.summary import km_by_group  # noqa: E402
from netpet.analysis.outputs.swimmer import swimmer_plot, transition_figure  # noqa: E402
from netpet.analysis.studies.cox_analysis import cox_analysis  # noqa: E402
from netpet.analysis.studies.frames import survival_frame  # noqa: E402
from netpet.analysis.studies.transitions import score_transitions  # noqa: E402
from netpet.registry import Registry  # noqa: E402
from netpet.registry.demo import build_demo_registry  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    """Build the demo registry and write the README's four figures."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.duckdb"
        build_demo_registry(path, Path(tmp) / "data")
        with Registry.open(path, read_only=True) as reg:
            km = km_by_group(reg)
            data = survival_frame(reg, covariates=DEFAULT_COVARIATES)
            swimmer = swimmer_plot(reg, 30)
            transitions = transition_figure(score_transitions(reg, by="netpet_group"))
        cox = cox_analysis(data, covariates=DEFAULT_COVARIATES)
    print(save_figure(km_report_figure(km), IMAGES / "km_demo.png", preset="single", dpi=200))
    print(save_figure(forest_report_figure(cox), IMAGES / "forest_demo.png", preset="double", dpi=200))
    print(save_figure(swimmer.figure, IMAGES / "swimmer_demo.png", preset="double", dpi=200))
    print(save_figure(transitions.figure, IMAGES / "transitions_demo.png", preset="single", dpi=200))


if __name__ == "__main__":
    main()
