"""The acting principal holding a permission, as the type of a route parameter: one name per
permission, defined here once, so every router spells "the principal allowed to do X" alike.

``def route(me: CaseReader)`` is ``me: Annotated[Principal, Depends(require(Permission.CASES_READ))]``:
FastAPI runs the door (:func:`~gridgov.authz.dependencies.require`) and hands the route the
:class:`Principal`; the route test reads the permission back from the dependency
(``dependency.permission``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from gridgov.authz.dependencies import require
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal


def holding(permission: Permission, *, enrolment: bool = False) -> Any:
    """The type of a route parameter that is the principal holding ``permission``."""
    return Annotated[Principal, Depends(require(permission, enrolment=enrolment))]


SignedIn = holding(Permission.SELF)
"""Any signed-in user acting on its own account, sessions or notifications."""
Enrolling = holding(Permission.SELF, enrolment=True)
"""A signed-in user on the two-factor enrolment pages (reachable before enrolment is done)."""
UserAdmin = holding(Permission.USERS_ADMIN)
AuditReader = holding(Permission.AUDIT_READ)
DepartmentReader = holding(Permission.DEPARTMENTS_READ)
TerritoryReader = holding(Permission.TERRITORY_READ)
TerritoryImporter = holding(Permission.TERRITORY_IMPORT)
AdjustmentProposer = holding(Permission.ADJUSTMENT_PROPOSE)
AdjustmentApprover = holding(Permission.ADJUSTMENT_APPROVE)
AdjustmentFiler = holding(Permission.ADJUSTMENT_FILE)
StaffReader = holding(Permission.STAFF_READ)
StaffWriter = holding(Permission.STAFF_WRITE)
StaffRevealer = holding(Permission.STAFF_REVEAL)
ComplaintHandler = holding(Permission.COMPLAINT_HANDLE)
BoardManager = holding(Permission.BOARD_MANAGE)
CaseReader = holding(Permission.CASES_READ)
CaseCreator = holding(Permission.CASES_CREATE)
CaseActor = holding(Permission.CASES_ACT)
CatalogueApplicant = holding(Permission.CATALOGUE_APPLY)
CatalogueManager = holding(Permission.CATALOGUE_MANAGE)
RegistryReader = holding(Permission.REGISTRY_READ)
RegistryWriter = holding(Permission.REGISTRY_WRITE)
RegistryRevealer = holding(Permission.REGISTRY_REVEAL)
RegistryImporter = holding(Permission.REGISTRY_IMPORT)
RegistryFullExporter = holding(Permission.REGISTRY_EXPORT_FULL)
RegistryReporter = holding(Permission.REGISTRY_REPORT)
AnalysisReader = holding(Permission.ANALYSIS_READ)
AppraisalManager = holding(Permission.APPRAISAL_MANAGE)
IntakeClient = holding(Permission.INTAKE_SUBMIT)
"""A hotline's system handing a case over (``POST /api/v1/intake``) or asking after one."""
WebhookClient = holding(Permission.WEBHOOKS_MANAGE)
"""An API client managing its webhook subscriptions."""
Open311Submitter = holding(Permission.OPEN311_SUBMIT)
"""An Open311 client submitting a service request."""
WebhookOverseer = holding(Permission.WEBHOOKS_OVERSEE)
"""An agency administrator reading the failed webhook deliveries of its area's cases (issue 17)."""
HotlineCategorist = holding(Permission.HOTLINE_CATEGORIES)
"""An agency's dispatcher or administrator keeping the hotline's category table and its triage queue."""
CogovernanceReader = holding(Permission.COGOVERNANCE_READ)
"""Who reads the cogovernance of its jurisdiction (issue 18): agencies, instructors, leaders, grid workers: the
legal professionals serving its grids, deliberations, mediation bodies, volunteers and informants."""
DeliberationWriter = holding(Permission.DELIBERATION_WRITE)
"""Who records a deliberation (议事协商, ZJ§20) of its jurisdiction: the same holders as cogovernance.read."""
MediationReader = holding(Permission.CASES_READ)
"""A mediation is part of its case: whoever reads cases reads the mediations the door shows it (staff those of
their jurisdiction's grids, a mediator those at its bodies, a department none)."""
MediationRevealer = holding(Permission.CASES_ACT)
"""Who works the case (the agency, its grid's workers, the mediator) may see a party's full data, with a
reason, audited."""
CogovernanceViewer = holding(Permission.SELF)
"""Who reads teams, tasks, social organisations and projects (issue 18): holders of ``cogovernance.read``
(agencies, grid staff) and of ``cogovernance.take_part`` (partners, narrowed by the scope to their own team's
or organisation's rows). One route declares one permission, so the door checks a signed-in user and the
service (:func:`gridgov.cogovernance.teams.may_view`) refuses the others with 403."""
CogovernanceManager = holding(Permission.COGOVERNANCE_MANAGE)
"""The agency keeping the registers of cogovernance (legal professionals and their schedules, mediation bodies
and their mediators, volunteers, teams, organisations and projects) and assigning tasks (ZJ§23, QZ§16, JS§24)."""
CogovernancePartner = holding(Permission.COGOVERNANCE_TAKE_PART)
"""A partner doing its own work (a lawyer's schedules, visits and referrals, a team member recording a task's
result, a social organisation reporting); the agency's administrator holds it too (it may record for them)."""
