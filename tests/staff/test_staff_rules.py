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


@pytest.mark.req("B3")
@pytest.mark.setting("staff.fulltime_eligibility.min_age")
def test_jiangsu_refuses_a_fulltime_worker_under_eighteen(staff_of):
    problems = rules.eligibility_problems(staff_of("jiangsu"), role="fulltime", on=date(2024, 5, 9),
                                          birth_date=date(2006, 5, 10), has_id_number=True, exclusions=[])
    assert problems and "未满 18 周岁" in problems[0]
    assert not rules.eligibility_problems(staff_of("jiangsu"), role="parttime", on=date(2024, 5, 9),
                                          birth_date=date(2006, 5, 10), has_id_number=True, exclusions=[])


@pytest.mark.req("B3")
@pytest.mark.setting("staff.fulltime_eligibility.exclusions")
def test_an_exclusion_blocks_until_it_is_lifted(staff_of):
    policy = staff_of("qinzhou")
    kw = dict(role="fulltime", birth_date=date(1990, 1, 1), has_id_number=True)
    open_ = [ExclusionFact("dismissed_from_public_office", None)]
    lifted = [ExclusionFact("dismissed_from_public_office", date(2024, 3, 1))]
    assert "开除公职" in rules.eligibility_problems(policy, on=date(2024, 5, 1), exclusions=open_, **kw)[0]
    assert rules.eligibility_problems(policy, on=date(2024, 2, 1), exclusions=lifted, **kw)
    assert not rules.eligibility_problems(policy, on=date(2024, 3, 1), exclusions=lifted, **kw)


@pytest.mark.setting("staff.fulltime_eligibility.exclusions")
def test_zhenjiang_sets_no_eligibility_conditions(staff_of):
    assert not rules.eligibility_problems(staff_of("zhenjiang"), role="fulltime", on=date(2024, 1, 1),
                                          birth_date=date(2010, 1, 1), has_id_number=False,
                                          exclusions=[ExclusionFact("criminal_record", None)])
    assert rules.exclusion_kind_problem(staff_of("zhenjiang"), "criminal_record")
    assert rules.exclusion_kind_problem(staff_of("qinzhou"), "criminal_record")  # not in QZ§12's list
    assert rules.exclusion_kind_problem(staff_of("jiangsu"), "criminal_record") is None


@pytest.mark.req("B4")
@pytest.mark.setting("staff.training_before_posting")
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


@pytest.mark.req("B3")
@pytest.mark.setting("staff.fulltime_eligibility.min_age")
def test_age_exactly_at_the_minimum_is_eligible(staff_of):
    jiangsu = staff_of("jiangsu")  # min_age = 18
    kw = dict(role="fulltime", birth_date=date(2006, 5, 10), has_id_number=True, exclusions=[])
    assert rules.eligibility_problems(jiangsu, on=date(2024, 5, 10), **kw) == []  # the 18th birthday
    assert "（17 岁）" in rules.eligibility_problems(jiangsu, on=date(2024, 5, 9), **kw)[0]


@pytest.mark.setting("staff.fulltime_eligibility.min_age", "staff.fulltime_eligibility.citizen_required")
def test_a_missing_birth_date_or_id_number_is_named(staff_of):
    jiangsu = staff_of("jiangsu")  # min_age and citizen_required
    problems = rules.eligibility_problems(jiangsu, role="fulltime", on=date(2024, 5, 10), birth_date=None,
                                          has_id_number=False, exclusions=[])
    assert len(problems) == 2
    assert "未登记出生日期" in problems[0] and "年满 18 周岁" in problems[0]
    assert "未登记居民身份证号码" in problems[1]


@pytest.mark.setting("staff.fulltime_eligibility.exclusions")
def test_an_exclusion_not_listed_by_the_profile_bars_nobody(staff_of):
    assert rules.eligibility_problems(staff_of("qinzhou"), role="fulltime", on=date(2024, 5, 1),
                                      birth_date=date(1990, 1, 1), has_id_number=True,
                                      exclusions=[ExclusionFact("criminal_record", None)]) == []


