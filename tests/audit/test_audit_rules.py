"""The pure rules of reading the audit log: date bounds and the before/after diff."""

from datetime import UTC, datetime

import pytest

from gridgov.audit.rules import BadDate, diff, since_bound, until_bound


def test_a_bare_date_is_a_whole_beijing_day():
    assert since_bound("2026-03-01") == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert until_bound("2026-03-01") == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert until_bound("2026-03-01T08:30") == datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    assert since_bound("2026-03-01T00:00:00Z") == datetime(2026, 3, 1, tzinfo=UTC)
    assert since_bound("") is None and until_bound(None) is None
    with pytest.raises(BadDate, match="格式不对"):
        since_bound("03/01/2026")


def test_the_diff_marks_changed_fields_and_speaks_chinese():
    rows = diff({"role": "fulltime", "is_active": True, "scope_code": "321102001001001"},
                {"role": "leader", "is_active": True, "scope_code": "321102001001001", "department_code": None})
    by_field = {r.field: r for r in rows}
    assert [r.field for r in rows] == ["role", "is_active", "scope_code", "department_code"]
    assert (by_field["role"].label, by_field["role"].before, by_field["role"].after) == ("角色", "专职网格员", "网格长")
    assert by_field["role"].changed and not by_field["is_active"].changed and by_field["is_active"].after == "是"
    assert by_field["department_code"].changed and by_field["department_code"].before == ""
    assert diff(None, None) == []
