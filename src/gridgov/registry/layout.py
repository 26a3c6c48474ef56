"""The column layout of the register's imports and exports, one per kind (pure, no I/O).

Column headings are the data items of GB/T 31000-2015 《社会治安综合治理基础数据规范》 where it
defines them (公民身份号码, 姓名, 性别, 民族, 出生日期, 联系方式 …), so that a sheet exported by a city's
existing system imports with at most a renamed column; gridgov's own items (the area, grid and
address codes that place a row) keep gridgov's names. ``docs/registry.md`` lists each kind and where
gridgov departs from the standard.

The code tables (gender GB/T 2261.1, ethnicity GB/T 3304) are kept private here on purpose: the
people engineer may write the same tables in ``registry/codes.py`` at the same time, and the
integrator unifies them. A cell may hold the code (``1``, ``01``) or its name (``男``, ``汉族``).
"""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.registry import codes, places_rules


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool = False
    personal: bool = False
    """Masked in a masked export (ID numbers, phones)."""


KINDS: dict[str, str] = {"addresses": "标准地址", "houses": "实有房屋", "people": "实有人口", "units": "实有单位"}

LAYOUTS: dict[str, tuple[Column, ...]] = {
    "addresses": (
        Column("code", "地址编码"),  # export only: import assigns the code
        Column("area_code", "所属村（社区）代码", required=True),
        Column("road", "街路巷（村民小组）"),
        Column("house_no", "门（楼）牌号"),
        Column("building", "楼栋号"),
        Column("unit", "单元号"),
        Column("room", "户室号"),
        Column("lon", "经度"),
        Column("lat", "纬度"),
        Column("grid_code", "网格编码"),
    ),
    "houses": (
        Column("address_code", "地址编码", required=True),
        Column("usage", "房屋用途", required=True),
        Column("owner_name", "房主姓名"),
        Column("owner_id_number", "房主公民身份号码", personal=True),
        Column("area_m2", "建筑面积（平方米）"),
        Column("note", "备注"),
    ),
    "people": (
        Column("name", "姓名", required=True),
        Column("id_kind", "证件类型"),
        Column("id_number", "公民身份号码", required=True, personal=True),
        Column("gender", "性别"),
        Column("ethnicity", "民族"),
        Column("birth_date", "出生日期"),
        Column("phone", "联系方式", personal=True),
        Column("residence_kind", "人口类型", required=True),
        Column("address_code", "现住地址编码"),
        Column("area_code", "现住村（社区）代码"),
    ),
    "units": (
        Column("name", "单位名称", required=True),
        Column("uscc", "统一社会信用代码"),
        Column("kind", "单位类别"),
        Column("address_code", "地址编码", required=True),
        Column("contact_name", "联系人"),
        Column("contact_phone", "联系电话", personal=True),
        Column("dedicated_grid_code", "专属网格编码"),
    ),
}

EXPORT_ONLY = {("addresses", "code")}
"""Columns an export writes and an import ignores."""

USAGES = {"own": "自住", "rented": "出租", "vacant": "空置", "business": "经营", "other": "其他"}
ID_KINDS = {"resident": "居民身份证", "passport": "护照", "permit": "其他证件"}
RESIDENCE_KINDS = {"registered": "户籍人口", "floating": "流动人口", "overseas": "境外人员"}
UNIT_KINDS = {"enterprise": "企业", "institution": "事业单位", "government": "机关", "social": "社会组织",
              "individual": "个体工商户", "other": "其他"}

_GENDERS = codes.genders()
"""GB/T 2261.1-2003 人的性别代码 (registry/data/gender.csv, the one table)."""
ETHNICITIES = codes.ethnicities()
"""GB/T 3304-1991 的两位代码 (registry/data/ethnicity.csv, the one table)."""


def columns(kind: str) -> tuple[Column, ...]:
    return LAYOUTS[kind]


def import_columns(kind: str) -> tuple[Column, ...]:
    return tuple(c for c in LAYOUTS[kind] if (kind, c.key) not in EXPORT_ONLY)


def headings(kind: str) -> list[str]:
    return [c.heading for c in LAYOUTS[kind]]


def _code_of(table: dict[str, str], text: str, *, aliases: dict[str, str] | None = None) -> str | None:
    text = text.strip()
    if text in table:
        return text
    by_name = {v: k for k, v in table.items()} | (aliases or {})
    return by_name.get(text)


def gender_code(text: str) -> str | None:
    """``男``/``1`` → ``1``; None when neither a GB/T 2261.1 code nor its name."""
    return _code_of(_GENDERS, text, aliases={"男": "1", "女": "2", "未知": "0", "未说明": "9"})


def gender_label(code: str) -> str:
    return codes.GENDER_SHORT.get(code, "") if code in ("1", "2") else _GENDERS.get(code, "")


def ethnicity_code(text: str) -> str | None:
    """``汉族``/``汉``/``01``/``1`` → ``01``; None when not a GB/T 3304 code or name."""
    text = text.strip()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    short = {name.removesuffix("族"): code for code, name in ETHNICITIES.items() if name.endswith("族")}
    return _code_of(ETHNICITIES, text, aliases=short)


def ethnicity_label(code: str) -> str:
    return ETHNICITIES.get(code, "")


def choice_code(table: dict[str, str], text: str) -> str | None:
    """A choice typed as its code (``rented``) or its Chinese name (``出租``)."""
    return _code_of(table, text)


def canonical_address(place: str, road: str, house_no: str, building: str, unit: str, room: str) -> str:
    """The one canonical text of an address, by the same rule as a registration
    (:func:`gridgov.registry.places_rules.canonical_text`): ``place`` is the names of the county, the
    town and the village, then road, number, building, unit, room, each folded with its one suffix."""
    return places_rules.canonical_text([place], {"road": road, "house_no": house_no, "building": building,
                                                  "unit": unit, "room": room})