@pytest.mark.req("B4")
def test_the_training_gate_takes_the_earliest_passed_pre_job_training(staff_of):
    zhenjiang, start = staff_of("zhenjiang"), date(2024, 3, 1)
    other_kind = [TrainingFact("in_service", date(2024, 2, 1), True)]
    assert "尚未登记岗前培训合格" in rules.training_problem(zhenjiang, other_kind, start)
    on_the_day = [TrainingFact("pre_job", date(2024, 3, 5), True), TrainingFact("pre_job", start, True)]
    assert rules.training_problem(zhenjiang, on_the_day, start) is None


@pytest.mark.setting("staff.training_before_posting")
@pytest.mark.parametrize("name", ["qinzhou", "jiangmen"])
def test_qz_and_jm_set_no_training_gate_before_posting(staff_of, name):
    """QZ§21 and JM§13 ask for training schemes, not a gate: an untrained worker's post may start."""
    assert rules.training_problem(staff_of(name), [], date(2024, 3, 1)) is None
    assert load_profile(name).source_of("staff.training_before_posting").is_local


@pytest.mark.req("B2")
@pytest.mark.setting("staff.leader_per_comprehensive_grid")
def test_staffing_caps_on_activation(staff_of):
    grid = "329901001001001"
    leader = [PostFact("leader", grid, None)]
    assert "已有在岗网格长" in rules.activation_conflict(
        staff_of("zhenjiang"), role="leader", grid_code=grid, micro_grid_code=None, grid_kind="urban", active=leader)
    assert rules.activation_conflict(staff_of("zhenjiang"), role="leader", grid_code=grid, micro_grid_code=None,
                                     grid_kind="dedicated", active=leader) is None
    assert rules.activation_conflict(staff_of("zhenjiang"), role="leader", grid_code=grid + "9",
                                     micro_grid_code=None, grid_kind="urban", active=leader) is None  # another grid
    assert rules.activation_conflict(staff_of("luzhou"), role="leader", grid_code=grid, micro_grid_code=None,
                                     grid_kind="urban", active=leader) is None  # LZ sets no leader per grid


@pytest.mark.req("B1", "B2")
@pytest.mark.setting("staff.max_professionals_per_grid")
def test_a_grid_exactly_at_its_professionals_cap_takes_no_more(staff_of):
    jiangmen, grid = staff_of("jiangmen"), "329901001001001"  # at most 2 professionals per grid
    one, two = [PostFact("professional", grid, None)], [PostFact("professional", grid, None)] * 2

    def conflict(active):
        return rules.activation_conflict(jiangmen, role="professional", grid_code=grid, micro_grid_code=None,
                                         grid_kind="urban", active=active)

    assert conflict(one) is None
    assert conflict(two) == "该网格在岗专业网格员已达上限 2 名"
    assert conflict([PostFact("professional", grid + "9", None)] * 2) is None  # another grid's posts
    assert conflict([PostFact("fulltime", grid, None)] * 2) is None
    assert rules.activation_conflict(staff_of("zhenjiang"), role="professional", grid_code=grid,
                                     micro_grid_code=None, grid_kind="urban", active=two * 5) is None  # no cap


@pytest.mark.req("A6")
@pytest.mark.setting("staff.liaisons_per_micro_grid")
def test_a_micro_grid_with_exactly_its_liaisons_takes_no_more(staff_of):
    zhenjiang, grid = staff_of("zhenjiang"), "329901001001001"  # one liaison per micro-grid
    micro = grid + "01"

    def conflict(active, micro_grid_code=micro):
        return rules.activation_conflict(zhenjiang, role="liaison", grid_code=grid, micro_grid_code=micro_grid_code,
                                         grid_kind="urban", active=active)

    assert conflict([]) is None
    assert conflict([PostFact("liaison", grid, micro)]) == "该微网格已有 1 名在岗联络员（每个微网格配备 1 名联络员）"
    assert conflict([PostFact("liaison", grid, grid + "02")]) is None  # the neighbouring micro-grid's liaison
    assert conflict([PostFact("volunteer", grid, micro)]) is None
    assert conflict([PostFact("liaison", grid, micro)], micro_grid_code=None) is None


