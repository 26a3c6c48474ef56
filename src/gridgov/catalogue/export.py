"""What the public sees of the list of grid work (C5), and its Excel and PDF renderings.

One read model, :func:`catalogue_view`, serves the public pages and both exports, so a page and the
file downloaded from it always agree. It shows the lists that govern a place (the city's, plus its
county's) with the matters in force *today* — asked of :mod:`gridgov.catalogue.lookup`, so a
temporary matter past its end date is gone here exactly when it is gone for cases — and each list's
published versions. No jurisdiction: the list is public.

The PDF embeds the subset of a CJK TrueType font it uses (WenQuanYi Micro Hei, Apache-2.0, shipped
in ``kit/fonts/`` as a GB2312 subset, registered by :mod:`gridgov.kit.pdffont`): a reader without
Chinese fonts still shows every character, and the app needs no system font.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from gridgov.catalogue import repository as repo
from gridgov.catalogue import rules as crules
from gridgov.catalogue.lookup import governing_areas, matters_in_force
from gridgov.catalogue.rules import NEGATIVE
from gridgov.errors import NotFound
from gridgov.kit.clock import local
from gridgov.kit.pdffont import CJK_FONT, register_cjk_font
from gridgov.models import Area, CatalogueList, ListVersion, Matter
from gridgov.models.territory import AreaLevel
from gridgov.policy.schema import VALUE_LABELS
from gridgov.territory import rules

NEGATIVE_HEADING = "不得交由网格员承担的事项"
COLUMNS = ("编码", "名称", "内容", "类别", "主管部门", "依据", "网格员可现场处置", "临时纳入至")


@dataclass(frozen=True)
class MatterRow:
    code: str
    name: str
    description: str
    class_code: str
    department: str
    legal_basis: str
    on_site: bool
    temporary_until: date | None
    class_name: str = ""
    """The name of the class where ``class_code`` is an entry of the city's directory (JM§9)."""
    resources: tuple[tuple[str, str], ...] = ()
    """(label, text) of what the department sends with the matter (C6), in the order of the texts."""

    @property
    def class_text(self) -> str:
        if self.class_name:
            return f"{self.class_name}（{self.class_code}）"
        return self.class_code or "—"


@dataclass(frozen=True)
class VersionRow:
    number: int
    published_on: date
    summary: str
    filing: str = ""
    """For a county version where the profile asks filing with the city: filed (with its date) or
    pending (JM§9); empty otherwise."""


@dataclass
class ListView:
    id: int
    area_code: str
    area_name: str
    kind: str
    kind_label: str
    name: str
    version: int
    published_on: date | None
    follows: str = ""
    matters: list[MatterRow] = field(default_factory=list)
    versions: list[VersionRow] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        return self.kind == NEGATIVE


@dataclass
class CatalogueView:
    place_code: str
    place_name: str
    place_level: str
    chain: list[Area]
    day: date
    lists: list[ListView]
    regulation: str

    @property
    def title(self) -> str:
        return f"{self.place_name}网格服务管理事项清单"


def public_area(session: Session, code: str) -> Area:
    """The area a public catalogue page is about; the same 404 for a malformed and a missing code."""
    try:
        rules.area_level(code)
    except rules.CodeError:
        raise NotFound(f"找不到区划 {code}") from None
    area = repo.find_area(session, code)
    if area is None:
        raise NotFound(f"找不到区划 {code}")
    return area


