"""The demo's modified Krenning scores: one per lesion read, consistent with its SSTR call, from its own stream.

Added after the demo's other draws were fixed, so they come from a separate numpy stream (seeded by seed, block
and `STREAM`) and every earlier draw, file and result stays byte-identical. A lesion read SSTR-avid scores 2-4,
one not avid 0-1 (docs/import-format.md). Whether an avid lesion's uptake is only at liver level (2) depends on
its NETPET class: more often when its FDG uptake is higher than its SSTR uptake, the dedifferentiated pattern
(Chan et al., Theranostics 2017) that Zidan et al. (Eur J Nucl Med Mol Imaging 2021;48:204-216) found together
with low SSTR expression. One uniform draw per timepoint sets every avid lesion's level, so a patient's lesions
agree as they tend to in one tumour, and a share of lesions is drawn on its own (heterogeneous disease, the
patterns Zidan's table leaves unclassified). The shares are stated assumptions of this synthetic cohort.
"""

from __future__ import annotations

import numpy as np
import polars as pl

#: Third element of the demo block's seed for this stream (0: the block's own, 1: liver-limited disease).
STREAM = 2
#: P(uptake at or below liver, Krenning 2) of an SSTR-avid lesion: SSTR only, then FDG lower/similar/higher.
AT_LIVER = np.array([0.08, 0.15, 0.30, 0.55])
#: P(uptake above spleen, Krenning 4) of an SSTR-avid lesion above liver (else 3).
ABOVE_SPLEEN = 0.45
#: P(faint uptake well below liver, Krenning 1) of a lesion not read SSTR-avid (else 0, none).
FAINT = 0.4
#: Share of lesions whose level is drawn apart from their timepoint's.
HETEROGENEOUS = 0.05


def with_krenning(rng: np.random.Generator, reads: pl.DataFrame) -> pl.DataFrame:
    """Return the demo's lesion reads (numeric frame of `demo_draws`) with an `sstr_krenning` column added."""
    n = reads.height
    if n == 0:
        return reads.with_columns(pl.lit(None, pl.Int64).alias("sstr_krenning"))
    avid = reads.get_column("sstr_avid").to_numpy()
    fdg = reads.get_column("fdg_avid").to_numpy()
    comparison = reads.get_column("comparison").to_numpy()
    kind = np.where(avid & fdg, 1 + np.clip(comparison, 0, 2), 0)  # 0 SSTR only, 1-3 FDG lower/similar/higher
    keys = reads.select("pid", "tp").to_numpy()
    _, timepoint = np.unique(keys, axis=0, return_inverse=True)
    shared = rng.random(int(timepoint.max()) + 1)[timepoint.ravel()]
    own = rng.random(n)
    level = np.where(rng.random(n) < HETEROGENEOUS, own, shared)
    above = np.where(rng.random(n) < ABOVE_SPLEEN, 4, 3)
    avid_score = np.where(level < AT_LIVER[kind], 2, above)
    faint = np.where(rng.random(n) < FAINT, 1, 0)
    return reads.with_columns(pl.Series("sstr_krenning", np.where(avid, avid_score, faint), pl.Int64))