@pytest.mark.req("B2")
@pytest.mark.setting("staff.fulltime_required_in", "staff.max_professionals_per_grid", "staff.liaisons_per_micro_grid")
def test_gaps_at_the_boundaries(staff_of):
    grid = "329901001001001"
    grids = [GridFact(grid, "一网格", "urban", "329901001001"),
             GridFact("329901001001003", "三网格", "dedicated", "329901001001")]
    micros = [MicroGridFact(grid + "01", "一号微网格", grid)]
    staffed = [PostFact("leader", grid, None), PostFact("fulltime", grid, None),
               PostFact("liaison", grid, grid + "01"), PostFact("volunteer", grid, grid + "01"),
               PostFact("volunteer", grid, grid + "01"), PostFact("leader", "329901001001003", None)]
    assert rules.staffing_gaps(staff_of("zhenjiang"), grids, micros, staffed) == []
    at_cap = staffed + [PostFact("professional", grid, None)] * 2
    assert rules.staffing_gaps(staff_of("jiangmen"), grids, [], at_cap) == []
    over = rules.staffing_gaps(staff_of("jiangmen"), grids, [], at_cap + [PostFact("professional", grid, None)],
                               requirement=load_profile("jiangmen").requirement)
    assert [(g.kind, g.severity, g.detail) for g in over] == [  # JM§10's cap is ambiguous: a local default
        ("too_many_professionals", "local", "在岗专业网格员 3 名，超过上限 2 名")]
    assert over[0].label == "专业网格员超员"
    bare = rules.staffing_gaps(staff_of("zhenjiang"), grids, micros, [])
    assert [(g.grid_code[-3:], g.kind, g.detail, g.micro_grid_code) for g in bare] == [
        ("001", "no_leader", "没有在岗网格长", ""),
        ("001", "no_fulltime", "没有在岗专职网格员", ""),
        ("001", "no_liaison", "一号微网格：在岗联络员 0 名，应为 1 名", grid + "01"),
        ("001", "no_volunteer", "一号微网格：在岗志愿者 0 名，应至少 2 名", grid + "01"),
    ]


@pytest.mark.req("B2")
@pytest.mark.setting("staff.leader_per_comprehensive_grid", "staff.fulltime_where_possible_in")
@pytest.mark.setting("staff.max_professionals_per_grid")
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


def test_labels_kinds_and_normalised_values(staff_of):
    assert rules.role_label("leader") == "网格长" and rules.role_label("nobody") == "nobody"
    assert rules.normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert rules.id_number_facts("11010519491231002X") == (None, date(1949, 12, 31))
    assert rules.id_number_facts("110105194912310021") == ("身份证号码校验位不正确", None)
    assert rules.normalise_gender(" M ") == "男" and rules.normalise_gender("女") == "女"
    assert rules.normalise_gender("x") is None
    assert [rules.scope_kind_for(r) for r in ("liaison", "volunteer", "instructor", "chief_leader", "leader")] == [
        "micro_grid", "micro_grid", "area", "area", "grid"]


@pytest.mark.req("B1")
@pytest.mark.setting("staff.roles")
def test_a_role_must_exist_and_be_set_by_the_profile(staff_of):
    assert rules.role_problem(staff_of("zhenjiang"), "nobody") == "未知的岗位 'nobody'"
    assert rules.role_problem(staff_of("jiangsu"), "liaison").startswith("本地政策未设置“")
    assert rules.role_problem(staff_of("zhenjiang"), "liaison") is None
    assert rules.eligibility_problems(staff_of("jiangsu"), role="parttime", on=date(2024, 5, 9),
                                      birth_date=None, has_id_number=False, exclusions=[]) == []


