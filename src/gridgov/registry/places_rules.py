"""Pure rules of standard addresses, houses and units: the one canonical text of an address, the
address code, and the code tables of house usage and unit kind. No I/O.

The canonical text is what makes two spellings of one place the same address: the names of the
areas from the county down to the village/community, then road (or village group), house number,
building, unit and room, each part

* folded by NFKC (full-width digits and letters become half-width: ``１２`` → ``12``), letters raised,
  all white space removed;
* given its one suffix: ``号`` (house number), ``栋`` (building; ``幢``, ``号楼``, ``座`` are read as
  ``栋``), ``单元`` (unit), ``室`` (room; ``号``, ``房`` are read as ``室``); a part already ending
  in its suffix keeps one.

``解放路 １２号 3幢 2 单元 301`` and ``解放路12号3栋2单元301室`` are one address.
"""

from __future__ import annotations

import re
import unicodedata

HOUSE_USAGES: dict[str, str] = {"own": "自住", "rented": "出租", "vacant": "空置", "business": "经营", "other": "其他"}
"""实有房屋的使用情况."""

UNIT_KINDS: dict[str, str] = {
    "enterprise": "企业",
    "individual": "个体工商户",
    "institution": "事业单位",
    "government": "机关",
    "social": "社会组织",
    "other": "其他",
}
"""实有单位的类别."""

PART_SUFFIXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "house_no": ("号", ("号",)),
    "building": ("栋", ("号楼", "栋", "幢", "座")),
    "unit": ("单元", ("单元",)),
    "room": ("室", ("室", "房", "号")),
}
"""Part → (its canonical suffix, the suffixes read as it, longest first)."""

PART_ORDER = ("road", "house_no", "building", "unit", "room")
_SPACE = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """NFKC (full-width → half-width), letters raised, white space removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def canonical_part(name: str, value: str | None) -> str:
    """One part of an address, folded and with its one suffix (empty stays empty)."""
    text = fold(value)
    if not text or name not in PART_SUFFIXES:
        return text
    suffix, variants = PART_SUFFIXES[name]
    for variant in variants:
        if text.endswith(variant) and len(text) > len(variant):
            text = text[: -len(variant)]
            break
    return text + suffix


def canonical_parts(parts: dict[str, str | None]) -> dict[str, str]:
    return {name: canonical_part(name, parts.get(name)) for name in PART_ORDER}


def canonical_text(area_names: list[str], parts: dict[str, str | None]) -> str:
    """The one text of an address: the area names (county → village), then its parts in order."""
    cleaned = canonical_parts(parts)
    return "".join(fold(n) for n in area_names) + "".join(cleaned[name] for name in PART_ORDER)


def address_code(area_code: str, seq: int) -> str:
    """The stable code of an address: its village's code and its number there (``321102001001-000007``)."""
    return f"{area_code}-{seq:06d}"


def counter_name(area_code: str) -> str:
    """The row of the counters table that numbers the addresses of a village."""
    return f"address:{area_code}"


def search_text(q: str | None) -> str:
    """What an address search matches on: the query folded like the canonical text."""
    return fold(q)
