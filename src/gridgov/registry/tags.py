"""Special groups (特殊人群) as tags: the profile's table, who may see which tag, when a visit falls due.

Pure rules, no I/O. The table is ``registry.special_groups`` of the profile in use: each group's
code, name, sensitivity, visit frequency and the roles that may see it (ZJ§19, JS§9(7), QZ§10(6)
name groups and the duty to visit them; the numbers and the roles are local settings).

* A tag is shown only to a role the profile names for it: in the API, the pages, the due list and
  the notices. A role that may see no tag of a person learns nothing of it (not even a count).
* A tag is stored sealed (``cipher.encrypt(code)``) with the blind index :func:`tag_index`
  (``cipher.blind_index("tag:" + code)``), the same for every person with that tag, so lists filter
  on it without decrypting. The people part filters ``GET /api/v1/people?tag=`` with this formula.
* The next visit falls due ``visit_every_days`` after the last visit (or after ``since``).
* A ``high`` sensitivity group is never named in a notice, even to a role that may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DUE_SOON_DAYS = 7
"""The due list shows the visits overdue and those falling due within this many days (by default)."""

SENSITIVITY_LABELS = {"high": "高", "medium": "中", "low": "低"}


@dataclass(frozen=True)
class TagDef:
    """One special group of the profile."""

    code: str
    name: str
    sensitivity: str
    visit_every_days: int
    roles: frozenset[str]

    @property
    def sensitivity_label(self) -> str:
        return SENSITIVITY_LABELS.get(self.sensitivity, self.sensitivity)


def tag_table(profile) -> dict[str, TagDef]:
    """The profile's special groups, by code, in the profile's order."""
    return {code: TagDef(code, g.name, g.sensitivity, g.visit_every_days, frozenset(g.roles))
            for code, g in profile.registry.special_groups.items()}


def may_see(tag: TagDef, role: str, *, system: bool = False) -> bool:
    """Whether a role may see this tag (the system itself, running jobs, sees every tag)."""
    return system or role in tag.roles


def visible_tags(profile, role: str, *, system: bool = False) -> list[TagDef]:
    """The tags a role may see, in the profile's order."""
    return [t for t in tag_table(profile).values() if may_see(t, role, system=system)]


def tag_index(cipher, code: str) -> str:
    """The blind index of a tag code (one formula, shared with the people list's ``tag`` filter)."""
    return cipher.blind_index("tag:" + code)


def next_due(last: date, tag: TagDef) -> date:
    """When the next visit falls due after a visit (or the tagging) on ``last``."""
    return last + timedelta(days=tag.visit_every_days)


def due_after_visit(current: date | None, visit_day: date, tag: TagDef) -> date:
    """The due date once a visit on ``visit_day`` is recorded: a late entry of an older visit never
    moves the due date back."""
    new = next_due(visit_day, tag)
    return current if current is not None and current > new else new


def due_status(due_on: date | None, today: date) -> str:
    """``overdue`` (past its date), ``due`` (today or within :data:`DUE_SOON_DAYS`), ``later`` or ``none``."""
    if due_on is None:
        return "none"
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "later"


DUE_STATUS_LABELS = {"overdue": "已逾期", "due": "即将到期", "later": "未到期", "none": "无需走访"}


def notice_name(tag: TagDef, role: str) -> str | None:
    """The tag's name as a notice to a user of ``role`` may carry it, or None (not to be named:
    the role may not see it, or the group is of high sensitivity)."""
    if tag.sensitivity == "high" or not may_see(tag, role):
        return None
    return tag.name


def mask_name(name: str) -> str:
    """A person's name as a notice carries it: the family name and one ``*`` per other character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "*" * (len(name) - 1)
