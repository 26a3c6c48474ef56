"""The rules of the early warnings (预警), pure: no I/O. docs/analysis.md (``## 预警``) writes them out.

1. **Weekly jump** (:func:`weekly_jump`): a grid's (or a case type's) count of cases reported in the
   last complete week (Monday–Sunday, local time) against its own baseline, the mean of the
   ``baseline_weeks`` weeks before. The count is taken as Poisson with that mean: the week alarms when
   ``count >= min_weekly_count`` and ``count`` lies above the Poisson upper quantile of level
   ``1 - alarm_probability`` of the baseline, i.e. ``P(X >= count | mean) <= alarm_probability``.
   The baseline mean is ``(sum + 0.5) / baseline_weeks`` (half a case added, so a grid with no case
   in its baseline is not given a zero rate, against which any case would be infinitely unlikely).
   No alarm without enough history: the grid or type must have had a case before its baseline began.
   Under a stationary Poisson rate the chance of a false alarm is at most ``alarm_probability`` per
   grid-week with a known mean; the estimated mean adds some (tests/analysis/test_warning_rules.py
   bounds the measured rate).
2. **Repeats** (:func:`clusters`): cases within ``radius_m`` metres of each other (WGS84, haversine)
   reported within ``repeat_days``, grouped by single linkage; a group of ``repeat_min_cases`` or more
   alarms. Cases at one address (``address_id``, or the same :func:`normalise_address`) are grouped
   by :func:`same_address`.
3. **Overdue share** (:func:`overdue_rise`): a department's share of overdue cases in the recent
   window against the window before; both windows need ``overdue_min_cases`` cases and the share must
   rise by ``overdue_rise`` or more.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

EARTH_RADIUS_M = 6_371_008.8


def _log_pmf(k: int, mean: float) -> float:
    return k * math.log(mean) - mean - math.lgamma(k + 1)


def poisson_upper_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean), in log space (no underflow of e^-mean for a large mean)."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if count > mean:  # the tail itself, summed upwards: precise however small it is
        total, k = 0.0, count
        while True:
            term = math.exp(_log_pmf(k, mean))
            total += term
            if term <= total * 1e-17 or term == 0.0:
                return min(1.0, total)
            k += 1
    return max(0.0, 1.0 - sum(math.exp(_log_pmf(k, mean)) for k in range(count)))


def poisson_threshold(mean: float, alarm_probability: float) -> int:
    """The smallest count ``c`` with P(X >= c | mean) <= alarm_probability: a count at or above it alarms."""
    if mean <= 0:
        return 1
    c, below = 0, 0.0
    while True:
        # below = P(X <= c - 1); P(X >= c) = 1 - below
        if 1.0 - below <= alarm_probability:
            return c
        below += math.exp(_log_pmf(c, mean))
        c += 1


def baseline_mean(history: Sequence[int]) -> float:
    """The baseline rate from the previous weeks' counts (half a case added; see the module doc)."""
    return (sum(history) + 0.5) / len(history)


@dataclass(frozen=True)
class Jump:
    count: int
    mean: float
    threshold: int
    probability: float


def weekly_jump(count: int, history: Sequence[int], *, has_history: bool, alarm_probability: float,
                min_weekly_count: int) -> Jump | None:
    """The alarm of one grid (or type) for one week, or None. ``history``: the counts of the
    ``baseline_weeks`` weeks before, oldest first; ``has_history``: the key had a case before them."""
    if not has_history or not history or count < min_weekly_count:
        return None
    mean = baseline_mean(history)
    threshold = poisson_threshold(mean, alarm_probability)
    if count < threshold:
        return None
    return Jump(count=count, mean=mean, threshold=threshold, probability=poisson_upper_tail(count, mean))


def last_complete_week(today: date) -> date:
    """The Monday of the last complete week (Monday–Sunday) before ``today``."""
    return today - timedelta(days=today.weekday() + 7)


# ---------------------------------------------------------------------------------------------
# Repeats


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def clusters(points: Sequence[tuple[int, float, float]], radius_m: float, min_size: int) -> list[list[int]]:
    """Groups of point ids linked by distances within ``radius_m`` (single linkage), of at least
    ``min_size`` points, each sorted, ordered by their first id. ``points``: (id, lon, lat)."""
    if not points:
        return []
    cell = radius_m / 111_000.0  # degrees of latitude per cell; longitude cells are narrower: checked below
    buckets: dict[tuple[int, int], list[int]] = {}
    for i, (_, lon, lat) in enumerate(points):
        buckets.setdefault((math.floor(lon / cell), math.floor(lat / cell)), []).append(i)
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, lon, lat) in enumerate(points):
        cx, cy = math.floor(lon / cell), math.floor(lat / cell)
        # a degree of longitude is shorter than one of latitude: widen the search in x by 1/cos(lat)
        span = int(math.ceil(1 / max(math.cos(math.radians(lat)), 0.01)))
        for dx in range(-span, span + 1):
            for dy in (-1, 0, 1):
                for j in buckets.get((cx + dx, cy + dy), ()):
                    if j > i and distance_m(lon, lat, points[j][1], points[j][2]) <= radius_m:
                        parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(find(i), []).append(points[i][0])
    found = [sorted(g) for g in groups.values() if len(g) >= min_size]
    return sorted(found, key=lambda g: g[0])


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_address(text: str) -> str:
    """An address text reduced for comparison: NFKC (full-width digits and letters to ASCII), lower
    case, without spaces and punctuation. Empty for an empty address."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def same_address(rows: Sequence[tuple[int, int | None, str]], min_size: int) -> list[tuple[str, list[int]]]:
    """Groups of case ids at one address: by ``address_id`` where the case has one, else by the
    normalised address text (empty texts are never grouped). ``rows``: (id, address_id, text).
    Returns (key, sorted ids) for groups of at least ``min_size``, by first id."""
    groups: dict[str, list[int]] = {}
    for case_id, address_id, text in rows:
        if address_id is not None:
            key = f"a{address_id}"
        else:
            norm = normalise_address(text)
            if not norm:
                continue
            key = "t" + norm
        groups.setdefault(key, []).append(case_id)
    found = [(k, sorted(v)) for k, v in groups.items() if len(v) >= min_size]
    return sorted(found, key=lambda kv: kv[1][0])


# ---------------------------------------------------------------------------------------------
# Overdue share


@dataclass(frozen=True)
class Rise:
    recent_cases: int
    recent_overdue: int
    previous_cases: int
    previous_overdue: int

    @property
    def recent_share(self) -> float:
        return self.recent_overdue / self.recent_cases

    @property
    def previous_share(self) -> float:
        return self.previous_overdue / self.previous_cases


def overdue_rise(recent: tuple[int, int], previous: tuple[int, int], *, min_cases: int,
                 rise: float) -> Rise | None:
    """The alarm of one department, or None. ``recent``/``previous``: (cases, overdue) of each window."""
    (rn, ro), (pn, po) = recent, previous
    if rn < min_cases or pn < min_cases:
        return None
    found = Rise(rn, ro, pn, po)
    # ro/rn - po/pn >= rise, multiplied out (the tolerance keeps the exact edge, e.g. 0.1 * 100, an alarm)
    if ro * pn - po * rn < rise * rn * pn - 1e-9:
        return None
    return found
