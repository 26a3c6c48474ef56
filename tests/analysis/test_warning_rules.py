"""The early warnings' rules on synthetic data (pure: no database). docs/analysis.md ``## 预警``."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from gridgov.analysis import warning_rules as rules

ALPHA, MIN_COUNT, WEEKS = 0.001, 5, 8


def _tail(count: int, mean: float) -> float:
    """P(X >= count) straight from the definition (exact fractions of factorials, no log space)."""
    return 1.0 - sum(math.exp(-mean) * mean ** k / math.factorial(k) for k in range(count))


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's sampler: independent of the code under test."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _alarm(count, history, has_history=True):
    return rules.weekly_jump(count, history, has_history=has_history, alarm_probability=ALPHA,
                             min_weekly_count=MIN_COUNT)


@pytest.mark.parametrize("mean", [0.3, 1.0, 4.5, 12.0, 40.0])
def test_the_threshold_is_the_poisson_upper_quantile(mean):
    t = rules.poisson_threshold(mean, ALPHA)
    assert _tail(t, mean) <= ALPHA < _tail(t - 1, mean)
    assert rules.poisson_upper_tail(t, mean) == pytest.approx(_tail(t, mean), rel=1e-9, abs=1e-15)


def test_the_exact_threshold_edge_alarms_and_one_below_does_not():
    history = [4, 5, 6, 5, 4, 6, 5, 4]  # mean (39 + 0.5) / 8 = 4.9375
    mean = (sum(history) + 0.5) / len(history)
    edge = next(c for c in range(1, 100) if _tail(c, mean) <= ALPHA)
    found = _alarm(edge, history)
    assert found is not None and found.threshold == edge and found.mean == pytest.approx(mean)
    assert found.probability <= ALPHA
    assert _alarm(edge - 1, history) is None


def test_no_alarm_without_history_or_below_the_minimum_count():
    assert _alarm(30, [0] * WEEKS, has_history=False) is None
    assert _alarm(30, [0] * WEEKS) is not None  # with history: a quiet grid that suddenly has 30 cases
    assert _alarm(MIN_COUNT - 1, [0] * WEEKS) is None  # unlikely under the baseline, but too few to matter
    assert _alarm(MIN_COUNT, [0] * WEEKS) is not None


def test_stationary_poisson_weeks_give_almost_no_alarms():
    rng = random.Random(16)
    alarms = weeks = 0
    for mean in (0.5, 2, 5, 10, 20, 50):
        for _ in range(150):
            series = [_poisson(rng, mean) for _ in range(WEEKS + 20)]
            for w in range(WEEKS, len(series)):
                weeks += 1
                alarms += _alarm(series[w], series[w - WEEKS:w]) is not None
    # alarm_probability per grid-week with a known mean; the estimated mean adds a little (≈1–2‰ measured)
    assert alarms / weeks < 3 * ALPHA, (alarms, weeks)


@pytest.mark.parametrize(("before", "after"), [(2, 15), (5, 30), (10, 40)])
def test_a_step_up_is_detected_in_the_first_week_after_it(before, after):
    rng = random.Random(before * 100 + after)
    runs = 400
    hits = sum(_alarm(_poisson(rng, after), [_poisson(rng, before) for _ in range(WEEKS)]) is not None
               for _ in range(runs))
    assert hits / runs >= 0.95


def test_the_week_is_the_last_complete_monday_to_sunday():
    assert rules.last_complete_week(date(2026, 12, 7)) == date(2026, 11, 30)  # a Monday: last week
    assert rules.last_complete_week(date(2026, 12, 6)) == date(2026, 11, 23)  # a Sunday: still running


def _east(metres: float) -> float:
    """Degrees of longitude for ``metres`` east at latitude 32."""
    return metres / (2 * math.pi * rules.EARTH_RADIUS_M * math.cos(math.radians(32)) / 360)


def test_cases_within_the_radius_are_linked_and_the_edge_is_inclusive():
    lon, lat = 119.45, 32.0
    chain = [(1, lon, lat), (2, lon + _east(40), lat), (3, lon + _east(80), lat)]  # 40 m steps: one chain
    assert rules.clusters(chain, 50, 3) == [[1, 2, 3]]
    apart = [(1, lon, lat), (2, lon + _east(50.5), lat), (3, lon + _east(101), lat)]
    assert rules.clusters(apart, 50, 2) == []
    near = [(1, lon, lat), (2, lon + _east(49.5), lat)]
    assert rules.clusters(near, 50, 2) == [[1, 2]]
    assert rules.distance_m(lon, lat, lon + _east(100), lat) == pytest.approx(100, rel=1e-3)


def test_one_address_by_id_or_by_normalised_text():
    rows = [(1, None, "解放路 12 号"), (2, None, "解放路１２号"), (3, None, "解放路12号。"), (4, 9, "别处"),
            (5, 9, ""), (6, None, ""), (7, None, ""), (8, None, "")]
    groups = rules.same_address(rows, 2)
    assert [ids for _, ids in groups] == [[1, 2, 3], [4, 5]]  # empty texts are never one address
    assert rules.same_address(rows, 4) == []


def test_the_overdue_share_must_rise_by_the_setting_with_enough_cases():
    # previous 2/20 = 10 %, recent 4/20 = 20 %: exactly 10 points
    assert rules.overdue_rise((20, 4), (20, 2), min_cases=10, rise=0.1) is not None
    assert rules.overdue_rise((20, 4), (20, 2), min_cases=10, rise=0.11) is None
    assert rules.overdue_rise((20, 3), (20, 2), min_cases=10, rise=0.1) is None
    assert rules.overdue_rise((9, 9), (20, 0), min_cases=10, rise=0.1) is None  # too few recent cases
    assert rules.overdue_rise((20, 20), (9, 0), min_cases=10, rise=0.1) is None  # too few before
