"""Pure rules of territorial codes (GB/T 2260 + the statistical division code), no I/O.

The vocabulary every layer speaks: a jurisdiction is a prefix of these codes, so the door (authz) and the
audit log read them too. It sits below authz (it needs only the models' AreaLevel); territory's own
``gridgov.territory.rules`` re-exports it for the domains.

An area code has 12 digits: province 2 + city 2 + county 2 + town 3 + village 3. Its level is the
last non-zero segment, and its parent is the code with that segment zeroed. A zero segment may not be
followed by a non-zero one (there is no village under town ``000``). A grid code is its village's
code + a 3-digit sequence (001–999); a micro-grid code is its grid's code + 2 digits (01–99).
"""

from __future__ import annotations

from functools import lru_cache

from gridgov.models.territory import AreaLevel

AREA_CODE_LEN = 12
GRID_CODE_LEN = 15
MICRO_GRID_CODE_LEN = 17

# (level, start, end) of each segment of an area code.
_SEGMENTS: tuple[tuple[AreaLevel, int, int], ...] = (
    (AreaLevel.PROVINCE, 0, 2),
    (AreaLevel.CITY, 2, 4),
    (AreaLevel.COUNTY, 4, 6),
    (AreaLevel.TOWN, 6, 9),
    (AreaLevel.VILLAGE, 9, 12),
)
_PREFIX_LEN = {level: end for level, _start, end in _SEGMENTS}
LEVEL_ORDER = [level for level, _s, _e in _SEGMENTS]


class CodeError(ValueError):
    """A code that breaks the coding rules; the message is Chinese and names the rule."""


@lru_cache(maxsize=1 << 16)  # a city has thousands of areas; every request asks about a few of them
def area_level(code: str) -> AreaLevel:
    """The level a 12-digit area code denotes, or :class:`CodeError`."""
    if len(code) != AREA_CODE_LEN or not code.isdigit():
        raise CodeError(f"区划代码 {code!r} 应为 12 位数字")
    level: AreaLevel | None = None
    seen_zero = False
    for lvl, start, end in _SEGMENTS:
        segment = code[start:end]
        if set(segment) == {"0"}:
            seen_zero = True
        elif seen_zero:
            raise CodeError(f"区划代码 {code} 不合规：上一级代码段为零时下一级不能非零")
        else:
            level = lvl
    if level is None:
        raise CodeError(f"区划代码 {code} 不能全为零")
    return level


@lru_cache(maxsize=1 << 16)
def parent_area_code(code: str) -> str | None:
    """The code of the area directly above, or None for a province."""
    level = area_level(code)
    if level == AreaLevel.PROVINCE:
        return None
    idx = LEVEL_ORDER.index(level)
    keep = _PREFIX_LEN[LEVEL_ORDER[idx - 1]]
    return code[:keep].ljust(AREA_CODE_LEN, "0")


def area_prefix(code: str) -> str:
    """The significant digits of an area code: everything under the area starts with them."""
    return code[: _PREFIX_LEN[area_level(code)]]


def ancestor_codes(code: str) -> list[str]:
    """Codes of the area and every area above it, top first."""
    chain = [code]
    parent = parent_area_code(code)
    while parent is not None:
        chain.append(parent)
        parent = parent_area_code(parent)
    return list(reversed(chain))


def grid_village_code(code: str) -> str:
    """The village code a 15-digit grid code belongs to, or :class:`CodeError`."""
    if len(code) != GRID_CODE_LEN or not code.isdigit():
        raise CodeError(f"网格编码 {code!r} 应为 15 位数字（村/社区代码 12 位 + 顺序号 3 位）")
    if code[12:] == "000":
        raise CodeError(f"网格编码 {code} 的顺序号不能为 000")
    village = code[:12]
    if area_level(village) != AreaLevel.VILLAGE:
        raise CodeError(f"网格编码 {code} 的前 12 位 {village} 不是村/社区代码")
    return village


def micro_grid_parent_code(code: str) -> str:
    """The grid code a 17-digit micro-grid code belongs to, or :class:`CodeError`."""
    if len(code) != MICRO_GRID_CODE_LEN or not code.isdigit():
        raise CodeError(f"微网格编码 {code!r} 应为 17 位数字（网格编码 15 位 + 顺序号 2 位）")
    if code[15:] == "00":
        raise CodeError(f"微网格编码 {code} 的顺序号不能为 00")
    grid = code[:15]
    grid_village_code(grid)
    return grid


def scope_prefix(code: str) -> str:
    """The prefix that selects everything under an area, grid or micro-grid code."""
    if len(code) == AREA_CODE_LEN:
        return area_prefix(code)
    if len(code) in (GRID_CODE_LEN, MICRO_GRID_CODE_LEN) and code.isdigit():
        return code
    raise CodeError(f"编码 {code!r} 既不是区划代码也不是网格编码")
