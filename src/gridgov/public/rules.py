"""Pure rules of the public board and its complaints: no I/O, tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, radians

from gridgov.errors import Invalid
from gridgov.kit.ids import normalise_phone, phone_problem
from gridgov.models.accounts import STAFF_POST_ROLES, Role

CONTENT_MAX = 1000
COMPLAINANT_MAX = 50
ACTION_MAX = 2000
RESULT_MAX = 1000

RECEIVED = "received"
HANDLED = "handled"
STATUS_LABELS = {RECEIVED: "待处理", HANDLED: "已处理"}

BOARD_ROLE_ORDER = tuple(role for role in Role if role in STAFF_POST_ROLES)
"""The order staff appear on a board, the order :class:`Role` declares them: the instructor and
the leaders first, micro-grid volunteers last."""


def role_rank(role: str) -> int:
    try:
        return BOARD_ROLE_ORDER.index(Role(role))
    except ValueError:
        return len(BOARD_ROLE_ORDER)


@dataclass(frozen=True)
class CheckedComplaint:
    staff_id: int | None
    content: str
    complainant: str
    phone: str


def check_complaint(
    *, staff_id: int | None, content: str, complainant: str, phone: str, staff_ids: set[int]
) -> CheckedComplaint:
    """The complaint with its text trimmed, or :class:`Invalid` listing every bad field."""
    content = (content or "").strip()
    complainant = (complainant or "").strip()
    phone = normalise_phone(phone)
    errors: list[dict] = []
    if not content:
        errors.append({"field": "content", "error": "请填写投诉内容"})
    elif len(content) > CONTENT_MAX:
        errors.append({"field": "content", "error": f"投诉内容不能超过 {CONTENT_MAX} 字（现有 {len(content)} 字）"})
    if len(complainant) > COMPLAINANT_MAX:
        errors.append({"field": "complainant", "error": f"姓名不能超过 {COMPLAINANT_MAX} 字"})
    if phone and (problem := phone_problem(phone)):
        errors.append({"field": "phone", "error": f"联系电话{problem}"})
    if staff_id is not None and staff_id not in staff_ids:
        errors.append({"field": "staff_id", "error": "被投诉人员不在本网格公示的人员中"})
    if errors:
        raise Invalid("投诉未提交：" + "；".join(e["error"] for e in errors), details=errors)
    return CheckedComplaint(staff_id, content, complainant, phone)


def check_action(action_taken: str) -> str:
    text = (action_taken or "").strip()
    if not text:
        raise Invalid("请填写处理情况", details=[{"field": "action_taken", "error": "请填写处理情况"}])
    if len(text) > ACTION_MAX:
        raise Invalid(
            f"处理情况不能超过 {ACTION_MAX} 字",
            details=[{"field": "action_taken", "error": f"处理情况不能超过 {ACTION_MAX} 字（现有 {len(text)} 字）"}],
        )
    return text


def check_handling(action_taken: str, result: str) -> tuple[str, str]:
    """The handling record and the result told to the complainant, trimmed, or :class:`Invalid`
    listing both problems at once. A result left empty is the handling record itself: the
    complainant is always told something once the complaint is handled."""
    errors: list[dict] = []
    try:
        action = check_action(action_taken)
    except Invalid as exc:
        action, errors = "", list(exc.details or [])
    text = (result or "").strip() or action[:RESULT_MAX]
    if len(text) > RESULT_MAX:
        errors.append({"field": "result", "error": f"处理结果不能超过 {RESULT_MAX} 字（现有 {len(text)} 字）"})
    if errors:
        raise Invalid("；".join(e["error"] for e in errors), details=errors)
    return action, text


def outline_svg(geometry: dict, *, size: int = 240, pad: int = 8, stroke: str = "#1d4ed8") -> str:
    """An inline SVG of a GeoJSON Polygon/MultiPolygon for print (no map tiles on paper).

    Longitude is scaled by cos(latitude) so the shape keeps its proportions; north is up. The
    markup is built from numbers only, so it is safe to put in a page unescaped.
    """
    polygons = _polygons(geometry)
    points = [pt for poly in polygons for ring in poly for pt in ring]
    if not points:
        return ""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    kx = cos(radians((min(lats) + max(lats)) / 2))
    width = (max(lons) - min(lons)) * kx or 1e-9
    height = (max(lats) - min(lats)) or 1e-9
    scale = (size - 2 * pad) / max(width, height)
    w = width * scale + 2 * pad
    h = height * scale + 2 * pad

    def xy(p) -> str:
        x = pad + (p[0] - min(lons)) * kx * scale
        y = pad + (max(lats) - p[1]) * scale
        return f"{x:.1f},{y:.1f}"

    path = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for poly in polygons for ring in poly)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="board-outline" viewBox="0 0 {w:.1f} {h:.1f}" '
        f'width="{w:.0f}" height="{h:.0f}" role="img" aria-label="网格边界示意图">'
        f'<path d="{path}" fill="{stroke}" fill-opacity="0.12" fill-rule="evenodd" stroke="{stroke}" '
        f'stroke-width="2" stroke-linejoin="round"/></svg>'
    )


def _polygons(geometry: dict) -> list:
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    return []
