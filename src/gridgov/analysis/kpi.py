"""The KPIs of the case files (docs/kpi.md): the counters summed over fact rows, the rates that
divide them and the average working days per stage. Pure, no I/O.

Every rate is a quotient of sums of fact-row counters, so it sums over any group and the cases
behind its numerator and its denominator can each be listed (``GET /api/v1/cases?kpi=…``). A rate
whose denominator is 0 is None (no case to rate), never 0 or 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS

COUNTERS = FACT_COUNTERS
"""Counters in the order the API lists them."""

COUNTER_LABELS: dict[str, str] = {
    "reported": "上报数",
    "valid": "有效上报数",
    "verified": "核实数",
    "verified_on_time": "按时核实数",
    "dispatched": "派遣数",
    "returned": "退回数",
    "handled": "处置数",
    "handled_on_time": "按期处置数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "reworked": "返工数",
    "reopened": "重新办理数",
    "extended": "延期数",
    "overdue": "超期数",
    "evaluated": "评价数",
    "satisfied": "满意数",
    "supervised": "督办数",
}

DURATIONS = FACT_DURATIONS
DURATION_LABELS: dict[str, str] = {
    "verify_days": "平均核实用时（工作日）",
    "dispatch_days": "平均派遣用时（工作日）",
    "handle_days": "平均处置用时（工作日）",
    "close_days": "平均结案用时（工作日）",
}


@dataclass(frozen=True)
class Rate:
    """``(numerator − minus) ÷ denominator`` of summed counters."""

    name: str
    label: str
    numerator: str
    denominator: str
    minus: str | None = None

    def of(self, counts: Mapping[str, int]) -> float | None:
        below = counts.get(self.denominator, 0) or 0
        if not below:
            return None
        above = (counts.get(self.numerator, 0) or 0) - (counts.get(self.minus, 0) or 0 if self.minus else 0)
        return round(above / below, 4)


RATES: tuple[Rate, ...] = (
    Rate("valid_rate", "有效上报率", "valid", "reported"),
    Rate("verified_on_time_rate", "按时核实率", "verified_on_time", "verified"),
    Rate("accurate_dispatch_rate", "准确派遣率", "dispatched", "dispatched", minus="returned"),
    Rate("handled_on_time_rate", "按期处置率", "handled_on_time", "handled"),
    Rate("closure_rate", "结案率", "closed", "valid"),
    Rate("closed_on_time_rate", "按期结案率", "closed_on_time", "closed"),
    Rate("rework_rate", "返工率", "reworked", "handled"),
    Rate("extension_rate", "延期率", "extended", "dispatched"),
    Rate("overdue_rate", "超期率", "overdue", "reported"),
    Rate("satisfaction_rate", "满意率", "satisfied", "evaluated"),
)
"""The rates, each a fraction in 0..1 rounded to 4 places (None: nothing to rate)."""

RATE_BY_NAME = {r.name: r for r in RATES}


def rates(counts: Mapping[str, int]) -> dict[str, float | None]:
    """Every rate of ``counts`` (summed counters), by name."""
    return {r.name: r.of(counts) for r in RATES}


def averages(counts: Mapping[str, int]) -> dict[str, float | None]:
    """``avg_<duration>``: working days per stage, from ``<duration>_sum`` and ``<duration>_n``
    (cases whose stage has ended), rounded to 2 places; None when no case has ended the stage."""
    out: dict[str, float | None] = {}
    for d in DURATIONS:
        n = counts.get(f"{d}_n", 0) or 0
        out[f"avg_{d}"] = round((counts.get(f"{d}_sum", 0) or 0) / n, 2) if n else None
    return out


def empty() -> dict[str, int]:
    """All counters and duration sums at zero (a group with no case)."""
    return {**{c: 0 for c in COUNTERS}, **{f"{d}_{x}": 0 for d in DURATIONS for x in ("sum", "n")}}
