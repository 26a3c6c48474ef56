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


@rule(CogovActivity)
def _cogov_activities(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The ledger is counted by the areas and grids inside the jurisdiction; departments and partners count none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, CogovActivity.area_code)


# ---------------------------------------------------------------- volunteers and informants (ZJ§9, ZJ§23, JM§10)

from gridgov.authz.scope import _within_or_above  # noqa: E402
from gridgov.models.volunteers import InformantReport, Volunteer, VolunteerOrg  # noqa: E402


@rule(VolunteerOrg)
def _volunteer_orgs(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Organisations serving an area inside the jurisdiction (with ``ancestors``, also those serving an
    area above it: the organisation a grid's volunteer belongs to); departments and partners see none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return _within_or_above(p, VolunteerOrg.area_code) if ancestors else within(p, VolunteerOrg.area_code)


@rule(Volunteer)
def _volunteers(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """People attached to a grid or micro-grid inside the jurisdiction."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, Volunteer.place_code)


@rule(InformantReport)
def _informant_reports(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Informants' reports of the grids inside the jurisdiction."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, InformantReport.grid_code)
