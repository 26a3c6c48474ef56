"""Pure rules of the board and its complaints, without a database."""

from __future__ import annotations

import re

import pytest

from gridgov.errors import Invalid
from gridgov.kit.ids import normalise_phone, phone_problem
from gridgov.public import rules


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0511-84441234", "01088886666", "010-8888666"])
def test_mainland_mobiles_and_landlines_are_accepted(phone):
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "511-84441234", "0511-0444123", "abc"])
def test_other_phone_numbers_are_refused_with_a_chinese_reason(phone):
    assert "手机号码" in phone_problem(phone)


def test_a_phone_is_normalised_before_it_is_checked():
    assert normalise_phone(" +86 138 1234 5678 ") == "13812345678"


def test_a_complaint_lists_every_bad_field_at_once():
    with pytest.raises(Invalid) as err:
        rules.check_complaint(staff_id=7, content="", complainant="名" * 51, phone="123", staff_ids={1, 2})
    assert [e["field"] for e in err.value.details] == ["content", "complainant", "phone", "staff_id"]
    assert err.value.message.startswith("投诉未提交：")


def test_a_good_complaint_comes_back_trimmed():
    checked = rules.check_complaint(staff_id=2, content="  态度差 ", complainant=" 刘 ", phone="138 1234 5678",
                                    staff_ids={2})
    assert (checked.staff_id, checked.content, checked.complainant, checked.phone) == (2, "态度差", "刘", "13812345678")


def test_the_outline_svg_keeps_north_up_and_the_shape_inside_the_box():
    square = {"type": "Polygon", "coordinates": [[(119.0, 32.0), (119.01, 32.0), (119.01, 32.01), (119.0, 32.01),
                                                  (119.0, 32.0)]]}
    svg = rules.outline_svg(square, size=100, pad=0)
    numbers = [float(n) for n in re.findall(r"(-?\d+\.\d)", svg.split(' d="')[1].split('"')[0])]
    xs, ys = numbers[0::2], numbers[1::2]
    assert min(xs) == 0 and min(ys) == 0 and max(ys) == 100.0
    assert 84 < max(xs) < 86, "经度按纬度余弦缩放"
    assert ys[0] == 100.0, "南边在下"
    assert rules.outline_svg({"type": "Point", "coordinates": [1, 2]}) == ""


def test_a_multipolygon_becomes_one_path_with_a_ring_each():
    ring = [(0, 0), (1, 0), (1, 1), (0, 0)]
    svg = rules.outline_svg({"type": "MultiPolygon", "coordinates": [[ring], [[(2, 2), (3, 2), (3, 3), (2, 2)]]]})
    assert svg.count("M") == 2 and svg.count(" Z") == 2


def test_leaders_come_before_workers_and_volunteers_last():
    roles = ["volunteer", "fulltime", "leader", "liaison", "parttime", "unknown"]
    assert sorted(roles, key=rules.role_rank) == ["leader", "fulltime", "parttime", "liaison", "volunteer", "unknown"]
