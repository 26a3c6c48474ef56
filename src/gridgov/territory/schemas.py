"""What the territory API reads and writes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AreaRead(BaseModel):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    children: int = 0
    grids: int = 0


class AreaChainItem(BaseModel):
    code: str
    name: str
    level: str


class GridListItem(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    dedicated_type: str | None
    area_code: str
    area_name: str
    households: int
    population: int
    status: str


class GridRead(GridListItem):
    area_chain: list[AreaChainItem]
    micro_grids: list[dict[str, Any]]
    bbox: list[float]
    geometry: dict[str, Any]


class GridPage(BaseModel):
    items: list[GridListItem]
    total: int
    page: int
    page_size: int


class LocateResult(BaseModel):
    found: bool
    message: str
    lon: float
    lat: float
    crs: str
    wgs84: list[float]
    grid_code: str | None = None
    grid_name: str | None = None
    area_chain: list[AreaChainItem] = []


class ImportProblem(BaseModel):
    index: int
    code: str | None
    reason: str


class ImportResult(BaseModel):
    areas_created: int = 0
    areas_updated: int = 0
    grids_created: int = 0
    grids_updated: int = 0
    micro_grids_created: int = 0
    micro_grids_updated: int = 0

    @property
    def total(self) -> int:
        return sum(self.model_dump().values())


class CoverageIssue(BaseModel):
    kind: str  # overlap | gap | outside
    grids: list[str]
    area_m2: float
    geometry: dict[str, Any]


class HouseholdWarning(BaseModel):
    grid_code: str
    grid_name: str
    kind: str
    households: int
    norm_min: int
    norm_max: int
    message: str


class CoverageReport(BaseModel):
    area_code: str
    area_name: str
    grids_checked: int
    has_boundary: bool
    overlaps: list[CoverageIssue]
    gaps: list[CoverageIssue]
    outside: list[CoverageIssue]
    household_warnings: list[HouseholdWarning]

    @property
    def ok(self) -> bool:
        return not (self.overlaps or self.gaps or self.outside)
