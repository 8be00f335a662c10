"""Write the README's longitudinal figures from the demo registry: docs/images/swimmer_demo.png.

Run from the repository root: ``PYTHONPATH=. python docs/make_images.py``. The demo registry (1,000
patients, seed 42, as `netpet demo` builds it) goes to a temporary folder; the swimmer plot shows its first
30 patients, the transition figure all of them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from analysis.figures import save_figure
from analysis.longitudinal import score_transitions
from analysis.swimmer import swimmer_plot, transition_figure
from registry import Registry
from registry.demo import build_demo_registry

IMAGES = Path(__file__).parent / "images"


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build_demo_registry(Path(tmp) / "demo.duckdb", Path(tmp) / "demo")
        with Registry.open(Path(tmp) / "demo.duckdb", read_only=True) as reg:
            swimmer = swimmer_plot(reg, 30)
            transitions = transition_figure(score_transitions(reg, by="netpet_group"))
        save_figure(swimmer.figure, IMAGES / "swimmer_demo.png", preset="double", dpi=200)
        save_figure(transitions.figure, IMAGES / "transitions_demo.png", preset="single", dpi=200)


if __name__ == "__main__":
    main()
