"""What the public board and the complaint API read and write.

The board carries only what the running profile's ``board.fields`` lists (LZ§10, JS§19, JM§8): a
field the profile leaves out is ``null`` (or an empty list), never filled from elsewhere. Staff rows
carry the *work* phone only: private phones, ID numbers and their masks never reach a board.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from gridgov.kit.params import IdField


class BoardArea(BaseModel):
    """One level of the area chain the grid lies in (city, county, town, village)."""

    code: str
    name: str
    level: str


class BoardStaff(BaseModel):
    """A person serving the grid today, as the board shows them."""

    staff_id: int = Field(description="人员编号（投诉时用来指明被投诉人）")
    role: str = Field(description="角色代码，例如 leader、fulltime")
    role_label: str = Field(description="角色中文名，例如 网格长")
    name: str | None = Field(description="姓名（公示内容含 staff_names 时）")
    work_phone: str | None = Field(description="工作电话（公示内容含 staff_contacts 时）；从不含私人电话")


class BoardLegal(BaseModel):
    """A legal professional serving the grid (法律进网格: ZJ§23, JS§22, QZ§17), as the board shows them:
    the office phone only, nothing personal."""

    name: str
    kind: str = Field(description="类别代码，例如 law_firm")
    kind_label: str = Field(description="类别，例如 律师事务所")
    institution: str = Field(description="所在单位")
    title: str
    public_phone: str = Field(description="公开联系电话（办公电话）")
    arrangement: str = Field(description="进网格安排，例如 每月第一个星期二 9:00-11:30，社区党群服务中心")
    next_dates: list[date] = Field(description="接下来的进网格日期")
class BoardDeliberation(BaseModel):
    """A deliberation's outcome the community decided to publish (议事协商, ZJ§20): no names."""

    id: int
    topic: str = Field(description="议题")
    decision: str = Field(description="协商形成的决定")
    decided_on: date = Field(description="决定日期")


class BoardRead(BaseModel):
    """The public board (公示) of one grid, as it stands at the moment of the request."""

    grid_code: str
    name: str | None = Field(description="网格名称（公示内容含 grid_name 时）")
    kind: str
    kind_label: str
    area: list[BoardArea] = Field(description="所属区域，自上而下（公示内容含 area 时）")
    outline: dict[str, Any] = Field(description="网格边界，GeoJSON geometry（WGS84）")
    staff: list[BoardStaff] = Field(description="在岗网格人员（网格及其微网格的生效岗位）")
    supervision_phone: str | None = Field(description="监督电话（公示内容含 supervision_phone 时）：所在乡镇（街道）"
                                                      "或县（市、区）网格化机构公布的电话，未设置时为全市统一电话（JS§19）")
    published_by: list[str] = Field(default_factory=list, description="公示单位（board.published_by）")
    legal: list[BoardLegal] = Field(default_factory=list, description="进网格的法律服务人员（本网格或所在村、镇）")
    updated_at: datetime | None = Field(None, description="网格或在岗人员最近一次变化的时间")
    deliberations: list[BoardDeliberation] = Field(
        default_factory=list, description="社区决定公开的议事协商结果（本网格及所在村（社区）的；不含姓名）")


class ComplaintCreate(BaseModel):
    """A complaint sent from a board about its staff (JS§19). Lengths are checked by the service
    (:func:`gridgov.public.rules.check_complaint`) so the page and the API give the same Chinese
    messages; the bounds here only cap the payload."""

    staff_id: IdField | None = Field(None, description="被投诉人员（公示中的人员），可不填")
    content: str = Field("", max_length=20000, description="投诉内容（必填，不超过 1000 字）")
    complainant: str = Field("", max_length=2000, description="投诉人姓名（可不填）")
    phone: str = Field("", max_length=2000, description="联系电话（可不填；手机或固定电话）")


class ComplaintReceipt(BaseModel):
    id: int
    grid_code: str
    status: str
    status_label: str
    received_at: datetime
    due_at: datetime | None = Field(None, description="处理期限")
    message: str


class ComplaintListItem(BaseModel):
    id: int
    grid_code: str
    grid_name: str
    town_code: str
    staff_id: int | None
    staff_name: str
    complainant: str
    phone_mask: str
    content: str
    status: str
    status_label: str
    received_at: datetime
    handled_at: datetime | None
    due_at: datetime | None = Field(None, description="处理期限（JS§19；时限见 board.complaint_handling_working_days）")
    overdue: bool = Field(False, description="已超过处理期限仍未处理（定时扫描标记）")


class ComplaintRead(ComplaintListItem):
    action_taken: str
    result: str = Field("", description="告知投诉人的处理结果")
    handled_by: int | None
    handled_by_name: str


class ComplaintHandle(BaseModel):
    action_taken: str = Field("", max_length=20000, description="处理情况（内部记录，必填，不超过 2000 字）")
    result: str = Field("", max_length=20000, description="告知投诉人的处理结果（不超过 1000 字；不填则告知处理情况）")


class ComplaintLookup(BaseModel):
    """The complainant asks what became of the complaint: its number and the phone given."""

    number: IdField = Field(description="投诉编号（提交时告知）")
    phone: str = Field(max_length=40, description="投诉时留下的联系电话")


class ComplaintStatus(BaseModel):
    """What the complainant is told: status, deadline and the result; never the handler or staff."""

    number: int
    grid_code: str
    status: str
    status_label: str
    received_at: datetime
    due_at: datetime | None
    handled_at: datetime | None
    result: str


class SupervisionPhoneRead(BaseModel):
    """A county's or town's supervision phone (JS§19) and the one its boards show."""

    area_code: str
    name: str
    level: str
    phone: str = Field(description="本级网格化机构设置的监督电话（空：未设置）")
    shown_phone: str = Field(description="该区域网格公示实际显示的监督电话")
    shown_source: str = Field(description="显示的电话来自：town 乡镇（街道）、county 县（市、区）、profile 政策配置")
    shown_source_label: str


class SupervisionPhoneSet(BaseModel):
    phone: str = Field("", max_length=40, description="监督电话；留空则取消本级电话，改用上级或全市统一电话")
