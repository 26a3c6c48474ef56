"""Categories: the matters in force at a place, or the profile's categories until a list governs
it; and the matter a case type falls under there (split from :mod:`.service`, which re-exports them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.catalogue import lookup
from gridgov.errors import Invalid
from gridgov.kit.clock import local
from gridgov.models import Matter


def category_choices(session: Session, place: str, day: date, profile) -> list[dict[str, str]]:
    """What a case or instruction at ``place`` (an area, grid or micro-grid code) may name on
    ``day``: the matters in force on the lists that govern it (C2: listed work only), or, before
    any list governs the place, the profile's initial categories."""
    if lookup.has_catalogue(session, place):
        return [{"code": m.code, "name": m.name} for m in lookup.matters_in_force(session, place, day)]
    return [{"code": c.code, "name": c.name} for c in profile.cases.categories]


def choices_text(choices: list[dict[str, str]]) -> str:
    return "、".join(f"{c['code']}（{c['name']}）" for c in choices) or "（暂无在册事项）"


_UNREAD = object()


def check_category(session: Session, place: str, code: str, day: date, profile, *, found=_UNREAD):
    """422 unless ``code`` may be named at ``place`` on ``day``; the row of the matter it names (None
    while the profile's categories stand in for a list). The message names the choices, so a form can be
    corrected without asking anyone. ``found``: :func:`lookup.matter_in_force`'s answer when the
    caller read it already."""
    matter = lookup.matter_in_force(session, place, code, day) if found is _UNREAD else found
    if matter is not None:
        return matter
    if not lookup.has_catalogue(session, place):
        if profile.cases.category(code) is None:
            raise Invalid(f"类别 {code} 不在可选范围内：{choices_text(category_choices(session, place, day, profile))}",
                          details=[{"field": "category", "error": "取值无效"}])
        return None
    why = ("列入负面清单，不属于网格事项" if lookup.on_negative_list(session, place, code, day)
           else "不在该网格适用的事项清单内（或已退出清单）")
    raise Invalid(f"事项 {code} {why}。可选事项：{choices_text(category_choices(session, place, day, profile))}",
                  details=[{"field": "category", "error": "取值无效"}])


def category_names(session: Session, profile, codes=None) -> dict[str, str]:
    """Code → name, to show the category of cases and instructions: the profile's categories and
    every matter ever listed (exited ones too, so an old case keeps its name). ``codes``: only these."""
    names = {c.code: c.name for c in profile.cases.categories}
    stmt = select(Matter.code, Matter.name)
    if codes is not None:
        stmt = stmt.where(Matter.code.in_(list(codes)))
    names.update(dict(session.execute(stmt).all()))
    return names


def matter_of_type(session: Session, place: str, kind, now: datetime, profile) -> str:
    """The matter a case of type ``kind`` falls under at ``place``: the first of the type's matters
    that may be named there today (a matter in force, or the profile's category before any list)."""
    choices = category_choices(session, place, local(now).date(), profile)
    codes = sorted(c["code"] for c in choices)
    # A county's own list numbers the starter matters per county (lz14_03 → lz14_03_510502): the
    # type names the starter code, which stands for its county variant too.
    found = next((c for m in kind.matters for c in codes if c == m or c.startswith(f"{m}_")), None)
    if found is None:
        raise Invalid(f"事件类型 {kind.name}（{kind.code}）所属的事项在该网格不适用，请选择事项："
                      f"{choices_text(choices)}", details=[{"field": "category", "error": "请选择"}])
    return found
