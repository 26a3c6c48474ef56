"""The governance index (治理指数), pure rules: what each second-level indicator counts, how it is
scaled to 0–100 and how the scores are weighted into the index. No I/O: the service
(``analysis.governance_index``) gathers the counts, these rules turn them into scores.

An indicator's raw value is ``scale × numerator / denominator`` (``scale`` 1 for a rate, 1,000 for
a figure per 1,000 residents); with a denominator of 0 it has no value (无数据).

Normalisation (one rule for every indicator): the profile gives each indicator the raw value that
scores 100 (``best``) and the one that scores 0 (``worst``); in between the score is linear, beyond
them it is held at 100 or 0::

    score = 100 × clamp((value − worst) / (best − worst), 0, 1)

so ``best > worst`` means higher is better (a closure rate: best 1, worst 0) and ``best < worst``
lower is better (complaints per 1,000 residents: best 0, worst 5).

Weighting: a group's score is the weighted mean of its indicators' scores, the index the weighted
mean of the groups' scores (weights from the profile, each level summing to 100). An indicator
without a value is left out and its weight is shared among the group's other indicators in
proportion to theirs (the mean is taken over those with a value); a group with no indicator
valued is left out of the index likewise; with nothing valued there is no index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgov.policy.schema.governance_index import INDICATORS, GovernanceIndex


@dataclass(frozen=True)
class Formula:
    numerator: str
    denominator: str
    scale: int
    source: str
    """Where the counts come from: ``cases``, ``complaints``, ``visits`` or ``register``."""
    unit: str


FORMULAS: dict[str, Formula] = {
    "closure_rate": Formula("closed", "reported", 1, "cases", "rate"),
    "on_time_closure_rate": Formula("closed_on_time", "closed", 1, "cases", "rate"),
    "rework_rate": Formula("reworked", "closed", 1, "cases", "rate"),
    "satisfaction_rate": Formula("satisfied", "evaluated", 1, "cases", "rate"),
    "complaints_per_mille": Formula("complaints", "residents", 1000, "complaints", "per_mille"),
    "visit_completion_rate": Formula("visits_done", "visits_due", 1, "visits", "rate"),
    "house_occupancy_rate": Formula("occupied_houses", "houses", 1, "register", "rate"),
    "safety_cases_per_mille": Formula("safety_cases", "residents", 1000, "cases", "per_mille"),
}
"""Each indicator's numerator and denominator (names of counts the service gathers)."""

COUNT_LABELS = {
    "reported": "上报事件数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "reworked": "返工数",
    "evaluated": "评价数",
    "satisfied": "满意数",
    "complaints": "网格员投诉数",
    "residents": "实有人口数",
    "visits_done": "按期走访数",
    "visits_due": "应走访数",
    "occupied_houses": "有登记人口的房屋数",
    "houses": "实有房屋数",
    "safety_cases": "安全稳定类事件数",
}
"""The Chinese name of every count a formula uses."""



def raw_value(code: str, counts: dict[str, int]) -> float | None:
    """The indicator's raw value from the counts, None when its denominator is 0."""
    f = FORMULAS[code]
    den = counts.get(f.denominator, 0)
    if not den:
        return None
    return f.scale * counts.get(f.numerator, 0) / den


def normalise(value: float, *, best: float, worst: float) -> float:
    """The 0–100 score of a raw value: linear from ``worst`` (0) to ``best`` (100), held beyond."""
    share = (value - worst) / (best - worst)
    return 100.0 * min(1.0, max(0.0, share))


def higher_is_better(best: float, worst: float) -> bool:
    return best > worst


@dataclass
class IndicatorScore:
    code: str
    name: str
    group: str
    weight: float
    numerator: int
    denominator: int
    value: float | None
    score: float | None


@dataclass
class GroupScore:
    code: str
    name: str
    weight: float
    score: float | None
    indicators: list[IndicatorScore] = field(default_factory=list)


@dataclass
class IndexScore:
    score: float | None
    groups: list[GroupScore]


def weighted_mean(pairs: list[tuple[float, float | None]]) -> float | None:
    """The mean of the scores weighted by their weights, over the pairs with a score (the weight of
    those without one shared among the rest in proportion); None when none has a score or weight."""
    valued = [(w, s) for w, s in pairs if s is not None]
    total = sum(w for w, _ in valued)
    if not valued or total <= 0:
        return None
    return sum(w * s for w, s in valued) / total


def compute(counts: dict[str, int], config: GovernanceIndex) -> IndexScore:
    """The index, its groups' and its indicators' scores from one area's (or month's) counts."""
    groups: list[GroupScore] = []
    for gcode, group in config.groups.items():
        items = []
        for code, ind in config.indicators.items():
            if ind.group != gcode:
                continue
            f = FORMULAS[code]
            value = raw_value(code, counts)
            score = None if value is None else normalise(value, best=ind.best, worst=ind.worst)
            items.append(IndicatorScore(code, INDICATORS[code], gcode, ind.weight, counts.get(f.numerator, 0),
                                        counts.get(f.denominator, 0), value, score))
        gscore = weighted_mean([(i.weight, i.score) for i in items])
        groups.append(GroupScore(gcode, group.name, group.weight, gscore, items))
    return IndexScore(weighted_mean([(g.weight, g.score) for g in groups]), groups)


def needed_sources(config: GovernanceIndex) -> set[str]:
    """The sources (cases, complaints, visits, register) the configured indicators read."""
    found = {FORMULAS[code].source for code in config.indicators}
    if any(FORMULAS[c].denominator == "residents" for c in config.indicators):
        found.add("register")
    return found
