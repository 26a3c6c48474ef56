"""The department demo accounts serve departments the profile's own article names."""

import pytest

from gridgov.accounts.demo import demo_department_kinds
from gridgov.policy.loader import load_profile


@pytest.mark.setting("departments")
@pytest.mark.parametrize(("name", "expected"), [
    ("zhenjiang", {"dept_cg": ("chengguan", "城市管理"), "dept_sc": ("shichang", "市场监管")}),  # ZJ§5
    ("jiangsu", {"dept_cg": ("gongan", "公安"), "dept_sc": ("shichang", "市场监督管理")}),  # JS§4: no 城市管理
    ("jiangmen", {"dept_cg": ("chengguan", "城市管理综合执法"), "dept_sc": ("gongan", "公安")}),  # JM§5: no 市场监管
])
def test_demo_department_accounts_follow_the_profile(name, expected):
    kinds = demo_department_kinds(load_profile(name))
    assert kinds == expected
    assert {k for k, _ in kinds.values()} <= {d.code for d in load_profile(name).departments}


def test_the_login_page_lists_the_department_accounts_by_the_profiles_names():
    from gridgov.accounts.demo import demo_accounts

    notes = {a.username: a.note for a in demo_accounts(load_profile("jiangsu"))}
    assert notes["dept_cg"] == "区公安部门受理员" and notes["dept_sc"] == "区市场监督管理部门受理员"
