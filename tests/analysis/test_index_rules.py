"""The governance index's pure rules (analysis/index_rules.py) and its profile section: the
normalisation, the weighting with missing data, and the section's checks. Expected values are worked
out by hand in the comments."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gridgov.analysis import index_rules as rules
from gridgov.policy.loader import load_profile
from gridgov.policy.schema.governance_index import INDICATORS, GovernanceIndex

PROFILES = ("zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen")


def _config(**over) -> GovernanceIndex:
    data = {
        "name": "测试指数",
        "groups": {"a": {"name": "事件处置", "weight": 60}, "b": {"name": "群众满意", "weight": 40}},
        "indicators": {
            "closure_rate": {"group": "a", "weight": 75, "best": 1, "worst": 0},
            "rework_rate": {"group": "a", "weight": 25, "best": 0, "worst": 0.2},
            "complaints_per_mille": {"group": "b", "weight": 100, "best": 0, "worst": 5},
        },
        "safety_categories": [],
    }
    data.update(over)
    return GovernanceIndex.model_validate(data)


def test_every_indicator_a_profile_may_name_has_a_formula_and_labels():
    assert set(rules.FORMULAS) == set(INDICATORS)
    for f in rules.FORMULAS.values():
        assert f.numerator in rules.COUNT_LABELS and f.denominator in rules.COUNT_LABELS


@pytest.mark.parametrize(("value", "best", "worst", "score"), [
    (0.8, 1, 0, 80.0),          # higher is better: 100 × (0.8 − 0) / (1 − 0)
    (0.05, 0, 0.2, 75.0),       # lower is better: 100 × (0.05 − 0.2) / (0 − 0.2)
    (0.3, 0, 0.2, 0.0),         # past worst: held at 0
    (-1, 1, 0, 0.0),
    (2.5, 0, 5, 50.0),
    (0.75, 1, 0.5, 50.0),       # (0.75 − 0.5) / (1 − 0.5)
    (1.2, 1, 0.5, 100.0),       # past best: held at 100
])
def test_normalise_is_linear_between_worst_and_best_and_held_beyond(value, best, worst, score):
    assert rules.normalise(value, best=best, worst=worst) == pytest.approx(score)


def test_raw_values_and_no_value_without_denominator():
    assert rules.raw_value("closure_rate", {"closed": 3, "reported": 4}) == 0.75
    assert rules.raw_value("complaints_per_mille", {"complaints": 3, "residents": 1500}) == pytest.approx(2.0)
    assert rules.raw_value("closure_rate", {"closed": 0, "reported": 0}) is None
    assert rules.raw_value("on_time_closure_rate", {"closed_on_time": 0}) is None


def test_the_index_weights_groups_and_indicators_as_the_profile_says():
    counts = {"reported": 10, "closed": 8, "reworked": 1, "complaints": 2, "residents": 1000}
    result = rules.compute(counts, _config())
    a, b = result.groups
    # closure 0.8 → 80; rework 1/8 = 0.125 → 100 × (0.125 − 0.2)/(0 − 0.2) = 37.5; a = 0.75·80 + 0.25·37.5
    assert [i.score for i in a.indicators] == [pytest.approx(80), pytest.approx(37.5)]
    assert a.score == pytest.approx(69.375)
    # 2 per 1,000 → 100 × (2 − 5)/(0 − 5) = 60
    assert b.score == pytest.approx(60)
    assert result.score == pytest.approx(0.6 * 69.375 + 0.4 * 60)
    assert (a.indicators[1].numerator, a.indicators[1].denominator) == (1, 8)


def test_an_indicator_without_data_gives_its_weight_to_the_rest_of_its_group():
    # nothing closed: rework has no value; group a is closure alone (0 → 0); no residents: b has none,
    # so the index is group a's score alone
    result = rules.compute({"reported": 5, "closed": 0, "complaints": 2}, _config())
    a, b = result.groups
    assert a.indicators[1].value is None and a.indicators[1].score is None
    assert a.score == 0 and b.score is None
    assert result.score == 0
    assert rules.compute({}, _config()).score is None


def test_a_weight_of_zero_leaves_the_indicator_out():
    cfg = _config(indicators={
        "closure_rate": {"group": "a", "weight": 100, "best": 1, "worst": 0},
        "rework_rate": {"group": "a", "weight": 0, "best": 0, "worst": 0.2},
        "complaints_per_mille": {"group": "b", "weight": 100, "best": 0, "worst": 5},
    })
    assert rules.compute({"reported": 4, "closed": 2, "reworked": 2}, cfg).groups[0].score == pytest.approx(50)


@pytest.mark.parametrize(("change", "message"), [
    ({"groups": {"a": {"name": "事件处置", "weight": 50}, "b": {"name": "群众满意", "weight": 40}}},
     "一级指标权重之和应为 100"),
    ({"indicators": {"closure_rate": {"group": "a", "weight": 75, "best": 1, "worst": 0},
                     "complaints_per_mille": {"group": "b", "weight": 100, "best": 0, "worst": 5}}},
     "二级指标权重之和应为 100"),
    ({"indicators": {"closure_rate": {"group": "a", "weight": 100, "best": 1, "worst": 1},
                     "complaints_per_mille": {"group": "b", "weight": 100, "best": 0, "worst": 5}}},
     "满分值与零分值不能相同"),
    ({"indicators": {"closure_rate": {"group": "a", "weight": 100, "best": 1, "worst": 0},
                     "no_such": {"group": "b", "weight": 100, "best": 0, "worst": 5}}}, "没有这个指标"),
    ({"indicators": {"closure_rate": {"group": "a", "weight": 100, "best": 1, "worst": 0},
                     "complaints_per_mille": {"group": "c", "weight": 100, "best": 0, "worst": 5}}},
     "未在 groups 中设置"),
])
def test_the_section_refuses_a_broken_index(change, message):
    with pytest.raises(ValidationError, match=message):
        _config(**change)


@pytest.mark.parametrize("name", PROFILES)
def test_each_profile_sets_an_index_of_local_defaults_over_its_own_categories(name):
    profile = load_profile(name)
    cfg = profile.governance_index
    assert set(cfg.indicators) <= set(INDICATORS)
    assert set(cfg.safety_categories) <= {c.code for c in profile.cases.categories}
    assert profile.source_of("governance_index.groups").is_local
    assert "本地设置" in profile.note_of("governance_index")


SHIPPED = load_profile("zhenjiang").governance_index
COUNTS = {"reported": 100, "closed": 80, "closed_on_time": 60, "reworked": 8, "evaluated": 50, "satisfied": 40,
          "complaints": 3, "residents": 1000, "visits_done": 7, "visits_due": 10, "occupied_houses": 90,
          "houses": 120, "safety_cases": 10}
"""Counts under which every shipped indicator has a value strictly between its bounds."""


@pytest.mark.setting("governance_index.groups.handling", "governance_index.groups.satisfaction",
                     "governance_index.groups.foundation", "governance_index.groups.safety",
                     "governance_index.indicators.closure_rate", "governance_index.indicators.on_time_closure_rate",
                     "governance_index.indicators.rework_rate", "governance_index.indicators.satisfaction_rate",
                     "governance_index.indicators.complaints_per_mille",
                     "governance_index.indicators.visit_completion_rate",
                     "governance_index.indicators.house_occupancy_rate",
                     "governance_index.indicators.safety_cases_per_mille")
def test_each_shipped_group_and_indicator_weighs_in_the_index():
    # by hand under the shipped defaults: handling 0.4·80 + 0.4·75 + 0.2·50 = 72; satisfaction 0.6·60 + 0.4·40 = 52;
    # foundation 0.6·70 + 0.4·75 = 72; safety 10‰ → 50; index 0.35·72 + 0.25·52 + 0.2·72 + 0.2·50
    base = rules.compute(COUNTS, SHIPPED)
    assert len(SHIPPED.groups) == 4 and len(SHIPPED.indicators) == 8  # each named in the marker above
    assert {g.code: round(g.score, 6) for g in base.groups} == {"handling": 72, "satisfaction": 52,
                                                                 "foundation": 72, "safety": 50}
    assert base.score == pytest.approx(0.35 * 72 + 0.25 * 52 + 0.2 * 72 + 0.2 * 50)
    scores = {g.code: g.score for g in base.groups}
    for code in SHIPPED.groups:
        other = next(c for c in SHIPPED.groups if abs(scores[c] - scores[code]) > 1)
        moved = {c: g.model_copy(update={"weight": g.weight + (10 if c == code else -10 if c == other else 0)})
                 for c, g in SHIPPED.groups.items()}
        changed = rules.compute(COUNTS, SHIPPED.model_copy(update={"groups": moved}))
        assert changed.score == pytest.approx(base.score + 0.1 * (scores[code] - scores[other])), code
    for code, ind in SHIPPED.indicators.items():
        value = rules.raw_value(code, COUNTS)
        assert min(ind.best, ind.worst) < value < max(ind.best, ind.worst), code
        tighter = ind.model_copy(update={"worst": (ind.worst + value) / 2})  # halfway to the value: a lower score
        changed = rules.compute(COUNTS, SHIPPED.model_copy(update={"indicators": {**SHIPPED.indicators,
                                                                                  code: tighter}}))
        assert changed.score < base.score, code
