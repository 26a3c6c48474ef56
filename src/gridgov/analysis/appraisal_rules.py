"""The appraisal's pure rules (issue 16; G1, G2, B5): periods, components and scores. No I/O.

A unit's score for a period (docs/analysis.md, 考核评价):

* each component of its level (``profile.appraisal.<level>.weights``) is a rate between 0 and 1:
  ``numerator / denominator`` of two counters summed over the unit's cases (or the registry's
  visits), or ``1 − numerator / denominator`` for the "free of" components (rework, extension);
* its points are ``weight × rate``; a component whose denominator is 0 (nothing to measure) gives
  no points and its weight is left out: the score is ``Σ points × 100 / Σ weights measured``;
* a worker loses ``complaint_deduction`` points per complaint received in the period;
* the score is rounded to two decimals and kept between 0 and 100; a unit with nothing measured
  has no score (None) and is not ranked.

Every figure is kept in hundredths (integers) so that a stored run can be compared exactly.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from gridgov.policy.schema.appraisal import COMPONENTS, LEVEL_LABELS

LEVELS = ("town", "department", "worker")

FORMULAS: dict[str, tuple[str, str, bool]] = {
    "valid_rate": ("valid", "reported", False),
    "verified_on_time_rate": ("verified_on_time", "verified", False),
    "accurate_dispatch_rate": ("returned", "dispatched", True),
    "handled_on_time_rate": ("handled_on_time", "handled", False),
    "closed_rate": ("closed", "reported", False),
    "closed_on_time_rate": ("closed_on_time", "closed", False),
    "rework_free_rate": ("reworked", "handled", True),
    "not_extended_rate": ("extended", "dispatched", True),
    "satisfaction_rate": ("satisfied", "evaluated", False),
    "visit_completion_rate": ("visits_done", "visits_due", False),
}
"""Component -> (numerator counter, denominator counter, inverted: 1 − n/d)."""

COUNTER_LABELS = {
    "reported": "上报数", "valid": "有效上报数", "verified": "核实数", "verified_on_time": "按时核实数",
    "dispatched": "派遣数", "returned": "退回数", "handled": "处置数", "handled_on_time": "按期处置数",
    "closed": "结案数", "closed_on_time": "按期结案数", "reworked": "返工数", "extended": "延期数",
    "evaluated": "评价数", "satisfied": "满意数", "visits_due": "应走访次数", "visits_done": "已走访次数",
}
CASE_COUNTERS = frozenset(c for n, d, _ in FORMULAS.values() for c in (n, d) if not c.startswith("visits_"))

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if len(self.code) == 4:
            return f"{self.code}年"
        if "Q" in self.code:
            return f"{self.code[:4]}年第{self.code[-1]}季度"
        return f"{self.code[:4]}年{int(self.code[5:])}月"


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year), years 2000–2100."""
    m = _PERIOD.match(text or "")
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError("考核期应为月（如 2026-11）、季度（如 2026-Q4）或年（如 2026）")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        return Period(text, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    if m.group(3):
        q = int(m.group(3))
        last = 3 * q
        return Period(text, date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1]))
    return Period(text, date(year, 1, 1), date(year, 12, 31))


def _hundredths(x: float) -> int:
    return int(round(x * 100 + 1e-9))


def component(code: str, weight: int, counts: dict[str, int]) -> dict[str, Any]:
    """One component's derivation: its counters, rate (hundredths of a percent) and points (hundredths)."""
    num_key, den_key, inverted = FORMULAS[code]
    num, den = int(counts.get(num_key, 0)), int(counts.get(den_key, 0))
    if den <= 0:
        rate_bp = None
    else:
        rate_bp = _hundredths(100 * ((den - num) if inverted else num) / den)  # basis points of 1
        rate_bp = max(0, min(10000, rate_bp))
    return {
        "code": code, "label": COMPONENTS[code], "weight": weight,
        "numerator": num_key, "numerator_label": COUNTER_LABELS[num_key], "numerator_value": num,
        "denominator": den_key, "denominator_label": COUNTER_LABELS[den_key], "denominator_value": den,
        "inverted": inverted,
        "rate": None if rate_bp is None else rate_bp / 10000,
        "points": None if rate_bp is None else _hundredths(weight * rate_bp / 10000) / 100,
    }


def score_unit(level: str, weights: dict[str, int], counts: dict[str, int], *, complaints: int = 0,
               complaint_deduction: int = 0) -> dict[str, Any]:
    """A unit's score and derivation from its counters (see the module docstring)."""
    parts = [component(code, w, counts) for code, w in weights.items()]
    measured = [p for p in parts if p["points"] is not None]
    deduction = complaints * complaint_deduction if level == "worker" else 0
    if not measured:
        score = None
    else:
        base = sum(_hundredths(p["points"]) for p in measured) * 100 / sum(p["weight"] for p in measured)
        score = max(0, min(10000, int(round(base)) - deduction * 100)) / 100
    return {"score": score, "components": parts, "complaints": complaints if level == "worker" else None,
            "deduction": deduction, "weights_measured": sum(p["weight"] for p in measured)}


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered by score (highest first, unscored last, ties by key) with their rank (1, 2, 2, 4…)."""
    ordered = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["key"]))
    last, place = None, 0
    for i, row in enumerate(ordered, 1):
        if row["score"] is None:
            row["rank"] = None
            continue
        if row["score"] != last:
            place, last = i, row["score"]
        row["rank"] = place
    return ordered


def lagging(rows: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """The scored rows below the threshold (ZJ§29: named, interviewed and held to account)."""
    return [r for r in rows if r["score"] is not None and r["score"] < threshold]


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (the inputs' digest and the run's hash)."""
    return hashlib.sha256(canonical(value)).hexdigest()


def level_label(level: str) -> str:
    return LEVEL_LABELS[level]
