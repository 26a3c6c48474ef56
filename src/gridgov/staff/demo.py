"""Demo staff: every comprehensive grid of the demo town gets a leader and a full-time worker,
trained and active; the second county's demo grid gets its full-time worker only; every other
grid stays unstaffed, so the staffing-gaps page has something to show.

Deterministic and idempotent: people are synthetic (valid-looking ID numbers made with
:func:`gridgov.kit.ids.with_check_digit`, phones in the unused ``1990000xxxx`` block) and are
found again by the blind index of their ID number, so a second run creates nothing. Everything
goes through the ordinary services, so the demo obeys the same rules as real data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.scope import SYSTEM
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import with_check_digit
from gridgov.models import Grid
from gridgov.models.territory import GridKind, GridStatus
from gridgov.staff import posts, repository, service
from gridgov.staff.schemas import PostCreate, StaffCreate, TrainingCreate
from gridgov.territory import rules as code_rules

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建国", "晓梅", "志强", "丽华", "海峰", "秀英", "文杰", "春燕", "国华", "玉兰", "军", "静", "磊", "敏", "涛",
         "芳", "明", "婷", "斌", "丹", "俊杰", "雪梅", "立新", "美玲", "永刚", "慧敏", "宏伟", "小红"]
POST_START = date(2024, 1, 2)
TRAINED_ON = date(2023, 12, 20)


def _person(i: int, county: str) -> tuple[str, str, str, str]:
    """(name, gender, ID number, phone) of demo person ``i`` (0–999): distinct and repeatable."""
    born = date(1975, 1, 1) + timedelta(days=(i * 97) % (25 * 365))
    seq = f"{i % 1000:03d}"
    gender = "男" if int(seq[2]) % 2 else "女"
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
    return name, gender, with_check_digit(f"{county[:6]}{born:%Y%m%d}{seq}"), f"1990000{i:04d}"


def create_demo_staff(session: Session, profile, places, *, cipher: FieldCipher,
                      now: datetime) -> tuple[int, dict[str, int]]:
    """Staff the demo town's comprehensive grids (leader + full-time) and the second demo grid
    (full-time); returns how many people were created (0 on a second run) and the staff record of each
    demo account that works there (``worker``, ``leader``, ``worker2``), for accounts to link.

    ``places`` are the demo accounts' places (:func:`gridgov.accounts.demo.demo_places`): the demo
    composes accounts and staff (gridgov.demo), so staff imports nothing of accounts."""
    roles = [r for r in ("leader", "fulltime") if r in profile.staff.roles]
    grids = session.scalars(
        select(Grid.code).where(Grid.code.startswith(code_rules.area_prefix(places.town)),
                                  Grid.status == GridStatus.ACTIVE, Grid.kind.in_([GridKind.URBAN, GridKind.RURAL]))
        .order_by(Grid.code)
    ).all()
    plan = [(grid, role) for grid in grids for role in roles]
    if "fulltime" in roles:
        plan.append((places.grid2, "fulltime"))
    # a demo leader serves on the first basis the profile's text allows (JS§12, QZ§11, JM§10), if any
    basis = next((b for b in profile.staff.leader_eligible_from if b != "fulltime_worker"), None)
    created = 0
    links: dict[str, int] = {}
    for i, (grid, role) in enumerate(plan):
        county = grid[:6] + "000000"
        area = grid[:9] + "000"
        name, gender, id_number, phone = _person(i, county)
        existing = repository.staff_id_by_index(session, cipher.blind_index(id_number))
        if existing is None:
            staff = service.new_staff(session, SYSTEM, StaffCreate(
                name=name, gender=gender, id_number=id_number, phone=phone, work_phone=f"1990001{i:04d}",
                area_code=area), cipher=cipher, now=now)
            service.add_training(session, SYSTEM, staff,
                                 TrainingCreate(held_on=TRAINED_ON, passed=True, score=85 + i % 15), now=now)
            post = posts.new_post(session, SYSTEM, PostCreate(
                staff_id=staff.id, role=role, grid_code=grid, start_date=POST_START,
                leader_basis=basis if role == "leader" else None), profile=profile, now=now)
            posts.start_post(session, SYSTEM, post, profile=profile, now=now)
            existing = staff.id
            created += 1
        if grid == places.grid and role == "fulltime":
            links["worker"] = existing
        elif grid == places.grid and role == "leader":
            links["leader"] = existing
        elif grid == places.grid2 and role == "fulltime":
            links["worker2"] = existing
    if created:
        record(session, actor=None, action="staff_imported", now=now, object_type="staff", area_code=places.town,
               detail="演示数据：演示街道各综合网格的网格长与专职网格员", after={"staff_created": created})
    return created, links
