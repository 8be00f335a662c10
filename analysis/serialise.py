"""Make analysis results JSON-ready, one rule for every output: NaN and infinities become null, dates ISO text,
bytes (a BLOB column from `netpet query`) base64 text.

JSON has no NaN or Infinity; an untestable log-rank (one group) or a hazard ratio under monotone likelihood
must still serialise, as null, in the CLI's `--format json`, the report manifest and federation files.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date, datetime


def json_ready(value: object) -> object:
    """Return `value` with every non-finite float, at any depth of dicts, lists and tuples, replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def _iso(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(payload: object) -> str:
    """Serialise `payload` as indented JSON: non-finite numbers as null, dates and times as ISO text, bytes base64."""
    return json.dumps(json_ready(payload), indent=2, default=_iso, allow_nan=False)
