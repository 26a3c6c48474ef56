"""One way to spell "the principal holding permission X": the named types of authz/principals.py.

Routers declared their own ``Reader = Annotated[Principal, Depends(require(...))]`` (44 of them);
now none outside authz spells that type, and each name carries the permission it says.
"""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import gridgov
from gridgov.authz import Permission, principals

SRC = Path(gridgov.__file__).parent


def _spells_principal_type(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Annotated"
        and isinstance(node.slice, ast.Tuple) and node.slice.elts
        and isinstance(node.slice.elts[0], ast.Name) and node.slice.elts[0].id == "Principal"
    ]


def test_no_router_spells_its_own_principal_type():
    found = {
        str(path.relative_to(SRC)): lines
        for path in sorted(SRC.rglob("*.py"))
        if path.parent.name != "authz"
        and (lines := _spells_principal_type(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}



def test_each_name_carries_the_permission_it_says():
    expected = {
        "SignedIn": Permission.SELF, "Enrolling": Permission.SELF, "UserAdmin": Permission.USERS_ADMIN,
        "AuditReader": Permission.AUDIT_READ, "DepartmentReader": Permission.DEPARTMENTS_READ,
        "TerritoryReader": Permission.TERRITORY_READ, "TerritoryImporter": Permission.TERRITORY_IMPORT,
        "AdjustmentProposer": Permission.ADJUSTMENT_PROPOSE, "AdjustmentApprover": Permission.ADJUSTMENT_APPROVE,
        "AdjustmentFiler": Permission.ADJUSTMENT_FILE, "StaffReader": Permission.STAFF_READ,
        "StaffWriter": Permission.STAFF_WRITE, "StaffRevealer": Permission.STAFF_REVEAL,
        "ComplaintHandler": Permission.COMPLAINT_HANDLE, "CaseReader": Permission.CASES_READ,
        "CaseCreator": Permission.CASES_CREATE, "CaseActor": Permission.CASES_ACT,
        "CatalogueApplicant": Permission.CATALOGUE_APPLY, "CatalogueManager": Permission.CATALOGUE_MANAGE,
    }
    for name, permission in expected.items():
        alias = getattr(principals, name)
        assert typing.get_args(alias)[0] is principals.Principal, name
        assert typing.get_args(alias)[1].dependency.permission is permission, name
