"""Areas, grids and micro-grids: the territory every other record hangs from.

Codes are the identity. An area has the 12-digit statistical code (province 2 + city 2 + county 2 +
town 3 + village 3); a grid the 15-digit code (its village's code + a 3-digit sequence); a micro-grid
the grid code + 2 digits. Rows are never deleted: a grid leaves service by ``status = retired``, so
a retired code can never be taken again. Geometry is WGS84 (lon, lat) kept as WKB, with its bounding
box in plain columns so a map can ask for what is in view.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
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
    # A dedicated grid's particulars (QZ§5, QZ§13): the unit it is drawn round, that unit's head
    # (its grid leader where the profile says so) and the kind of its competent department (业务主管
    # 部门, one of the profile's departments), which shares its management (属地和业务主管部门双重管理).
    host_unit: Mapped[str] = mapped_column(String(100), default="")
    unit_head: Mapped[str] = mapped_column(String(50), default="")
    competent_department: Mapped[str | None] = mapped_column(String(24))

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


class GridVersion(Base):
    """A grid's boundary and attributes over a period: valid from ``valid_from`` (inclusive) until
    ``valid_to`` (exclusive; None while current). The locator answers "which grid held this point on
    date D" from these rows; the current row mirrors the ``grids`` row."""

    __tablename__ = "grid_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    valid_from: Mapped[date] = mapped_column(Date, index=True)
    valid_to: Mapped[date | None] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    households: Mapped[int] = mapped_column(Integer, default=0)
    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("grid_adjustments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AdjustmentKind(enum.StrEnum):
    SPLIT = "split"
    MERGE = "merge"
    REDRAW = "redraw"
    RETIRE = "retire"


ADJUSTMENT_KIND_LABELS = {
    AdjustmentKind.SPLIT: "拆分",
    AdjustmentKind.MERGE: "合并",
    AdjustmentKind.REDRAW: "边界调整",
    AdjustmentKind.RETIRE: "撤销",
}


class AdjustmentStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    FILED = "filed"
    EFFECTIVE = "effective"


ADJUSTMENT_STATUS_LABELS = {
    AdjustmentStatus.PROPOSED: "待审批",
    AdjustmentStatus.APPROVED: "已批准",
    AdjustmentStatus.REJECTED: "未批准",
    AdjustmentStatus.FILED: "已备案",
    AdjustmentStatus.EFFECTIVE: "已生效",
}


class GridAdjustment(Base):
    """A proposed change of grids (split, merge, redraw, retire): proposed by a town or county
    agency with the village committee's opinion (ZJ§6), approved by the county agency, filed with the
    city agency (备案), in effect from ``effective_on``. ``plan`` holds the resulting grids (GeoJSON
    features in the import format) and the codes it retires."""

    __tablename__ = "grid_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    town_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    trigger: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    committee_opinion: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[dict] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filing_note: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BoardComplaint(Base):
    """A complaint about a grid's staff sent from its public board (JS§19); reaches the town agency,
    which records what it did. The complainant's phone is encrypted and shown masked."""

    __tablename__ = "board_complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    town_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    complainant: Mapped[str] = mapped_column(String(50), default="")
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action_taken: Mapped[str] = mapped_column(Text, default="")
    # Supervision of the handling (JS§19 依法及时处理): the deadline from the profile's
    # ``board.complaint_handling_working_days``, the sweep's overdue mark, and the result the
    # complainant is told (looked up with the complaint number and the phone given).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(Text, default="")


class SupervisionPhone(Base):
    """The supervision phone a county or town agency publishes (JS§19 县、乡镇网格化机构应当向社会
    公布监督电话); a board shows its town's, else its county's, else the profile's."""

    __tablename__ = "supervision_phones"

    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