def catalogue_view(session: Session, profile, place: str, day: date) -> CatalogueView:
    """The lists governing ``place`` (an area code) with their matters in force on ``day``."""
    area = public_area(session, place)
    chain_codes = governing_areas(place)
    chain = [a for a in (repo.find_area(session, c) for c in chain_codes) if a is not None]
    names = {a.code: a.name for a in chain}
    order = {c: i for i, c in enumerate(chain_codes)}
    kinds = list(profile.catalogue.city_lists) + list(profile.catalogue.county_lists)
    lists = repo.lists_of_areas(session, chain_codes)
    lists = sorted(lists, key=lambda cl: (order.get(cl.area_code, 99), kinds.index(cl.kind) if cl.kind in kinds else 99,
                                          cl.id))
    ids = [cl.id for cl in lists]
    by_id = {cl.id: cl for cl in lists}
    follows_names = repo.list_names(session, {cl.follows_list_id for cl in lists if cl.follows_list_id})
    versions: dict[int, list[VersionRow]] = {i: [] for i in ids}
    if ids:
        for list_id, number, published_on, summary, filed_at in repo.version_rows(session, ids):
            filed = ""
            if crules.filing_problem(profile.catalogue, _level(by_id[list_id].area_code)) is None:
                filed = crules.filing_label(local(filed_at).date() if filed_at else None)
            versions[list_id].append(VersionRow(number, published_on, summary or "", filed))
    departments = {d.code: d.name for d in profile.departments}
    matters: dict[int, list[MatterRow]] = {i: [] for i in ids}
    in_force = [*matters_in_force(session, place, day), *matters_in_force(session, place, day, negative=True)]
    classes = {m.code: m.name for m in in_force
               if m.list_id in by_id and by_id[m.list_id].kind == crules.DIRECTORY}
    for m in in_force:
        if m.list_id in matters:
            matters[m.list_id].append(_row(m, departments, classes))
    views = []
    for list_id in ids:
        cl = by_id[list_id]
        current = next((v for v in versions[list_id] if v.number == cl.current_version), None)
        views.append(ListView(
            id=cl.id, area_code=cl.area_code, area_name=names.get(cl.area_code, cl.area_code), kind=cl.kind,
            kind_label=VALUE_LABELS.get(cl.kind, cl.kind), name=cl.name, version=cl.current_version,
            published_on=current.published_on if current else None,
            follows=follows_names.get(cl.follows_list_id, "") if cl.follows_list_id else "",
            matters=matters[list_id], versions=versions[list_id],
        ))
    return CatalogueView(area.code, area.name, area.level, chain, day, views, profile.regulation.title)


def public_counties(session: Session, view: CatalogueView) -> Sequence:
    """Rows (code, name) of the counties a city's public page links to; none on a county's page."""
    if view.place_level != AreaLevel.CITY:
        return []
    return repo.counties_of(session, view.place_code)


def _level(code: str) -> str:
    try:
        return str(rules.area_level(code))
    except rules.CodeError:
        return ""


def _row(m: Matter, departments: dict[str, str], classes: dict[str, str] | None = None) -> MatterRow:
    return MatterRow(
        code=m.code, name=m.name, description=m.description or "", class_code=m.class_code or "",
        department=departments.get(m.department_kind, m.department_kind or ""), legal_basis=m.legal_basis or "",
        on_site=bool(m.on_site), temporary_until=m.temporary_until,
        class_name=(classes or {}).get(m.class_code or "", ""),
        resources=tuple((crules.RESOURCE_LABELS[k], (m.resources or {})[k]) for k in crules.RESOURCE_KINDS
                        if (m.resources or {}).get(k)),
    )


@dataclass(frozen=True)
class ChangedField:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangedMatter:
    code: str
    name: str
    fields: list[ChangedField]


@dataclass
class Comparison:
    list: CatalogueList
    area_name: str
    old: ListVersion
    new: ListVersion
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ChangedMatter]
    numbers: list[int]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def compare_versions(session: Session, profile, list_id: int, old: int | None, new: int | None) -> Comparison:
    """Two published versions of a list and what changed between them (:func:`rules.diff`),
    ready to print (default: the current version against the one before it)."""
    cl = repo.find_list(session, list_id)
    if cl is None:
        raise NotFound("找不到该清单")
    numbers = repo.version_numbers(session, list_id)
    if not numbers:
        raise NotFound("该清单尚未公布任何版本")
    new = numbers[-1] if new is None else new
    old = max(new - 1, numbers[0]) if old is None else old
    found = repo.versions_numbered(session, list_id, [old, new])
    for n in (old, new):
        if n not in found:
            raise NotFound(f"该清单没有第 {n} 版")
    found_diff = crules.diff(found[old].snapshot or [], found[new].snapshot or [])
    departments = department_names(profile)
    changed = [
        ChangedMatter(c.code, c.name, [
            ChangedField(crules.FIELD_LABELS.get(f, f), describe_value(f, c.before.get(f), departments),
                         describe_value(f, c.after.get(f), departments))
            for f in c.fields
        ])
        for c in found_diff.changed
    ]
    area = repo.find_area(session, cl.area_code)
    return Comparison(cl, area.name if area else cl.area_code, found[old], found[new], list(found_diff.added),
                      list(found_diff.removed), changed, numbers)


def department_names(profile) -> dict[str, str]:
    return {d.code: d.name for d in profile.departments}


