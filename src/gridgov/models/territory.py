"""Areas, grids and micro-grids: the territory every other record hangs from.

Codes are the identity. An area has the 12-digit statistical code (province 2 + city 2 + county 2 +
town 3 + village 3); a grid the 15-digit code (its village's code + a 3-digit sequence); a micro-grid
the grid code + 2 digits. Rows are never deleted: a grid leaves service by ``status = retired``, so
a retired code can never be taken again. Geometry is WGS84 (lon, lat) kept as WKB, with its bounding
box in plain columns so a map can ask for what is in view.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class AreaLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


AREA_LEVEL_LABELS = {
    AreaLevel.PROVINCE: "省",
    AreaLevel.CITY: "市",
    AreaLevel.COUNTY: "县(市、区)",
    AreaLevel.TOWN: "镇(街道)",
    AreaLevel.VILLAGE: "村(社区)",
}


class GridKind(enum.StrEnum):
    URBAN = "urban"
    RURAL = "rural"
    DEDICATED = "dedicated"


GRID_KIND_LABELS = {GridKind.URBAN: "城市社区网格", GridKind.RURAL: "农村网格", GridKind.DEDICATED: "专属网格"}


class DedicatedType(enum.StrEnum):
    ADMIN_CENTRE = "admin_centre"
    PARK = "park"
    ENTERPRISE = "enterprise"
    OFFICE_BUILDING = "office_building"
    MARKET = "market"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    CANAL_HUB = "canal_hub"
    MARITIME = "maritime"


DEDICATED_TYPE_LABELS = {
    DedicatedType.ADMIN_CENTRE: "行政中心",
    DedicatedType.PARK: "园区",
    DedicatedType.ENTERPRISE: "企事业单位",
    DedicatedType.OFFICE_BUILDING: "商务楼宇",
    DedicatedType.MARKET: "商贸市场",
    DedicatedType.SCHOOL: "学校",
    DedicatedType.HOSPITAL: "医院",
    DedicatedType.CANAL_HUB: "运河枢纽",
    DedicatedType.MARITIME: "海上网格",
}


class GridStatus(enum.StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class Area(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    boundary_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("length(code) = 12", name="code_length"),)


class Grid(Base):
    __tablename__ = "grids"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    dedicated_type: Mapped[str | None] = mapped_column(String(32))
    households: Mapped[int] = mapped_column(Integer, default=0)
    population: Mapped[int] = mapped_column(Integer, default=0)
    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=GridStatus.ACTIVE, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("length(code) = 15", name="code_length"),
        CheckConstraint("households >= 0 AND population >= 0", name="counts_not_negative"),
    )


class MicroGrid(Base):
    __tablename__ = "micro_grids"

    code: Mapped[str] = mapped_column(String(17), primary_key=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    households: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=GridStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("length(code) = 17", name="code_length"),)
