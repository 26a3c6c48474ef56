"""Every table, one module per aggregate. Alembic's env.py reads ``Base.metadata`` from here."""

from gridgov.models.accounts import AuditEntry, Department, Role, User
from gridgov.models.analysis import CaseFact
from gridgov.models.analysis_appraisal import AppraisalRun, AppraisalScore
from gridgov.models.analysis_reports import MonthlyReport
from gridgov.models.analysis_store import FactCell
from gridgov.models.analysis_warnings import WarningRun
from gridgov.models.base import Base
from gridgov.models.cases import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseDepartment,
    CaseLogEntry,
    CaseNumber,
    CasePhoto,
    Instruction,
    Notification,
    SupervisionOrder,
)
from gridgov.models.catalogue import (
    CatalogueApplication,
    CatalogueList,
    ListVersion,
    Matter,
    RectificationNotice,
)
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.deliberation import Deliberation, DeliberationFollowUp, DeliberationMeeting, DeliberationParticipant
from gridgov.models.hotline import HotlineCategory, HotlineIntake
from gridgov.models.interop import ApiClient
from gridgov.models.legal import LegalProfessional, LegalReferral, LegalSchedule, LegalVisit
from gridgov.models.mediation import Mediation, MediationBody, MediationMember, MediationParty, MediationSession
from gridgov.models.messages import OutboundMessage
from gridgov.models.open311 import Open311Request
from gridgov.models.procs import JobLease, JobRun, RateHit, UsedNonce
from gridgov.models.registry import (
    Address,
    House,
    ImportRun,
    Move,
    Person,
    PersonAccess,
    PersonTag,
    Relation,
    Rental,
    Unit,
    Visit,
)
from gridgov.models.resident import ResidentCode, ResidentReport
from gridgov.models.staff import Post, StaffExclusion, StaffMember, Training
from gridgov.models.system import CalendarOverride, Counter
from gridgov.models.teams import (
    ProjectGrid,
    ProjectMilestone,
    ProjectReport,
    ServiceProject,
    ServiceTeam,
    SocialOrg,
    SocialOrgAccount,
    TeamGrid,
    TeamMember,
    TeamTask,
)
from gridgov.models.territory import (
    Area,
    BoardComplaint,
    Grid,
    GridAdjustment,
    GridVersion,
    MicroGrid,
    SupervisionPhone,
)
from gridgov.models.volunteers import InformantReport, Volunteer, VolunteerOrg
from gridgov.models.webhooks import CaseEvent, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "JobLease",
    "JobRun",
    "RateHit",
    "UsedNonce",
    "ApiClient",
    "LegalProfessional",
    "LegalReferral",
    "LegalSchedule",
    "LegalVisit",
    "CogovActivity",
    "InformantReport",
    "Volunteer",
    "VolunteerOrg",
    "ProjectGrid",
    "ProjectMilestone",
    "ProjectReport",
    "ServiceProject",
    "ServiceTeam",
    "SocialOrg",
    "SocialOrgAccount",
    "TeamGrid",
    "TeamMember",
    "TeamTask",
    "AppraisalRun",
    "AppraisalScore",
    "CaseFact",
    "FactCell",
    "Address",
    "House",
    "ImportRun",
    "Move",
    "OutboundMessage",
    "Person",
    "PersonAccess",
    "PersonTag",
    "Relation",
    "Rental",
    "Unit",
    "Visit",
    "Area",
    "AuditEntry",
    "Base",
    "BoardComplaint",
    "CalendarOverride",
    "Case",
    "CaseAssignment",
    "CaseClock",
    "CaseDepartment",
    "CaseLogEntry",
    "CaseNumber",
    "CatalogueApplication",
    "CatalogueList",
    "CasePhoto",
    "Counter",
    "Department",
    "Grid",
    "GridAdjustment",
    "GridVersion",
    "Instruction",
    "ListVersion",
    "Matter",
    "MicroGrid",
    "MonthlyReport",
    "Notification",
    "Open311Request",
    "Post",
    "RectificationNotice",
    "ResidentCode",
    "ResidentReport",
    "Role",
    "StaffExclusion",
    "StaffMember",
    "SupervisionOrder",
    "SupervisionPhone",
    "Training",
    "User",
    "WarningRun",
    "CaseEvent",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "HotlineCategory",
    "HotlineIntake",
    "Deliberation",
    "DeliberationFollowUp",
    "DeliberationMeeting",
    "DeliberationParticipant",
    "Mediation",
    "MediationBody",
    "MediationMember",
    "MediationParty",
    "MediationSession",
]