def describe_value(field_name: str, value: Any, departments: dict[str, str]) -> str:
    """A snapshot value as the compare page prints it."""
    if value is None or value == "":
        return "—"
    if field_name == "on_site":
        return "是" if value else "否"
    if field_name == "department_kind":
        return departments.get(value, value)
    if field_name == "power_type":
        return crules.POWER_TYPE_LABELS.get(value, value)
    if field_name == "limits" and isinstance(value, dict):
        return "，".join(f"{crules.LIMIT_FIELDS.get(k, k)}：{v}" for k, v in value.items()) or "—"
    return str(value)


# ---------------------------------------------------------------------------------------------
# Files.


def _cells(m: MatterRow) -> list[str]:
    return [m.code, m.name, m.description, m.class_text, m.department or "—", m.legal_basis or "—",
            "是" if m.on_site else "否", m.temporary_until.isoformat() if m.temporary_until else "—"]


def _version_line(lv: ListView) -> str:
    if not lv.version:
        return "尚未公布"
    when = lv.published_on.isoformat() if lv.published_on else ""
    return f"第 {lv.version} 版，{when} 公布"


def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "清单"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}_{n}", n + 1
    used.add(title)
    return title


def to_xlsx(view: CatalogueView) -> bytes:
    """One sheet per list: its name, version and date, then a row per matter in force."""
    from openpyxl.styles import Alignment, Font, PatternFill

    from gridgov.kit.spreadsheet import new_workbook, xlsx_bytes

    wb = new_workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = (16, 24, 60, 10, 14, 14, 10, 12)
    if not view.lists:
        ws = wb.create_sheet("事项清单")
        ws.append([view.title])
        ws.append(["尚未公布事项清单"])
    for lv in view.lists:
        ws = wb.create_sheet(_sheet_title(lv.name, used))
        ws.append([lv.name])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"{lv.kind_label} · {_version_line(lv)} · 导出日期 {view.day.isoformat()}"])
        if lv.negative:
            ws.append([f"负面清单：{NEGATIVE_HEADING}"])
            ws.cell(ws.max_row, 1).font = Font(bold=True, color="991B1B")
        if lv.follows:
            ws.append([f"依据 {lv.follows} 制定"])
        ws.append(list(COLUMNS))
        header = ws.max_row
        for cell in ws[header]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F1F5F9")
        for m in lv.matters:
            ws.append(_cells(m))
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
        if not lv.matters:
            ws.append(["（本清单暂无事项）"])
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        ws.freeze_panes = ws.cell(header + 1, 1)
    return xlsx_bytes(wb)


def to_pdf(view: CatalogueView) -> bytes:
    """An A4 document: title, date, and per list its version and a table whose cells wrap."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    register_cjk_font()
    base = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8.5, leading=11, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#475569"))
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=3)
    warn = ParagraphStyle("warn", parent=base, fontSize=10, leading=14, textColor=colors.HexColor("#991B1B"))

    def p(text: str, style=base) -> Paragraph:
        return Paragraph(escape(text), style)

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=view.title, author="网格化社会治理平台",
                            subject=view.regulation,
                            initialFontName=CJK_FONT)  # the canvas's starting font: no Helvetica left to supply
    story: list = [p(view.title, title), p(f"依据《{view.regulation}》公布 · 导出日期 {view.day.isoformat()}", small)]
    widths = [x * mm for x in (24, 62, 14, 20, 22, 18, 22)]
    if not view.lists:
        story.append(p("尚未公布事项清单。"))
    for lv in view.lists:
        story.append(p(lv.name, heading))
        story.append(p(f"{lv.kind_label} · {_version_line(lv)}" + (f" · 依据 {lv.follows} 制定" if lv.follows else ""),
                       small))
        if lv.negative:
            story.append(p(f"负面清单：{NEGATIVE_HEADING}", warn))
        story.append(Spacer(1, 2 * mm))
        rows = [[p(h) for h in ("编码", "名称及内容", "类别", "主管部门", "依据", "现场处置", "临时纳入至")]]
        for m in lv.matters:
            cells = _cells(m)
            name = Paragraph(f"{escape(m.name)}<br/><font size=7.5 color='#475569'>{escape(m.description)}</font>",
                             base)
            rows.append([p(cells[0]), name, *(p(c) for c in cells[3:])])
        if not lv.matters:
            rows.append([p("（本清单暂无事项）"), "", "", "", "", "", ""])
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),  # plain-text cells too: no Helvetica left to supply
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#CBD5E1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F1F5F9")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        story.append(table)
    doc.build(story)
    return out.getvalue()
