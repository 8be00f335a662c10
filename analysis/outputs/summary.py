"""The first survival summary of a registry: Kaplan-Meier by NETPET group as tables and a figure.

`netpet demo` writes it after building the demo registry; `netpet report` writes the full report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netpet.analysis.studies.km_analysis import KMReport
    from netpet.registry import Registry


def km_by_group(
    reg: Registry, *, by: str = "netpet_group", endpoint: str = "os", time_unit: str = "months"
) -> KMReport:
    """Return the Kaplan-Meier report (curves, medians, log-rank) by `by` for `endpoint`."""
    from netpet.analysis.studies.frames import survival_frame
    from netpet.analysis.studies.km_analysis import km_report

    data = survival_frame(reg, endpoint=endpoint, by=by, time_unit=time_unit)
    return km_report(data, at=(12, 24, 60) if time_unit == "months" else ())


def write_km_summary(report: KMReport, out_dir: str | Path, *, stem: str = "km_by_netpet_group") -> list[Path]:
    """Write the report's curve table and medians as CSV and its figure as PNG (and PDF); return the paths."""
    from netpet.analysis.outputs.figures import km_figure, save_figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fit = report.fit
    paths = [out / f"{stem}_table.csv", out / f"{stem}_medians.csv"]
    fit.table.write_csv(paths[0])
    fit.summary.write_csv(paths[1])
    fig = km_figure(fit.table, fit.summary, logrank=report.logrank._asdict(), time_unit=report.time_unit)
    for suffix in (".png", ".pdf"):
        paths.append(save_figure(fig, out / f"{stem}{suffix}", preset="single"))
    return paths
