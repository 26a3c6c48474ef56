"""A known set of cases built through the real services at chosen instants (zhenjiang's profile,
the demo city), one per edge of the KPIs, with each case's fact row written out BY HAND below.

The expected values are read off the lifecycle each case is taken through, not computed by the
code under test: the tests sum them per group themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, casetypes, service
from gridgov.cases.schemas import CaseCreate
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, User
from gridgov.models.analysis import FACT_COUNTERS
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
FROM, TO = date(2026, 9, 1), date(2026, 11, 30)
CHECK_AT = datetime(2026, 11, 6, 9, 0, tzinfo=SHANGHAI)
"""When the sweep runs and the rows are derived afresh."""


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _row(text: str) -> dict[str, int]:
    values = [int(v) for v in text.split()]
    assert len(values) == len(FACT_COUNTERS)
    return dict(zip(FACT_COUNTERS, values, strict=True))


#                 rep val ver vot dis ret han hot clo cot rew reo ext ovd eva sat sup
EXPECTED: dict[str, dict[str, int]] = {
    "A": _row("1   1   1   1   1   0   1   1   1   1   0   0   0   0   1   1   0"),  # clean, closed satisfied
    "B": _row("1   1   1   1   1   1   1   1   1   1   0   0   0   0   1   1   0"),  # returned, redispatched, 基本满意
    "C": _row("1   1   1   1   1   0   1   1   1   1   1   0   0   0   1   0   0"),  # reworked, unsatisfied
    "D": _row("1   1   1   1   1   0   1   1   0   0   0   1   0   0   0   0   0"),  # reopened: in progress again
    "E": _row("1   1   1   1   1   0   1   0   1   0   0   0   0   1   1   1   0"),  # handled 1 working day late (国庆)
    "F": _row("1   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0"),  # rejected
    "G": _row("1   0   1   1   0   0   0   0   0   0   0   0   0   0   0   0   0"),  # merged into A as a duplicate
    "H": _row("1   1   1   1   1   0   1   1   1   1   0   0   1   0   1   1   1"),  # extended, supervised
    "I": _row("1   1   1   1   0   0   0   0   0   0   0   0   0   1   0   0   0"),  # other county, 24 h ran out
    "J": _row("1   1   1   0   0   0   0   0   0   0   0   0   0   1   0   0   0"),  # verified late, escalated late
}
DAYS: dict[str, tuple[int | None, ...]] = {
    # verify, dispatch, handle, close (working days; 2026-10-01..07 off, Saturday 10-10 worked)
    "A": (0, 0, 2, 3), "B": (0, 0, 1, 1), "C": (0, 0, 2, 2), "D": (0, 0, 1, None), "E": (0, 0, 6, 6),
    "F": (None, None, None, None), "G": (0, None, None, None), "H": (0, 0, 6, 6), "I": (0, None, None, None),
    "J": (1, None, None, None),
}


class Desk:
    """The case services as the edge calls them, under zhenjiang's profile, at chosen instants."""

    def __init__(self, db, media_root) -> None:
        self.db = db
        self.profile = load_profile("zhenjiang")
        self.media_root = media_root
        self.cipher = FieldCipher(TEST_SECRET_KEY)
        self.places = demo_places(db, CITY)

    def who(self, username: str) -> Principal:
        user = self.db.scalar(select(User).where(User.username == username))
        return Principal(user_id=user.id, username=user.username, display_name=user.display_name,
                         role=user.role, scope_code=user.scope_code, department_code=user.department_code)

    def user_id(self, username: str) -> int:
        return self.db.scalar(select(User.id).where(User.username == username))

    def dept(self, username: str) -> str:
        return self.db.scalar(select(User.department_code).where(User.username == username))

    def report(self, username: str, *, now: datetime, grid: str | None = None, **extra: Any) -> str:
        extra.setdefault("category", "zj12_02")
        extra.setdefault("source", "patrol")
        data = CaseCreate(title="占道经营堵塞通道", grid_code=grid or self.places.grid, address="中山路 8 号", **extra)
        return service.create_case(self.db, self.who(username), data, now=now, profile=self.profile,
                                   cipher=self.cipher, media_root=self.media_root).case.case_no

    def act(self, username: str, case_no: str, action: str, *, now: datetime, **payload: Any) -> None:
        actions.act(self.db, self.who(username), case_no, action, payload, now=now, profile=self.profile,
                    media_root=self.media_root)

    def case(self, case_no: str) -> Case:
        return self.db.scalar(select(Case).where(Case.case_no == case_no))

    def to_department(self, no: str, day: tuple[int, int], lead: str = "dept_cg") -> None:
        m, d = day
        self.act("worker", no, "escalate", now=at(m, d, 9, 30))
        self.act("town_dispatcher", no, "accept", now=at(m, d, 10))
        self.act("town_dispatcher", no, "dispatch", now=at(m, d, 10, 30), lead_department=self.dept(lead))