def test_only_a_liaison_is_counted_against_the_liaisons_of_a_micro_grid(staff_of):
    grid = "329901001001001"
    micro = grid + "01"
    assert rules.activation_conflict(staff_of("zhenjiang"), role="volunteer", grid_code=grid, micro_grid_code=micro,
                                     grid_kind="urban", active=[PostFact("liaison", grid, micro)]) is None


@pytest.mark.req("A6")
@pytest.mark.setting("staff.liaisons_per_micro_grid")
def test_a_micro_grid_gap_counts_each_liaison_once(staff_of):
    two_each = staff_of("zhenjiang").model_copy(update={"liaisons_per_micro_grid": 2})
    grid = "329901001001001"
    gaps = rules.staffing_gaps(two_each, [GridFact(grid, "一网格", "urban", "329901001001")],
                               [MicroGridFact(grid + "01", "一号微网格", grid)],
                               [PostFact("liaison", grid, grid + "01"), PostFact("volunteer", grid, grid + "01")])
    assert [g.detail for g in gaps if g.kind == "no_liaison"] == ["一号微网格：在岗联络员 1 名，应为 2 名"]


@pytest.mark.setting("staff.fulltime_required_in")
@pytest.mark.req("B2")
def test_a_gap_reads_as_the_law_only_where_the_text_says_so(staff_of):
    """JS§13 says urban grids 应当 have a full-time worker: the gap is 应当配备 citing JS§13. JM§10
    says no such thing (its urban rule is a local default): the same gap is 本地要求, no article."""
    grids = [GridFact("329901001001001", "一网格", "urban", "329901001001")]
    def no_fulltime(name):
        (gap,) = [g for g in rules.staffing_gaps(staff_of(name), grids, [], [PostFact("leader", grids[0].code, None)],
                                                 requirement=load_profile(name).requirement) if g.kind == "no_fulltime"]
        return gap.severity, gap.severity_label, gap.basis

    assert no_fulltime("jiangsu") == ("required", "应当配备", "JS§13")
    assert no_fulltime("qinzhou") == ("required", "应当配备", "QZ§12")
    assert no_fulltime("jiangmen") == ("local", "本地要求", "本地设置")
    jm_lines = rules.policy_lines(staff_of("jiangmen"), load_profile("jiangmen").requirement)
    assert "应当" not in "".join(line for line in jm_lines if "专职" in line)
    assert "城市社区网格配备专职网格员：应当配备（JS§13）" in rules.policy_lines(staff_of("jiangsu"),
                                                                       load_profile("jiangsu").requirement)
    # without the profile's sources nothing claims the law
    assert {g.severity for g in rules.staffing_gaps(staff_of("jiangsu"), grids, [], [])} == {"local"}


@pytest.mark.setting("staff.volunteers_per_micro_grid")
@pytest.mark.req("A6")
def test_zj_micro_grids_want_several_volunteers_and_other_profiles_have_none(staff_of):
    grid = "329901001001001"
    grids = [GridFact(grid, "一网格", "urban", "329901001001")]
    micros = [MicroGridFact(grid + "01", "一号微网格", grid)]
    posts = [PostFact("leader", grid, None), PostFact("fulltime", grid, None), PostFact("liaison", grid, grid + "01"),
             PostFact("volunteer", grid, grid + "01")]
    gaps = rules.staffing_gaps(staff_of("zhenjiang"), grids, micros, posts,
                               requirement=load_profile("zhenjiang").requirement)
    assert [(g.kind, g.severity, g.basis) for g in gaps] == [("no_volunteer", "required", "ZJ§9")]  # 多名 ≥ 2
    assert rules.role_problem(staff_of("zhenjiang"), "volunteer") is None
    for name in ("luzhou", "jiangsu", "qinzhou", "jiangmen"):
        assert "未设置微网格志愿者" in rules.role_problem(staff_of(name), "volunteer")


