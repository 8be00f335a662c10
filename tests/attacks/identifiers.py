"""Look-alike identifiers an attacker (or a careless spreadsheet) feeds the importer: each must be refused.

Each entry: (what it tries, the ID). The registry already holds patient `P1`; every one of these would
otherwise become a second patient that reads as `P1` (or as an ID that cannot be typed back).
"""

from __future__ import annotations

LOOKALIKE_IDS: list[tuple[str, str]] = [
    ("full-width digit", "P\uff11"),
    ("full-width letter", "\uff301"),
    ("zero-width space", "P1\u200b"),
    ("zero-width joiner", "P\u200d1"),
    ("word joiner", "P\u20601"),
    ("byte-order mark inside", "P\ufeff1"),
    ("soft hyphen", "P1\u00ad"),
    ("right-to-left override", "\u202eP1"),
    ("no-break space inside", "P\u00a01"),
    ("space inside", "P 1"),
    ("line separator", "P1\u2028"),
    ("Cyrillic capital Er (a homoglyph)", "\u04201"),
    ("Greek capital Rho (a homoglyph)", "\u03a11"),
    ("combining mark", "P1\u0301"),
    ("superscript one", "P\u00b9"),
    ("lower case of an existing ID", "p1"),
    ("mathematical bold digit", "P\U0001d7cf"),
    ("private-use character", "P1\ue000"),
]
