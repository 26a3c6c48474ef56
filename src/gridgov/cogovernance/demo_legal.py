"""Demo data of legal professionals in the grids (法律进网格): two professionals serving the demo town, one
linked to the demo account ``lawyer``, a monthly schedule in the demo grid, a weekly one in the town, and
a few visits (each with its line in the activity ledger). Built as the system; idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.cogovernance import ledger
from gridgov.kit.clock import local
from gridgov.models import User
from gridgov.models.cogovernance import ActivityKind
from gridgov.models.legal import LegalProfessional, LegalSchedule, LegalVisit


def build_demo_legal(session: Session, city_code: str, *, now: datetime) -> str:
    places = demo_places(session, city_code)
    if session.scalar(select(LegalProfessional.id).where(LegalProfessional.area_code == places.town).limit(1)):
        return "法律服务进网格：已有演示数据"
    lawyer = session.scalar(select(User.id).where(User.username == "lawyer"))
    today = local(now).date()
    start = today.replace(day=1) - timedelta(days=62)
    first = LegalProfessional(name="赵律师", kind="law_firm", institution="演示律师事务所", title="执业律师",
                              public_phone="0511-85557101", area_code=places.town, user_id=lawyer, active=True,
                              created_at=now, updated_at=now)
    second = LegalProfessional(name="孙法官", kind="court", institution="演示区人民法院", title="员额法官",
                               public_phone="0511-85557102", area_code=places.town, active=True, created_at=now,
                               updated_at=now)
    session.add_all([first, second])
    session.flush()
    session.add_all([
        LegalSchedule(professional_id=first.id, area_code=places.grid, rule="monthly", weekday=1, nth=1,
                      hours="9:00-11:30", place="社区党群服务中心", valid_from=start, created_at=now),
        LegalSchedule(professional_id=second.id, area_code=places.town, rule="weekly", weekday=3,
                      hours="14:30-16:30", place="街道综治中心", valid_from=start, created_at=now),
    ])
    visits = [
        LegalVisit(professional_id=first.id, grid_code=places.grid, visited_on=today - timedelta(days=d),
                   services=services, people_served=people, notes=notes, created_at=now)
        for d, services, people, notes in ((3, "consultation,screening", 6, "解答邻里纠纷和物业费问题"),
                                           (35, "education", 40, "民法典进社区宣讲"))
    ]
    visits.append(LegalVisit(professional_id=second.id, grid_code=places.grid, visited_on=today - timedelta(days=10),
                             services="documents,consultation", people_served=3, notes="送达调解书", created_at=now))
    session.add_all(visits)
    session.flush()
    for v in visits:
        ledger.record(session, kind=ActivityKind.LEGAL_VISIT, area_code=v.grid_code, occurred_on=v.visited_on,
                      ref_type="legal_visit", ref_id=v.id, now=now)
    return f"法律服务进网格：{2} 名法律服务人员（赵律师关联账号 lawyer）、2 项进网格安排、{len(visits)} 次服务记录"
