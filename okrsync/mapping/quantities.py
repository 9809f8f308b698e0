"""Durations (``36h``, ``3d``, ``2w``) and percentages (``80%``) as written in mappings.

Durations become days (cycle times are reported in days); percentages become percent
units (``80%`` is 80.0) because ``completion`` is measured on a 0–100 scale.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d|w)\s*$")
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_UNIT_DAYS = {"m": 1 / 1440, "h": 1 / 24, "d": 1.0, "w": 7.0}

DURATION_HELP = "a duration such as 36h, 3d or 2w"
QUANTITY_HELP = "a number, a percentage such as 80%, or a duration such as 36h, 3d or 2w"


def parse_duration_days(text: str) -> float:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not {DURATION_HELP}")
    return float(match.group(1)) * _UNIT_DAYS[match.group(2)]


def duration(text: str) -> timedelta:
    return timedelta(days=parse_duration_days(text))


def _to_days(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration_days(value)
    if isinstance(value, bool):
        raise ValueError(f"expected {DURATION_HELP}")
    return value


def _to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected {QUANTITY_HELP}")
    if isinstance(value, str):
        if match := _PERCENT.match(value):
            return float(match.group(1))
        if _DURATION.match(value):
            return parse_duration_days(value)
        raise ValueError(f"{value!r} is not {QUANTITY_HELP}")
    return value


_QUANTITY_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?%$"},
        {"type": "string", "pattern": r"^\d+(\.\d+)?(m|h|d|w)$"},
    ],
    "description": QUANTITY_HELP,
}
_DURATION_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\d+(\.\d+)?(m|h|d|w)$"}],
    "description": DURATION_HELP + " (a bare number means days)",
}

# A number in the KR's own unit: percent for percentages, days for durations.
Quantity = Annotated[float, BeforeValidator(_to_number), WithJsonSchema(_QUANTITY_SCHEMA)]
# A length of time, in days.
Days = Annotated[float, BeforeValidator(_to_days), WithJsonSchema(_DURATION_SCHEMA)]
