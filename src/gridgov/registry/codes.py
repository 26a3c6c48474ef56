"""The code tables of a person's record: gender (GB/T 2261.1), ethnicity (GB/T 3304, with 97 其他 and
98 外国血统中国籍人士), ID kinds, residence kinds, statuses, moves, relations and the reasons a full
value may be revealed for. The two national tables are data files (``registry/data/*.csv``), read
once; the rest are short lists written here. Pure: no I/O beyond reading the package's own files.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _table(name: str) -> dict[str, str]:
    with (DATA / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    return {r[0]: r[1] for r in rows[1:]}


@cache
def genders() -> dict[str, str]:
    """GB/T 2261.1: ``0`` 未知的性别, ``1`` 男性, ``2`` 女性, ``9`` 未说明的性别."""
    return _table("gender.csv")


@cache
def ethnicities() -> dict[str, str]:
    """GB/T 3304: ``01`` 汉族 … ``56`` 基诺族, ``97`` 其他, ``98`` 外国血统中国籍人士."""
    return _table("ethnicity.csv")


GENDER_SHORT = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
"""What a list shows of a gender code."""

ID_KINDS = {
    "resident": "居民身份证",
    "passport": "护照",
    "permit": "其他证件（港澳台居民居住证、通行证、外国人永久居留身份证等）",
}
ID_PATTERNS = {
    "passport": re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$"),
    "permit": re.compile(r"^(?=.*\d)[A-Z0-9]{8,18}$"),
}
"""A simple check for numbers without a national check digit: letters and digits, with a digit."""
ID_PATTERN_HINTS = {"passport": "护照号码应为 5–17 位字母和数字", "permit": "证件号码应为 8–18 位字母和数字"}

RESIDENCE_KINDS = {"registered": "户籍人口", "floating": "流动人口", "overseas": "境外人员"}
STATUSES = {"active": "在住", "moved_out": "已迁出", "deceased": "已死亡"}
MOVE_KINDS = {"in": "迁入", "out": "迁出", "death": "死亡"}
RELATIONS = {
    "head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
    "grandparent": "祖父母", "sibling": "兄弟姐妹", "other": "其他亲属", "tenant": "租住人员",
}
"""Household relations (GB/T 4761 家庭关系代码, grouped): the relative is ``relation`` of the person."""

REVEAL_REASONS = {
    "verify_identity": "核实身份",
    "contact": "联系本人",
    "case_handling": "办理事件",
    "visit": "走访服务",
    "other": "其他",
}
"""Why a full ID number or phone is revealed; ``other`` needs a text."""

ACCESS_ACTIONS = {"view": "查看", "search": "按证件号查找", "reveal": "查看完整信息", "export": "导出",
                  "report": "个人信息报告"}
"""What the access log records (``registry_person_access.action``)."""


def gender_label(code: str) -> str:
    return GENDER_SHORT.get(code, code)


def ethnicity_label(code: str) -> str:
    return ethnicities().get(code, "") if code else ""
