"""The coding rules of areas, grids and micro-grids."""

import pytest

from gridgov.models.territory import AreaLevel
from gridgov.territory import rules


@pytest.mark.req("A1")
@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("320000000000", AreaLevel.PROVINCE, None),
        ("321100000000", AreaLevel.CITY, "320000000000"),
        ("321102000000", AreaLevel.COUNTY, "321100000000"),
        ("321102001000", AreaLevel.TOWN, "321102000000"),
        ("321102001201", AreaLevel.VILLAGE, "321102001000"),
    ],
)
def test_level_and_parent_follow_from_the_code(code, level, parent):
    assert rules.area_level(code) == level
    assert rules.parent_area_code(code) == parent


@pytest.mark.parametrize(
    "code", ["32110200100", "3211020010001", "32110200100A", "321102000001", "000000000000", "320011000000"]
)
def test_malformed_area_codes_are_refused_in_chinese(code):
    with pytest.raises(rules.CodeError, match="代码"):
        rules.area_level(code)


def test_prefix_selects_everything_under_an_area():
    assert rules.area_prefix("321100000000") == "3211"
    assert rules.area_prefix("321102001000") == "321102001"
    assert rules.area_prefix("321102001201") == "321102001201"
    assert rules.ancestor_codes("321102001201") == [
        "320000000000",
        "321100000000",
        "321102000000",
        "321102001000",
        "321102001201",
    ]


@pytest.mark.req("A4")
def test_grid_code_is_its_village_code_and_a_sequence():
    assert rules.grid_village_code("321102001201007") == "321102001201"
    with pytest.raises(rules.CodeError, match="顺序号"):
        rules.grid_village_code("321102001201000")
    with pytest.raises(rules.CodeError, match="不是村/社区代码"):
        rules.grid_village_code("321102001000007")
    with pytest.raises(rules.CodeError, match="15 位"):
        rules.grid_village_code("32110200120100")


@pytest.mark.req("A6")
def test_micro_grid_code_is_its_grid_code_and_two_digits():
    assert rules.micro_grid_parent_code("32110200120100703") == "321102001201007"
    with pytest.raises(rules.CodeError):
        rules.micro_grid_parent_code("32110200120100700")
