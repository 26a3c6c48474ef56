"""The demo city's data: the real city it sits on, its sizes and densities, and the name tables.

The layout that turns these into grids is :mod:`gridgov.territory.demo`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from gridgov.models.territory import DedicatedType

UNIT = 10_000_000
"""Integer coordinate units per degree: one unit is 1e-7°, the last decimal the output keeps."""

COUNTIES = 3
GRIDS_PER_VILLAGE = 12
VILLAGES_PER_TOWN = 7
MAX_TOWNS_PER_COUNTY = 198
"""99 streets (001–099) and 99 towns (100–198): the code space the statistical division gives them."""
MAX_VILLAGES_PER_TOWN = 199
MAX_GRIDS_PER_VILLAGE = 999
MIN_GRIDS = 2 * COUNTIES
MAX_GRIDS = 1_000_000

CELL_DEG_LAT = 0.0045
"""Height of an average grid in degrees of latitude (about 500 m); its width is the same in metres."""
CITY_ASPECT = 2.0
"""Width : height of the city's land rectangle in metres: three counties side by side, each about 2 : 3."""
JITTER = 0.3
"""Each cut's share of its parent is scaled by a factor drawn from 1 ± JITTER."""
SEA_DEPTH_CELLS = 1.5
"""Depth of the sea strip off the first county, in average grid heights."""

DEFAULT_HOUSEHOLD_NORMS: dict[str, tuple[int, int]] = {"urban": (300, 500), "rural": (250, 350)}
"""Households per comprehensive grid when no norms are given: JS§6, urban 300–500, rural about 300."""
PERSONS_PER_HOUSEHOLD = (2.4, 3.2)
DEDICATED_HOUSEHOLDS = (20, 150)
MARITIME_HOUSEHOLDS = (10, 80)
GRIDS_PER_DEDICATED = 500
"""One dedicated grid of each allowed type per this many grids (at least one of each)."""

DEFAULT_DEDICATED: frozenset[str] = frozenset(
    t.value for t in DedicatedType if t not in (DedicatedType.MARITIME, DedicatedType.CANAL_HUB)
)
URBAN_DEDICATED = frozenset({"admin_centre", "office_building", "market", "school", "hospital"})
DEDICATED_ORDER = ("park", "market") + tuple(
    t.value for t in DedicatedType if t.value not in ("park", "market", "maritime")
)

TOWN_STEMS = [a + b for a in "东西南北新金长龙凤白青华和丰安宝福春太双大石梅桃柳云高永兴平"
              for b in "湖桥山港塘河口园林坪岗阳城江洲浦溪庄店集湾埠泉岭"]
COMMUNITY_STEMS = ["幸福", "和平", "建设", "光明", "胜利", "团结", "友谊", "民主", "文化", "朝阳", "新华", "解放",
                   "人民", "红旗", "东风", "先锋", "前进", "繁荣", "振兴", "锦绣", "阳光", "康乐", "安居", "翠苑",
                   "丽景", "紫荆", "银河", "星光", "华庭", "景园"] + TOWN_STEMS
VILLAGE_STEMS = [
    s + t
    for s in "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    for t in "家庄湾塘桥岗圩坝营店巷墩"
]
COASTAL_STEMS = ["渔港", "海湾", "沙井", "港口", "海滨", "沙角", "蚝场", "渔洲", "海景", "滨海", "望海", "观潮", "白沙",
                 "金滩", "珍珠", "盐田"]


@dataclass(frozen=True)
class DemoCity:
    """A real city to lay a demo territory on: its GB/T 2260 codes and names, and where it is.

    ``counties`` lists county-level divisions as (6-digit code, name); the demo uses the first
    three. Codes nest: the city code starts with the province code, each county code with the
    city's first four digits.
    """

    province_code: str
    city_code: str
    city_name: str
    centre_lon: float
    centre_lat: float
    counties: tuple[tuple[str, str], ...]
    zones: tuple[tuple[str, str], ...] = ()
    """Special zones (QZ§4) laid out as county-level areas beside the counties, (6-digit code, name)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "counties", tuple((str(c), str(n)) for c, n in self.counties))
        object.__setattr__(self, "zones", tuple((str(c), str(n)) for c, n in self.zones))
        if len(self.province_code) != 2 or not self.province_code.isdigit():
            raise ValueError(f"province code {self.province_code!r} must be 2 digits")
        city = self.city_code
        if len(city) != 6 or not city.isdigit() or not city.startswith(self.province_code):
            raise ValueError(f"city code {self.city_code!r} must be 6 digits under province {self.province_code}")
        if len(self.counties) < COUNTIES:
            raise ValueError(f"{self.city_name} needs at least {COUNTIES} county-level divisions")
        for code, name in self.counties + self.zones:
            if len(code) != 6 or not code.isdigit() or not code.startswith(city[:4]) or code == city:
                raise ValueError(f"county code {code!r} ({name}) must be 6 digits under city {self.city_code}")
        if not (-180 < self.centre_lon < 180 and -80 < self.centre_lat < 80):
            raise ValueError("centre must be a WGS84 lon/lat away from the poles")

    @property
    def area_code(self) -> str:
        return self.city_code + "000000"


def demo_city_of(profile) -> DemoCity:
    """The real city a policy profile names in its ``[city]`` table (from shared/data/cities.md)."""
    city = profile.city
    return DemoCity(
        city.province_code,
        city.code,
        city.name,
        city.centre.lon,
        city.centre.lat,
        tuple((county.code, county.name) for county in city.counties),
        tuple((zone.code, zone.name) for zone in city.special_zones),
    )


def dedicated_types(allow: Collection[str]) -> list[str]:
    """The allowed dedicated types other than maritime, in a fixed order (park and market first)."""
    allowed = {str(t) for t in allow}
    unknown = allowed - {t.value for t in DedicatedType}
    if unknown:
        raise ValueError(f"unknown dedicated types: {sorted(unknown)}")
    return [t for t in DEDICATED_ORDER if t in allowed]


def household_norms_of(spec: Mapping[str, Any] | None) -> dict[str, tuple[int, int]]:
    """Household bounds per comprehensive kind; each bound falls back to the default when missing."""
    out = dict(DEFAULT_HOUSEHOLD_NORMS)
    for kind, value in (spec or {}).items():
        if kind not in out or value is None:
            continue
        lo, hi = out[kind]
        if isinstance(value, Mapping):
            lo, hi = value.get("min", lo), value.get("max", hi)
        else:
            lo, hi = value
        lo, hi = int(lo), int(hi)
        if not 0 <= lo <= hi:
            raise ValueError(f"household norm for {kind} must have 0 <= min <= max, got {lo}..{hi}")
        out[kind] = (lo, hi)
    return out
