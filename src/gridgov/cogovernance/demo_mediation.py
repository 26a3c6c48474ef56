"""The demo's mediation (ZJ§17, issue 18): a people's mediation committee of the demo town, with the demo
``mediator`` account as its mediator. Idempotent: what exists is left alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz import scope
from gridgov.authz.scope import SYSTEM
from gridgov.models import Area, User
from gridgov.models.mediation import BodyKind, MediationBody, MediationMember

DEMO_PHONE = "0511-80001234"
"""A made-up public number (demo data is synthetic)."""


def build_demo_mediation(session: Session, town_code: str, *, now: datetime) -> str:
    town = scope.get_visible(session, SYSTEM, Area, town_code)
    name = f"{town.name if town else '演示街道'}人民调解委员会"
    body = session.scalar(scope.scoped(select(MediationBody).where(MediationBody.area_code == town_code,
                                                                   MediationBody.name == name), SYSTEM, MediationBody))
    made = body is None
    if made:
        body = MediationBody(name=name, kind=str(BodyKind.COMMITTEE), area_code=town_code, phone=DEMO_PHONE,
                             active=True, created_at=now, updated_at=now)
        session.add(body)
        session.flush()
    mediator = session.scalar(scope.scoped(select(User).where(User.username == "mediator"), SYSTEM, User))
    linked = 0
    if mediator is not None and session.scalar(scope.scoped(select(MediationMember.id).where(
            MediationMember.body_id == body.id, MediationMember.user_id == mediator.id), SYSTEM,
            MediationMember)) is None:
        session.add(MediationMember(body_id=body.id, user_id=mediator.id, added_at=now))
        linked = 1
    session.flush()
    return f"矛盾纠纷调解：{'新建' if made else '已有'}{name}，关联调解员 {linked} 人（演示账号 mediator）"
