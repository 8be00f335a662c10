"""The deterministic synthetic NETPET demo cohort: interchange-format files calibrated to published results.

`write_demo_files` writes a folder of the six import tables (docs/import-format.md, column names from
`netpet.registry.columns`) for a synthetic multicentre dual-PET registry. Its survival times are calibrated to the
NETPET validation study (Chan et al., Br J Cancer 2023;128:549-555: median OS / TTP 101.8 / 25.5 months for
P1, 46.5 / 16.7 for P2-4, 11.5 / 6.6 for P5, from the first dual-PET timepoint) and its scores follow the
NETPET rules (Chan et al., Theranostics 2017;7(5):1149-1158), so the registry derives the intended score
from the generated lesion reads. Every parameter, with its source or stated assumption, is in
`DEMO_PARAMETERS`. The importer, the survival views and the CLI are left to other modules.

Model: death and progression times are Weibull proportional-hazards given the baseline NETPET group, WHO
grade and age at diagnosis (BJC 2023 found grade and, for OS, age prognostic within the score; the hazard
ratios are stated assumptions in `DEMO_PARAMETERS`), independent of each other given those, of treatment
and of later scores, with independent censoring (loss to follow-up and the `as_of` cut-off after entry
staggered over 2011-2024). Each group's baseline Weibull scale is solved (`netpet.registry.demo_calibration`) so
that the Kaplan-Meier median of OS or TTP (death censoring TTP) by baseline group, over that group's grade
and age mix, is the published median. Group and entry date are sampled stratified within each block
(Latin-hypercube style); the two survival times take their order within a group and third of the entry
window from the proportional-hazards model and their values from stratified quantiles of the group's
marginal distribution (`_ranked_days`). That keeps the 1,000-patient medians close to their targets: over
60 seeds the noisiest, P1 OS (long and heavily censored), has a standard deviation of 4% (its worst seed
in 20 about 10% off) and the others at most 3%. Later scores follow documented transition matrices
(`DemoParameters.transitions_*`): worse after a progression, P5 -> P3 after chemotherapy. Each lesion read's
modified Krenning score comes from its own stream (`netpet.registry.demo_krenning`), so adding it changed no other
draw.

Determinism: patients are made in fixed blocks of `BLOCK_PATIENTS`, each with its own numpy stream seeded
by (seed, block number), and Parquet row groups have a fixed size, so the same arguments give
byte-identical files whatever `chunk_size` is, and a cohort of N patients (N a multiple of
`BLOCK_PATIENTS`) is the start of every larger cohort with the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from netpet.registry.columns import (
    TABLES,
)
from netpet.registry.demo_draws import draw_block, survival_model
from netpet.registry.demo_krenning import STREAM as KRENNING_STREAM
from netpet.registry.demo_krenning import with_krenning
from netpet.registry.demo_parameters import BLOCK_PATIENTS, DEMO_PARAMETERS, EPOCH, DemoParameters
from netpet.registry.demo_tables import TableWriter, interchange_frames


def write_demo_files(
    out_dir: str | Path,
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    fmt: str = "parquet",
    lesions_per_timepoint: float = 6.0,
    chunk_size: int = 100_000,
    progress: Callable[[str, int, int], None] | None = None,
    params: DemoParameters = DEMO_PARAMETERS,
) -> dict[str, int]:
    """Write a synthetic registry as one import file per table and return the rows written per table.

    Parameters
    ----------
    out_dir
        Folder to write ``patients``, ``pet_scans``, ``timepoints``, ``lesion_reads``, ``treatments`` and
        ``outcomes`` (``.parquet`` or ``.csv``) into; created if missing, files overwritten.
    patients
        Number of patients.
    seed
        Seed of the random streams; the same arguments give byte-identical files.
    as_of
        Data cut-off: nothing is dated after it; alive patients are censored at it or earlier.
    fmt
        ``"parquet"`` or ``"csv"``.
    lesions_per_timepoint
        Mean (Poisson) number of lesion reads per scored timepoint.
    chunk_size
        Patients generated per batch (rounded up to whole blocks of `BLOCK_PATIENTS`); bounds memory and
        does not change the output.
    progress
        Optional callback ``progress(step, done, total)`` called after each batch.
    params
        Generator parameters; the default is the calibrated `DEMO_PARAMETERS`.

    Returns
    -------
    dict[str, int]
        Rows written per table name.

    Examples
    --------
    >>> import tempfile
    >>> counts = write_demo_files(tempfile.mkdtemp(), patients=10)
    >>> counts["patients"]
    10
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}; choose parquet or csv")
    if patients < 0 or chunk_size < 1 or lesions_per_timepoint < 0:
        raise ValueError("patients and lesions_per_timepoint must be >= 0, chunk_size >= 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = {t.name: TableWriter(out / f"{t.name}.{fmt}", t, fmt) for t in TABLES}
    done = 0
    try:
        for frames in demo_chunks(
            patients=patients, seed=seed, as_of=as_of, lesions_per_timepoint=lesions_per_timepoint,
            chunk_size=chunk_size, params=params,
        ):
            for name, frame in frames.items():
                writers[name].write(frame)
            done += frames["patients"].height
            if progress is not None:
                progress("patients", done, patients)
    finally:
        for writer in writers.values():
            writer.close()
    return {name: writer.rows for name, writer in writers.items()}


def build_demo_registry(
    path: str | Path,
    data_dir: str | Path,
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    lesions_per_timepoint: float = 6.0,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> pl.DataFrame:
    """Write the demo files into `data_dir` and import them into a new registry at `path`.

    The demo goes through the real importer, validation included, so it is also an end-to-end check of
    the import path. Returns the importer's per-file summary.
    """
    from netpet.registry.db import Registry, is_postgres_url
    from netpet.registry.errors import RegistryError
    from netpet.registry.ingest import import_folder

    if is_postgres_url(path):
        if replace:
            raise RegistryError(
                "replace=True deletes a registry file; on PostgreSQL drop and re-create the database instead"
            )
    elif Path(path).exists():
        if not replace:
            raise RegistryError(f"{path} already exists; rebuild the demo registry with replace=True", fix="replace")
        Path(path).unlink()
        Path(f"{path}.wal").unlink(missing_ok=True)
    write_demo_files(
        data_dir, patients=patients, seed=seed, as_of=as_of, lesions_per_timepoint=lesions_per_timepoint,
        progress=progress,
    )
    with Registry.create(path) as reg:
        return import_folder(reg, data_dir, operator="demo", command="demo", progress=progress)


def is_demo_registry(path: str | Path) -> bool:
    """Tell whether `path` holds a registry that only `netpet demo` wrote, so the set-up may keep it."""
    from netpet.registry.db import Registry, is_postgres_url, postgres_has_registry

    if not (postgres_has_registry(str(path)) if is_postgres_url(path) else Path(path).exists()):
        return False
    with Registry.open(path, read_only=True) as reg:
        commands = set(reg.query_file("queries", "import_batches")["command"].to_list())
    return commands == {"demo"}


def demo_chunks(
    *,
    patients: int = 1000,
    seed: int = 42,
    as_of: date = date(2025, 12, 31),
    lesions_per_timepoint: float = 6.0,
    chunk_size: int = 100_000,
    params: DemoParameters = DEMO_PARAMETERS,
) -> Iterator[dict[str, pl.DataFrame]]:
    """Yield the demo tables (one polars frame per import table) for successive batches of patients."""
    as_of_day = (as_of - EPOCH).days
    model = survival_model(params)
    blocks_per_chunk = max(1, -(-chunk_size // BLOCK_PATIENTS))
    n_blocks = -(-patients // BLOCK_PATIENTS)
    for first_block in range(0, n_blocks, blocks_per_chunk):
        parts = []
        for block in range(first_block, min(first_block + blocks_per_chunk, n_blocks)):
            first = block * BLOCK_PATIENTS
            n = min(BLOCK_PATIENTS, patients - first)
            rng = np.random.default_rng([seed, block])
            # Attributes added later draw from their own stream, so the original draws never change.
            extra = np.random.default_rng([seed, block, 1])
            part = draw_block(rng, extra, first, n, as_of_day, lesions_per_timepoint, params, model)
            krenning = np.random.default_rng([seed, block, KRENNING_STREAM])
            parts.append(part | {"lesion_reads": with_krenning(krenning, part["lesion_reads"])})
        yield interchange_frames({name: pl.concat([p[name] for p in parts]) for name in parts[0]})
