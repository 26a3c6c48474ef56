"""``gridgov demo``: the whole demo (city, departments, accounts, staff, the starter list of grid work)
through the ordinary services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.demo import create_demo_accounts, demo_places, link_demo_staff
from gridgov.cases import facts_store
from gridgov.catalogue.starter import seed_catalogue
from gridgov.cogovernance.demo_deliberation import build_demo_deliberation
from gridgov.cogovernance.demo_legal import build_demo_legal
from gridgov.cogovernance.demo_mediation import build_demo_mediation
from gridgov.cogovernance.demo_teams import build_demo_teams
from gridgov.cogovernance.demo_volunteers import build_demo_volunteers
from gridgov.departments.service import seed_departments
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Area
from gridgov.models.territory import AreaLevel
from gridgov.registry.demo import DEMO_PEOPLE, build_demo_register
from gridgov.staff.demo import create_demo_staff
from gridgov.territory import rules
from gridgov.territory.demo import demo_city_of
from gridgov.territory.demo_loader import load_demo_city


def build_demo(session: Session, profile, *, grids: int, now: datetime, cipher: FieldCipher,
               people: int = DEMO_PEOPLE) -> list[str]:
    """Builds what is missing of the demo and says what it did, one line per part. ``cipher``
    encrypts the demo staff's and the demo register's personal data with the deployment's key;
    ``people``: how many people the demo town's register holds."""
    lines = [load_demo_city(session, profile, grids=grids, now=now)]
    city_code = demo_city_of(profile).area_code
    areas = session.scalars(
        select(Area).where(
            Area.code.startswith(rules.area_prefix(city_code)),
            Area.level.in_([AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWN]),
        )
    ).all()
    lines.append(f"联动部门：新建 {seed_departments(session, profile, areas, now=now)} 个")
    users = create_demo_accounts(session, city_code, now=now, profile=profile)
    lines.append(f"演示账号：新建 {len(users)} 个（密码 demo12345，仅演示模式可用）")
    places = demo_places(session, city_code)
    staff, links = create_demo_staff(session, profile, places, cipher=cipher, now=now)
    link_demo_staff(session, links)
    lines.append(f"演示网格员：新建 {staff} 人（演示街道各综合网格的网格长与专职网格员）")
    lines.append(seed_catalogue(session, profile, city_code, now=now))
    lines.append(build_demo_register(session, places.town, cipher=cipher, now=now, people=people))
    lines.append(build_demo_legal(session, city_code, now=now))
    lines.append(build_demo_deliberation(session, profile, now=now, cipher=cipher))
    lines.append(build_demo_mediation(session, places.town, now=now))
    lines.append(build_demo_volunteers(session, profile, city_code, cipher=cipher, now=now))
    lines.append(build_demo_teams(session, city_code, now=now, cipher=cipher))
    lines.append(f"事件统计：重算 {facts_store.rebuild(session, now)} 件事件的统计事实")
    return lines
