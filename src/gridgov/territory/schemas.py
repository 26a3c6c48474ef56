"""What the territory API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
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
    host_unit: str = ""
    unit_head: str = ""
    competent_department: str | None = None
    competent_department_name: str = ""
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
    on: date | None = None


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


class MicroGridFinding(BaseModel):
    """A comprehensive grid not divided into micro-grids where the profile requires (ZJ§6) or
    encourages (LZ§8) it."""

    grid_code: str
    grid_name: str
    severity: str  # required | encouraged
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
    micro_grid_findings: list[MicroGridFinding] = []

    @property
    def ok(self) -> bool:
        return not (self.overlaps or self.gaps or self.outside)


# ---------------------------------------------------------------- boundary history and adjustments


class GridVersionRead(BaseModel):
    id: int
    grid_code: str
    valid_from: date
    valid_to: date | None
    name: str
    kind: str
    kind_label: str
    households: int
    adjustment_id: int | None
    geometry: dict[str, Any]


class AdjustmentPlan(BaseModel):
    """The grids an adjustment creates or redraws (GeoJSON features in the import format) and the
    codes it retires."""

    features: list[Any] = []
    retire: list[str] = []


class AdjustmentCreate(BaseModel):
    kind: str
    town_code: str
    trigger: str
    reason: str
    committee_opinion: str = ""
    effective_on: date
    plan: AdjustmentPlan


class AdjustmentDecision(BaseModel):
    note: str = ""


class AdjustmentRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    county_code: str
    town_code: str
    town_name: str = ""
    trigger: str
    trigger_label: str
    reason: str
    committee_opinion: str
    status: str
    status_label: str
    effective_on: date
    requires_filing: bool
    new_codes: list[str]
    redrawn_codes: list[str]
    retired_codes: list[str]
    proposed_by: int | None
    proposed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str
    filed_by: int | None
    filed_at: datetime | None
    filing_note: str
    applied_at: datetime | None
