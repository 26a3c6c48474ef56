"""Scope rules of the cogovernance tables (issue 18), registered in :data:`gridgov.authz.scope.RULES`, and
the cases each case partner sees (:data:`gridgov.authz.scope.PARTNER_CASES`).

Kept beside :mod:`gridgov.authz.scope` so that neither file outgrows the house's size; :mod:`gridgov.authz`
imports this module, so the rules are in place before any query runs. Partners (``PARTNER_ROLES``) see
only what was referred or assigned to them; departments see none of these tables unless a rule says so.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from gridgov.authz.principal import Principal
from gridgov.authz.scope import _nothing, department_of, rule, within
from gridgov.models.accounts import PARTNER_ROLES
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.deliberation import Deliberation


@rule(CogovActivity)
def _cogov_activities(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The ledger is counted by the areas and grids inside the jurisdiction; departments and partners count none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, CogovActivity.area_code)


@rule(Deliberation)
def _deliberations(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Deliberations (议事协商) by the grid or community they belong to, inside the jurisdiction; departments
    and partners see none (their roles hold neither cogovernance.read nor deliberation.write anyway)."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, Deliberation.area_code)