def build(desk: Desk, other_category: str, type_code: str) -> dict[str, str]:
    """Takes each case through its lifecycle; returns the case numbers by letter."""
    no: dict[str, str] = {}
    ok = {"result": "已处理完毕"}
    # A: the clean case
    no["A"] = desk.report("worker", now=at(11, 2, 9), type=type_code)
    desk.to_department(no["A"], (11, 2))
    # G (while A is open): the worker's duplicate of A, merged into it by the town
    no["G"] = desk.report("worker", now=at(11, 2, 9, 10))
    desk.act("town_dispatcher", no["G"], "merge", now=at(11, 2, 9, 45), into=no["A"])
    desk.act("dept_cg", no["A"], "sign", now=at(11, 2, 11))
    desk.act("dept_cg", no["A"], "handle", now=at(11, 4, 10), **ok)
    desk.act("town_dispatcher", no["A"], "check", now=at(11, 4, 11))
    desk.act("worker", no["A"], "feedback", now=at(11, 5, 9), evaluation="satisfied")
    # B: returned by the department it went to, redispatched to another
    no["B"] = desk.report("worker", now=at(11, 2, 9))
    desk.to_department(no["B"], (11, 2), lead="dept_sc")
    desk.act("dept_sc", no["B"], "return", now=at(11, 2, 11), reason="不属于本部门职责")
    desk.act("town_dispatcher", no["B"], "dispatch", now=at(11, 2, 11, 30), lead_department=desk.dept("dept_cg"))
    desk.act("dept_cg", no["B"], "sign", now=at(11, 2, 12))
    desk.act("dept_cg", no["B"], "handle", now=at(11, 3, 10), **ok)
    desk.act("town_dispatcher", no["B"], "check", now=at(11, 3, 11))
    desk.act("worker", no["B"], "feedback", now=at(11, 3, 12), evaluation="basically_satisfied")
    # C: reworked once, closed unsatisfied
    no["C"] = desk.report("worker", now=at(11, 2, 9), category=other_category)
    desk.to_department(no["C"], (11, 2))
    desk.act("dept_cg", no["C"], "sign", now=at(11, 2, 11))
    desk.act("dept_cg", no["C"], "handle", now=at(11, 3, 10), **ok)
    desk.act("town_dispatcher", no["C"], "rework", now=at(11, 3, 11), reason="未清理干净")
    desk.act("dept_cg", no["C"], "handle", now=at(11, 4, 10), **ok)
    desk.act("town_dispatcher", no["C"], "check", now=at(11, 4, 11))
    desk.act("worker", no["C"], "feedback", now=at(11, 4, 12), evaluation="unsatisfied")
    # D: closed unsatisfied, reopened back to the department
    no["D"] = desk.report("worker", now=at(11, 2, 9))
    desk.to_department(no["D"], (11, 2))
    desk.act("dept_cg", no["D"], "sign", now=at(11, 2, 11))
    desk.act("dept_cg", no["D"], "handle", now=at(11, 3, 10), **ok)
    desk.act("town_dispatcher", no["D"], "check", now=at(11, 3, 11))
    desk.act("worker", no["D"], "feedback", now=at(11, 3, 12), evaluation="unsatisfied")
    desk.act("town_dispatcher", no["D"], "reopen", now=at(11, 4, 9), reason="群众不满意")
    # E: dispatched 09-30, five working days end 10-13 (National Day off), handled 10-14: one day late
    no["E"] = desk.report("worker", now=at(9, 30, 8))
    desk.to_department(no["E"], (9, 30))
    desk.act("dept_cg", no["E"], "sign", now=at(10, 8, 9))
    desk.act("dept_cg", no["E"], "handle", now=at(10, 14, 9), **ok)
    desk.act("town_dispatcher", no["E"], "check", now=at(10, 14, 10))
    desk.act("worker", no["E"], "feedback", now=at(10, 14, 11), evaluation="satisfied")
    # F: a hotline report the worker rejects
    no["F"] = desk.report("town_dispatcher", now=at(11, 2, 9), source="hotline", reporter_name="赵先生")
    desk.act("worker", no["F"], "reject", now=at(11, 2, 10), reason="现场无此情况")
    # H: an extension granted, a supervision order, handled within the extended time
    no["H"] = desk.report("worker", now=at(11, 2, 9), category=other_category)
    desk.to_department(no["H"], (11, 2))
    desk.act("dept_cg", no["H"], "sign", now=at(11, 2, 11))
    desk.act("dept_cg", no["H"], "request_extension", now=at(11, 5, 9), days=2, reason="需协调产权单位")
    desk.act("town_dispatcher", no["H"], "grant_extension", now=at(11, 5, 10))
    desk.act("town_dispatcher", no["H"], "supervise", now=at(11, 5, 11), instruction="请加快办理",
             due_at=at(11, 20, 17).isoformat())
    desk.act("dept_cg", no["H"], "handle", now=at(11, 10, 10), **ok)
    desk.act("town_dispatcher", no["H"], "check", now=at(11, 10, 11))
    desk.act("worker", no["H"], "feedback", now=at(11, 10, 12), evaluation="satisfied")
    # I: another county's worker reports; the report clock (24 h) runs out before the check
    no["I"] = desk.report("worker2", now=at(11, 2, 9), grid=desk.places.grid2)
    # J: a hotline report verified 25 h later, escalated after its report clock ran out
    no["J"] = desk.report("town_dispatcher", now=at(11, 2, 9), source="hotline", reporter_name="钱女士")
    desk.act("worker", no["J"], "verify", now=at(11, 3, 10))
    desk.act("worker", no["J"], "escalate", now=at(11, 3, 10, 30))
    return no


def a_type(profile) -> str:
    return next(t.code for t in casetypes.load(None, profile).types if not t.is_class)
