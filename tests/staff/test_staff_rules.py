"""Pure staff rules: eligibility, the training gate, staffing caps and gaps, under several profiles."""

from datetime import date

import pytest

from gridgov.policy.loader import load_profile
from gridgov.staff import rules
from gridgov.staff.rules import (
    ExclusionFact,
    GridFact,
    MicroGridFact,
    PostFact,
    TrainingFact,
)


@pytest.fixture(scope="module")
def staff_of():
    return lambda name: load_profile(name).staff


def test_age_counts_full_years():
    assert rules.age_on(date(2006, 5, 10), date(2024, 5, 9)) == 17
    assert rules.age_on(date(2006, 5, 10), date(2024, 5, 10)) == 18


def test_jiangsu_refuses_a_fulltime_worker_under_eighteen(staff_of):
    problems = rules.eligibility_problems(staff_of("jiangsu"), role="fulltime", on=date(2024, 5, 9),
                                          birth_date=date(2006, 5, 10), has_id_number=True, exclusions=[])
    assert problems and "未满 18 周岁" in problems[0]
    assert not rules.eligibility_problems(staff_of("jiangsu"), role="parttime", on=date(2024, 5, 9),
                                          birth_date=date(2006, 5, 10), has_id_number=True, exclusions=[])


def test_an_exclusion_blocks_until_it_is_lifted(staff_of):
    policy = staff_of("qinzhou")
    kw = dict(role="fulltime", birth_date=date(1990, 1, 1), has_id_number=True)
    open_ = [ExclusionFact("dismissed_from_public_office", None)]
    lifted = [ExclusionFact("dismissed_from_public_office", date(2024, 3, 1))]
    assert "开除公职" in rules.eligibility_problems(policy, on=date(2024, 5, 1), exclusions=open_, **kw)[0]
    assert rules.eligibility_problems(policy, on=date(2024, 2, 1), exclusions=lifted, **kw)
    assert not rules.eligibility_problems(policy, on=date(2024, 3, 1), exclusions=lifted, **kw)


def test_zhenjiang_sets_no_eligibility_conditions(staff_of):
    assert not rules.eligibility_problems(staff_of("zhenjiang"), role="fulltime", on=date(2024, 1, 1),
                                          birth_date=date(2010, 1, 1), has_id_number=False,
                                          exclusions=[ExclusionFact("criminal_record", None)])
    assert rules.exclusion_kind_problem(staff_of("zhenjiang"), "criminal_record")
    assert rules.exclusion_kind_problem(staff_of("qinzhou"), "criminal_record")  # not in QZ§12's list
    assert rules.exclusion_kind_problem(staff_of("jiangsu"), "criminal_record") is None


def test_training_gate_follows_the_profile(staff_of):
    start = date(2024, 3, 1)
    assert "尚未登记" in rules.training_problem(staff_of("zhenjiang"), [], start)
    failed = [TrainingFact("pre_job", date(2024, 2, 1), False)]
    assert rules.training_problem(staff_of("luzhou"), failed, start)
    late = [TrainingFact("pre_job", date(2024, 3, 5), True)]
    assert "早于" in rules.training_problem(staff_of("zhenjiang"), late, start)
    assert rules.training_problem(staff_of("zhenjiang"), [TrainingFact("pre_job", date(2024, 2, 1), True)],
                                  start) is None
    assert rules.training_problem(staff_of("jiangsu"), [], start) is None


def test_staffing_caps_on_activation(staff_of):
    grid = "329901001001001"
    leader = [PostFact("leader", grid, None)]
    assert rules.activation_conflict(staff_of("zhenjiang"), role="leader", grid_code=grid, micro_grid_code=None,
                                     grid_kind="urban", active=leader)
    assert rules.activation_conflict(staff_of("zhenjiang"), role="leader", grid_code=grid, micro_grid_code=None,
                                     grid_kind="dedicated", active=leader) is None
    two = [PostFact("professional", grid, None)] * 2
    assert "上限 2" in rules.activation_conflict(staff_of("jiangmen"), role="professional", grid_code=grid,
                                                 micro_grid_code=None, grid_kind="urban", active=two)
    micro = grid + "01"
    assert rules.activation_conflict(staff_of("zhenjiang"), role="liaison", grid_code=grid, micro_grid_code=micro,
                                     grid_kind="urban", active=[PostFact("liaison", grid, micro)])


def test_gaps_differ_by_profile(staff_of):
    grids = [GridFact("329901001001001", "一网格", "urban", "329901001001"),
             GridFact("329901001001002", "二网格", "rural", "329901001001")]
    micros = [MicroGridFact("32990100100100101", "一号微网格", "329901001001001")]
    active = [PostFact("fulltime", "329901001001001", None)]

    def kinds(name):
        return sorted((g.grid_code[-3:], g.kind) for g in rules.staffing_gaps(staff_of(name), grids, micros, active))

    assert kinds("zhenjiang") == [("001", "no_leader"), ("001", "no_liaison"), ("001", "no_volunteer"),
                                  ("002", "fulltime_advised"), ("002", "no_leader")]
    assert kinds("luzhou") == [("002", "fulltime_advised")]
    over = active + [PostFact("professional", "329901001001001", None)] * 3
    gaps = rules.staffing_gaps(staff_of("jiangmen"), grids, micros, over)
    assert ("001", "too_many_professionals") in [(g.grid_code[-3:], g.kind) for g in gaps]
