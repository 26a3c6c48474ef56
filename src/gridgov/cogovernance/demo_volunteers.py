"""The demo's volunteers and informants (issue 18): a courier company serving the demo town, one of its
couriers and a building head in the demo grid's micro-grids, registered through the ordinary service.
The courier's demo phone reports through the resident channel (/report) as an informant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.cogovernance import volunteers
from gridgov.cogovernance.volunteers_schemas import OrgCreate, VolunteerCreate
from gridgov.kit.crypto import FieldCipher
from gridgov.models import MicroGrid
from gridgov.models.volunteers import VolunteerOrg

DEMO_ORG = "演示快递网点"
COURIER_PHONE = "13900001111"
BUILDING_HEAD_PHONE = "13900002222"


def build_demo_volunteers(session: Session, profile, city_code: str, *, cipher: FieldCipher,
                          now: datetime) -> str:
    """Registers the demo's courier company, courier and building head once; one Chinese line."""
    found = session.scalar(scoped(select(VolunteerOrg.id).where(VolunteerOrg.name == DEMO_ORG), SYSTEM, VolunteerOrg))
    if found is not None:
        return "志愿者和信息员：已有演示数据"
    places = demo_places(session, city_code)
    micros = list(session.scalars(scoped(select(MicroGrid.code).where(MicroGrid.grid_code == places.grid),
                                         SYSTEM, MicroGrid).order_by(MicroGrid.code)))
    courier_place = micros[0] if micros else places.grid
    head_place = micros[-1] if micros else places.grid
    org = volunteers.create_org(session, SYSTEM, OrgCreate(name=DEMO_ORG, kind="courier", area_code=places.town,
                                                           contact="0511-80000000"), now=now)
    volunteers.create(session, SYSTEM, VolunteerCreate(name="王快递", kind="courier", place_code=courier_place,
                                                       phone=COURIER_PHONE, org_id=org.id),
                      profile=profile, cipher=cipher, now=now)
    volunteers.create(session, SYSTEM, VolunteerCreate(name="李楼长", kind="building_head", place_code=head_place,
                                                       phone=BUILDING_HEAD_PHONE),
                      profile=profile, cipher=cipher, now=now)
    return (f"志愿者和信息员：登记快递网点 1 个、快递员 1 人、楼栋长 1 人（演示网格 {places.grid}；"
            f"快递员手机 {COURIER_PHONE} 经居民上报即为信息员上报）")
