"""Role groups are defined once, beside :class:`Role` in ``models/accounts.py``.

A module that asks "is this role one of ..." imports a named group (``AGENCY_ROLES``,
``AGENCY_OR_SYSADMIN_ROLES``, ``DEPARTMENT_ROLES`` ...) instead of spelling a set of roles of its
own: two spellings of one name drifted apart before (``AGENCY_ROLES`` with and without the system
administrator). This test reads every module's syntax tree and fails on any set, frozenset, tuple
or list literal that names two or more roles, as ``Role.X``, ``Role.X.value`` or the role's string.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gridgov
from gridgov.models.accounts import (
    AGENCY_OR_SYSADMIN_ROLES,
    AGENCY_ROLES,
    AREA_STAFF_ROLES,
    DEPARTMENT_ROLES,
    GRID_ROLES,
    GRID_WORKER_ROLES,
    MICRO_GRID_ROLES,
    NON_PARTY_ROLES,
    STAFF_POST_ROLES,
    Role,
)
from gridgov.policy.schema import ROLE_LABELS as POLICY_ROLE_LABELS
from gridgov.public.rules import BOARD_ROLE_ORDER

SRC = Path(gridgov.__file__).parent
HOME = SRC / "models" / "accounts.py"
ROLE_VALUES = {r.value for r in Role}
NOT_GROUPS = {
    "staff/demo.py": "the demo's staffing plan (which posts to fill first), not a group asked about",
}


def _is_role(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    return isinstance(node, ast.Constant) and node.value in ROLE_VALUES


def role_sets(tree: ast.AST) -> list[int]:
    """Lines of the literals in ``tree`` that list two or more roles (a ``Literal[...]`` type is a
    vocabulary, not a group, and is left alone)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            skip.update(id(n) for n in ast.walk(node.slice))
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Set | ast.Tuple | ast.List) and id(node) not in skip
                and sum(_is_role(e) for e in node.elts) >= 2):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_models_accounts_spells_a_role_group():
    found = {
        str(path.relative_to(SRC)): lines
        for path in sorted(SRC.rglob("*.py"))
        if path != HOME and str(path.relative_to(SRC)) not in NOT_GROUPS
        and (lines := role_sets(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"role groups spelled outside models/accounts.py (import a named group): {found}"


def test_the_detector_sees_each_spelling():
    for source in (
        "X = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_DISPATCHER})",
        "X = (Role.DEPT_RECEIVER.value, Role.DEPT_HANDLER.value)",
        "f([Role.DEPT_RECEIVER, Role.DEPT_HANDLER])",
        'X = frozenset({"liaison", "volunteer"})',
        "ok = role in (Role.LIAISON, Role.VOLUNTEER)",
    ):
        assert role_sets(ast.parse(source)) == [1], source
    assert role_sets(ast.parse('RoleName = Literal["leader", "fulltime"]')) == []
    assert role_sets(ast.parse("X = {Role.LEADER: 1, Role.FULLTIME: 2}")) == []


def test_the_two_meanings_of_agency_are_named_apart():
    assert {Role.AGENCY_ADMIN, Role.AGENCY_DISPATCHER} == AGENCY_ROLES
    assert AGENCY_ROLES | {Role.SYSADMIN} == AGENCY_OR_SYSADMIN_ROLES
    assert Role.SYSADMIN not in AGENCY_ROLES


def test_staff_posts_are_the_profile_vocabulary_and_the_board_keeps_its_order():
    assert set(POLICY_ROLE_LABELS) == STAFF_POST_ROLES
    assert BOARD_ROLE_ORDER == (
        Role.INSTRUCTOR, Role.CHIEF_LEADER, Role.LEADER, Role.FULLTIME,
        Role.PARTTIME, Role.PROFESSIONAL, Role.LIAISON, Role.VOLUNTEER,
    )


def test_the_groups_do_not_overlap_where_they_must_not():
    assert GRID_ROLES == GRID_WORKER_ROLES | MICRO_GRID_ROLES
    groups = [GRID_WORKER_ROLES, MICRO_GRID_ROLES, AREA_STAFF_ROLES, AGENCY_ROLES, DEPARTMENT_ROLES]
    assert sum(len(g) for g in groups) == len(frozenset().union(*groups))
    assert not NON_PARTY_ROLES & (GRID_ROLES | AGENCY_ROLES | DEPARTMENT_ROLES)
