"""The demo accounts: one per role, all with the password ``demo12345`` (refused outside demo mode).

Their places follow from the demo city: the first county, its first town and that town's first
grid (the demo grid); ``worker2`` serves the first grid of the first town of the second county.
Where the profile has village agencies (``territory.agency_levels`` holds ``village``, LZ§5), the
demo grid's village (村/社区) has one too, with its dispatcher ``village_dispatcher``: there the
workers report to it (``cases.report_to = "village"``, LZ§16) and it passes cases up to the town.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.passwords import DEMO_PASSWORD
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user, profile_role_problem
from gridgov.authz.scope import SYSTEM
from gridgov.departments.service import department_code
from gridgov.models import Area, Grid, User
from gridgov.models.accounts import ROLE_LABELS, Role
from gridgov.models.territory import AreaLevel, GridKind, GridStatus
from gridgov.territory import rules


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    place: str  # city | county | town | village | grid | grid2 | county-dept:<kind>
    note: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("city_admin", "市网格中心管理员", Role.AGENCY_ADMIN, "city", "市级网格化机构管理员，全市"),
    DemoAccount("county_dispatcher", "区网格中心调度员", Role.AGENCY_DISPATCHER, "county",
                "第一个区的网格化机构调度员"),
    DemoAccount("town_dispatcher", "街道网格站调度员", Role.AGENCY_DISPATCHER, "town",
                "演示网格所在镇（街道）的调度员"),
    DemoAccount("worker", "张网格", Role.FULLTIME, "grid", "演示网格的专职网格员"),
    DemoAccount("worker2", "李网格", Role.FULLTIME, "grid2", "另一个区、另一个街道的网格的专职网格员"),
    DemoAccount("leader", "王网格长", Role.LEADER, "grid", "演示网格的网格长"),
    DemoAccount("dept_cg", "区城管受理员", Role.DEPT_RECEIVER, "county-dept:chengguan", "区城市管理部门受理员"),
    DemoAccount("dept_sc", "区市场监管受理员", Role.DEPT_RECEIVER, "county-dept:shichang", "区市场监督管理部门受理员"),
    DemoAccount("auditor", "审计员", Role.AUDITOR, "city", "只读审计日志，全市"),
    DemoAccount("security_admin", "安全管理员", Role.SECURITY_ADMIN, "city", "只管理审计员和安全管理员账号，全市"),
)


VILLAGE_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("village_dispatcher", "社区网格工作站调度员", Role.AGENCY_DISPATCHER, "village",
                "演示网格所在村（社区）网格化工作机构的调度员（仅设村级机构的地方）"),
)
"""The accounts of the village agency, only where the profile has one (LZ§5)."""

PARTNER_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("lawyer", "赵律师", Role.LEGAL_PROFESSIONAL, "town", "进驻演示街道网格的律师，只看转给自己的事件"),
    DemoAccount("mediator", "钱调解员", Role.MEDIATOR, "town", "演示街道人民调解委员会调解员，只看移交本会调解的纠纷"),
    DemoAccount("team_member", "孙队员", Role.TEAM_MEMBER, "town", "演示街道专项服务队的队员，只看本队的任务"),
    DemoAccount("social_org", "李社工", Role.SOCIAL_ORG, "town", "承接演示街道服务项目的社会组织人员，只看本组织项目"),
)
"""Partners' accounts (共建共治, issue 18), under every profile: each sees only what is given to it."""


def demo_accounts(profile=None) -> tuple[DemoAccount, ...]:
    """The demo accounts under a profile, as the login page lists them: :data:`DEMO_ACCOUNTS` whose role
    the profile has, the department accounts named after departments its text lists, the village agency's
    accounts where the profile has village agencies (LZ§5), and the partners' (:data:`PARTNER_ACCOUNTS`). The
    agency accounts come first, from the top down."""
    if profile is None:
        return DEMO_ACCOUNTS
    kinds = demo_department_kinds(profile)
    # Only the roles the profile has a place for (LZ§11 sets up no 网格长: no ``leader``).
    has_place = [a for a in DEMO_ACCOUNTS if profile_role_problem(profile, a.role) is None]
    swapped = {u for u, (kind, _name) in kinds.items()
               if next(a for a in DEMO_ACCOUNTS if a.username == u).place != f"county-dept:{kind}"}
    accounts = tuple(replace(a, display_name=f"区{kinds[a.username][1]}受理员",
                             note=f"区{kinds[a.username][1]}部门受理员") if a.username in swapped else a
                     for a in has_place)
    if "village" in profile.territory.agency_levels:
        at = next(i for i, a in enumerate(accounts) if a.place == "town") + 1
        accounts = accounts[:at] + VILLAGE_ACCOUNTS + accounts[at:]
    return accounts + PARTNER_ACCOUNTS


