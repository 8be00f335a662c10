"""JSON outputs never carry NaN or Infinity (JSON has neither) and write dates as ISO text."""

from __future__ import annotations

import json
import math
from datetime import date

from netpet.analysis.serialise import json_ready, to_json


def test_non_finite_numbers_become_null_at_any_depth() -> None:
    payload = {"p": math.nan, "hr": [1.5, math.inf, -math.inf], "nested": ({"chisq": math.nan},)}
    assert json_ready(payload) == {"p": None, "hr": [1.5, None, None], "nested": [{"chisq": None}]}


def test_to_json_writes_dates_as_iso_text_and_parses_back() -> None:
    text = to_json({"as_of": date(2025, 12, 31), "median": math.nan})
    assert json.loads(text) == {"as_of": "2025-12-31", "median": None}
