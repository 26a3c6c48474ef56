"""The regulation a profile encodes and the demo city it sits on."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from gridgov.policy.schema.base import _Checked, _Model, _unique
from gridgov.policy.schema.vocabulary import RegulationKind, RegulationStatus


class Regulation(_Model):
    """The text a profile encodes. ``key`` is the short name used in article references (ZJ§13)."""

    key: str = Field(title="条例简称", pattern=r"^[A-Z]{2}$")
    title: str = Field(title="条例名称", min_length=1)
    kind: RegulationKind = Field(title="文件类别")
    status: RegulationStatus = Field(title="状态")
    dated: str = Field("", title="文本日期", description="公布或征求意见的日期，原文所写")
    in_force_from: str = Field("", title="施行日期", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    text_file: str = Field("", title="原文文件", description="shared/regulations/ 下的文件名")
    missing_text: list[str] = Field(default_factory=list, title="原文缺失的条文",
                                    description="所存文本丢失了列举项的条文，如 LZ§9；据此设置的项目无法从条文取得")

    @field_validator("missing_text")
    @classmethod
    def _own_articles(cls, value: list[str], info) -> list[str]:
        key = info.data.get("key", "")
        bad = [r for r in value if not re.fullmatch(rf"{key}§\d+", r)]
        if bad:
            raise ValueError(f"应写本条例的条文（如 {key}§9），而不是 {bad[0]!r}")
        return value


class Centre(_Model):
    lon: float = Field(title="经度", ge=-180, le=180)
    lat: float = Field(title="纬度", ge=-90, le=90)


class County(_Model):
    """A county-level division (县级市/区/县) by its GB/T 2260 code."""

    code: str = Field(title="区划代码", pattern=r"^\d{6}$")
    name: str = Field(title="名称", min_length=1)


class SpecialZone(_Model):
    """A functional zone (功能区: 自贸区片区, 高新区, 管理区…) whose management body runs grid work in it
    (QZ§4): a county-level area of the territory with its own code under the city, its own agency and
    the grids under it. The code is the city's four digits + 71–99 (the statistical division codes
    give such zones 7x); where the real code is unknown it is a local choice."""

    code: str = Field(title="区划代码", pattern=r"^\d{4}[7-9]\d$")
    name: str = Field(title="名称", min_length=1, max_length=50)


class City(_Checked):
    """The demo city a deployment of this profile sits on: real codes, synthetic towns below."""

    province_code: str = Field(title="省级代码", pattern=r"^\d{2}$")
    code: str = Field(title="市级区划代码", pattern=r"^\d{6}$")
    name: str = Field(title="市名", min_length=1)
    centre: Centre = Field(title="中心点（WGS84）")
    counties: list[County] = _unique("县级行政区", min_length=1)
    special_zones: list[SpecialZone] = _unique("功能区（县级区域）", default_factory=list)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if not self.code.startswith(self.province_code):
            found.append(("code", f"必须以省级代码 {self.province_code} 开头"))
        if not self.code.endswith("00"):
            found.append(("code", "市级区划代码应以 00 结尾"))
        for i, county in enumerate(self.counties):
            if county.code[:4] != self.code[:4] or county.code == self.code:
                found.append((f"counties[{i}].code", f"县级区划代码 {county.code} 必须以市级代码 {self.code[:4]} 开头"))
        counties = {c.code for c in self.counties}
        for i, zone in enumerate(self.special_zones):
            if zone.code[:4] != self.code[:4]:
                found.append((f"special_zones[{i}].code",
                              f"功能区代码 {zone.code} 必须以市级代码 {self.code[:4]} 开头"))
            if zone.code in counties:
                found.append((f"special_zones[{i}].code", f"功能区代码 {zone.code} 与县级行政区重复"))
        return found