@pytest.mark.setting("staff.leader_eligible_from")
@pytest.mark.req("B1")
def test_who_may_be_grid_leader_follows_each_text(staff_of):
    js, qz, jm, zj = (staff_of(n) for n in ("jiangsu", "qinzhou", "jiangmen", "zhenjiang"))
    assert "须说明任职身份" in rules.leader_basis_problem(js, None, holds_fulltime=False)
    assert rules.leader_basis_problem(js, "committee_member", holds_fulltime=False) is None  # JS§12
    assert "须先在岗担任专职网格员" in rules.leader_basis_problem(js, "fulltime_worker", holds_fulltime=False)
    assert rules.leader_basis_problem(js, "fulltime_worker", holds_fulltime=True) is None
    assert "不能担任网格长" in rules.leader_basis_problem(jm, "village_cadre", holds_fulltime=False)  # JM§10
    assert rules.leader_basis_problem(jm, "party_backbone", holds_fulltime=False) is None
    assert rules.leader_basis_problem(qz, "party_building_organiser", holds_fulltime=False) is None  # QZ§11
    assert "不能担任网格长" in rules.leader_basis_problem(qz, "party_backbone", holds_fulltime=False)
    assert rules.leader_basis_problem(zj, None, holds_fulltime=False) is None  # ZJ is silent: anyone
    assert rules.leader_basis_problem(zj, "nobody", holds_fulltime=False) == "未知的任职身份 'nobody'"


@pytest.mark.setting("staff.leader_per_comprehensive_grid")
def test_a_second_leader_is_refused_citing_jm10_but_only_as_a_local_rule_under_js(staff_of):
    grid, leader = "329901001001001", [PostFact("leader", "329901001001001", None)]

    def refusal(name):
        return rules.activation_conflict(staff_of(name), role="leader", grid_code=grid, micro_grid_code=None,
                                         grid_kind="urban", active=leader, requirement=load_profile(name).requirement)

    assert "每个综合网格设一名网格长（JM§10）" in refusal("jiangmen")  # JM§10 每个综合网格设一名网格长
    assert "每个综合网格设一名网格长（本地设置，条例未规定，由本市确定）" in refusal("jiangsu")  # not JS§11–12's words


@pytest.mark.setting("staff.dedicated_staffed_by_host_unit")
@pytest.mark.req("B2")
def test_a_dedicated_grid_the_host_unit_must_staff_shows_a_gap_until_a_worker_serves(staff_of):
    """QZ§13: 专属网格应当配备网格长、网格员……网格员由专属网格所在单位负责配备. Under QZ a dedicated
    grid with only its leader is short of the workers its unit must post; the profiles that leave
    it to no unit (JS, ZJ, LZ, JM) find nothing."""
    grid = "450702001001001"
    grids = [GridFact(grid, "港区专属网格", "dedicated", "450702001001")]
    leader_only = [PostFact("leader", grid, None)]

    def unit_gaps(name, active):
        return [g for g in rules.staffing_gaps(staff_of(name), grids, [], active,
                                               requirement=load_profile(name).requirement) if g.kind == "no_unit_staff"]

    [gap] = unit_gaps("qinzhou", leader_only)
    assert gap.severity == rules.REQUIRED and "所在单位" in gap.detail and gap.label == "专属网格缺网格员"
    assert unit_gaps("qinzhou", leader_only + [PostFact("parttime", grid, None)]) == []
    for name in ("jiangsu", "zhenjiang", "luzhou", "jiangmen"):
        assert not staff_of(name).dedicated_staffed_by_host_unit
        assert unit_gaps(name, leader_only) == []


def test_settings_no_code_could_act_on_have_left_the_staff_schema(staff_of):
    """Decided for issue 13: the texts' unverifiable conditions (品行端正…) and hiring preferences, and
    a separate "assessment" flag (a training record's ``passed`` is its assessment's result), are not
    settings: no profile may carry them."""
    from gridgov.policy.schema import Eligibility, Staff

    assert {"assessment_before_posting"}.isdisjoint(Staff.model_fields)
    assert {"conditions", "preferences"}.isdisjoint(Eligibility.model_fields)
    for name in ("zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen"):
        assert not any(k.startswith(("staff.assessment_before_posting", "staff.fulltime_eligibility.conditions",
                                     "staff.fulltime_eligibility.preferences")) for k in load_profile(name).sources)
