"""The appraisal's pure rules: periods, components, scores, ranks and the lagging threshold, against
hand-computed values."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.analysis import appraisal_rules as rules


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(text, start, end):
    p = rules.parse_period(text)
    assert (p.start, p.end, p.code) == (start, end, text)


@pytest.mark.parametrize("bad", ["", "2026-13", "2026-00", "2026-Q5", "1999", "26-11", "2026-11-01", "2026Q4"])
def test_bad_periods_are_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="考核期"):
        rules.parse_period(bad)


def test_a_component_shows_its_counters_rate_weight_and_points():
    c = rules.component("satisfaction_rate", 40, {"satisfied": 2, "evaluated": 3})
    assert (c["numerator_value"], c["denominator_value"], c["rate"], c["points"]) == (2, 3, 0.6667, 26.67)
    inv = rules.component("rework_free_rate", 15, {"reworked": 1, "handled": 4})
    assert (inv["rate"], inv["points"], inv["inverted"]) == (0.75, 11.25, True)
    assert rules.component("valid_rate", 10, {"reported": 0})["points"] is None


def test_a_score_leaves_out_what_was_not_measured_and_deducts_complaints():
    weights = {"valid_rate": 25, "verified_on_time_rate": 25, "satisfaction_rate": 20, "visit_completion_rate": 30}
    counts = {"reported": 4, "valid": 3, "verified": 3, "verified_on_time": 3, "evaluated": 0,
              "visits_due": 4, "visits_done": 2}
    # valid 0.75×25 = 18.75; on time 1×25 = 25; satisfaction not measured; visits 0.5×30 = 15
    # (18.75 + 25 + 15) × 100 / 80 = 73.4375 -> 73.44; two complaints at 5 points: 63.44
    s = rules.score_unit("worker", weights, counts, complaints=2, complaint_deduction=5)
    assert s["score"] == 63.44 and s["deduction"] == 10 and s["weights_measured"] == 80
    assert rules.score_unit("worker", weights, counts)["score"] == 73.44
    assert rules.score_unit("town", weights, counts, complaints=2, complaint_deduction=5)["score"] == 73.44
    assert rules.score_unit("worker", weights, {})["score"] is None
    assert rules.score_unit("worker", weights, counts, complaints=30, complaint_deduction=5)["score"] == 0


def test_rank_and_lagging():
    rows = [{"key": "a", "score": 70.0}, {"key": "b", "score": 90.5}, {"key": "c", "score": 70.0},
            {"key": "d", "score": None}, {"key": "e", "score": 59.99}]
    ranked = rules.rank(rows)
    assert [(r["key"], r["rank"]) for r in ranked] == [("b", 1), ("a", 2), ("c", 2), ("e", 4), ("d", None)]
    assert [r["key"] for r in rules.lagging(ranked, 60)] == ["e"]
    assert rules.lagging(ranked, 59) == []


def test_the_digest_is_canonical():
    assert rules.digest({"b": 1, "a": [1, 2]}) == rules.digest({"a": [1, 2], "b": 1})
    assert rules.digest({"a": 1}) != rules.digest({"a": 2})