@dataclass(frozen=True)
class DemoPlaces:
    city: str
    county: str
    town: str
    grid: str
    county2: str
    town2: str
    grid2: str

    @property
    def village(self) -> str:
        """The demo grid's village (村/社区): a grid's code starts with its village's."""
        return rules.grid_village_code(self.grid)


def _first_child(session: Session, parent: str) -> str:
    code = session.scalar(select(Area.code).where(Area.parent_code == parent).order_by(Area.code).limit(1))
    if code is None:
        raise LookupError(f"演示城市不完整：{parent} 没有下级区域")
    return code


def _first_grid(session: Session, town: str) -> str:
    code = session.scalar(
        select(Grid.code)
        .where(Grid.code.startswith(rules.area_prefix(town)), Grid.status == GridStatus.ACTIVE,
               Grid.kind.in_([GridKind.URBAN, GridKind.RURAL]))
        .order_by(Grid.code)
        .limit(1)
    )
    if code is None:
        raise LookupError(f"演示城市不完整：{town} 没有综合网格")
    return code


def demo_places(session: Session, city_code: str) -> DemoPlaces:
    counties = session.scalars(
        select(Area.code).where(Area.parent_code == city_code, Area.level == AreaLevel.COUNTY).order_by(Area.code)
    ).all()
    if len(counties) < 2:
        raise LookupError("演示城市至少需要两个县（市、区）")
    town = _first_child(session, counties[0])
    town2 = _first_child(session, counties[1])
    return DemoPlaces(city_code, counties[0], town, _first_grid(session, town), counties[1], town2,
                      _first_grid(session, town2))


def demo_department_kinds(profile) -> dict[str, tuple[str, str]]:
    """``{username: (kind, name)}`` of the department demo accounts under a profile: each takes the
    kind it names where the profile's article lists it at county level (ZJ§5, JS§4 …), else the first
    county-level kind no other demo account names (JS§4 has no 城市管理, JM§5 no 市场监管)."""
    county = [d for d in profile.departments if "county" in d.levels]
    accounts = [a for a in DEMO_ACCOUNTS if a.place.startswith("county-dept:")]
    wanted = {a.place.split(":", 1)[1] for a in accounts}
    taken: set[str] = set()
    out: dict[str, tuple[str, str]] = {}
    for a in accounts:
        kind = a.place.split(":", 1)[1]
        pick = next((d for d in county if d.code == kind), None) or next(
            (d for d in county if d.code not in wanted and d.code not in taken), None)
        if pick is None:
            raise LookupError("演示账号：政策配置的县级联动部门不足")
        taken.add(pick.code)
        out[a.username] = (pick.code, pick.name)
    return out


def _scope(account: DemoAccount, places: DemoPlaces, kinds: dict[str, tuple[str, str]]) -> tuple[str, str | None]:
    if account.place.startswith("county-dept:"):
        kind = kinds[account.username][0] if account.username in kinds else account.place.split(":", 1)[1]
        return places.county, department_code(places.county, kind)
    return {"city": places.city, "county": places.county, "town": places.town, "village": places.village,
            "grid": places.grid, "grid2": places.grid2}[account.place], None


def create_demo_accounts(session: Session, city_code: str, profile=None, *, now: datetime) -> list[User]:
    """The demo accounts of the profile (:func:`demo_accounts`) that do not exist yet (running the
    demo twice creates nothing new)."""
    places = demo_places(session, city_code)
    kinds = demo_department_kinds(profile) if profile is not None else {}
    existing = set(session.scalars(select(User.username)))
    created = []
    for account in demo_accounts(profile):
        if account.username in existing:
            continue
        scope, dept = _scope(account, places, kinds)
        data = UserCreate(username=account.username, display_name=account.display_name, password=DEMO_PASSWORD,
                          role=account.role, scope_code=scope, department_code=dept, must_change_password=False)
        created.append(create_user(session, SYSTEM, data, now=now, demo=True, profile=profile))
    return created


def link_demo_staff(session: Session, links: dict[str, int]) -> None:
    """Ties demo accounts to their staff records (``worker`` → the demo grid's full-time worker…);
    an account already linked keeps its link."""
    if not links:
        return
    for user in session.scalars(select(User).where(User.username.in_(list(links)))):
        if user.staff_id is None:
            user.staff_id = links[user.username]
