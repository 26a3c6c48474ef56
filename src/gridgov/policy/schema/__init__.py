"""The shape of a policy profile: one jurisdiction's rules as data, checked before the app starts.

A policy profile (政策配置) encodes what one regulation (ZJ, LZ, JS, QZ or JM) asks of the platform:
which grid kinds exist, who serves a grid, how long each step of a case may take, how the list of
grid work is kept. Code reads these settings and never branches on a city's name.

Each model forbids unknown keys (a misspelt key is an error, not a silent default). Rules that tie
several fields together are checked by validators that collect *all* problems of a section and
report each under the path of the field at fault (see :func:`rule_problems`), so the loader can
print ``territory.household_norms.urban.min: 必须小于等于 max（500）``.

Provenance: ``sources`` maps a setting's dotted path (or a prefix of it: the longest prefix wins) to
where its value comes from:

- ``"ZJ§13"`` (several: ``"QZ§5、QZ§13"``): written in the regulation, article cited;
- ``"default"`` or ``"default: ZJ§13"``: a local setting (本地设置). The text leaves the value open
  (e.g. "在规定时间内") and the platform supplies a documented default that the deployment may
  change; the optional reference names the article whose rule the number measures;
- ``"demo"``: demo data (the demo city), not a rule.

Every rule setting must be covered by some entry, and every entry must name an existing setting.

The package holds one module per part: :mod:`.vocabulary` (codes and labels), :mod:`.base` (the
section base and :func:`rule_problems`), one module per section (:mod:`.identity`, :mod:`.territory`,
:mod:`.staff`, :mod:`.cases`, :mod:`.catalogue`, :mod:`.board`), :mod:`.provenance` (sources and
how a setting reads) and :mod:`.profile` (the whole profile). Import from here.
"""

from gridgov.policy.schema.base import rule_problems
from gridgov.policy.schema.board import Board
from gridgov.policy.schema.cases import CaseLimits, Cases, Category, DepartmentKind
from gridgov.policy.schema.catalogue import Catalogue
from gridgov.policy.schema.identity import Centre, City, County, Regulation
from gridgov.policy.schema.profile import PolicyProfile
from gridgov.policy.schema.provenance import (
    IDENTITY_FIELDS,
    LOCAL_NOTE,
    SECTION_TITLES,
    Requirement,
    Setting,
    Source,
    SourceKind,
    format_value,
)
from gridgov.policy.schema.registry import Registry
from gridgov.policy.schema.staff import Eligibility, Staff
from gridgov.policy.schema.territory import HouseholdNorm, Territory
from gridgov.policy.schema.vocabulary import (
    ADJUSTMENT_TRIGGER_LABELS,
    AGENCY_LEVEL_LABELS,
    LEADER_BASIS_LABELS,
    ROLE_LABELS,
    VALUE_LABELS,
    AdjustmentTrigger,
    AgencyLevel,
    Applicant,
    Approver,
    BoardField,
    BoardPublisher,
    DisputeSettler,
    Exclusion,
    LeaderBasis,
    ListKind,
    MicroGridPolicy,
    OnlinePolicy,
    PowerType,
    Refusable,
    RegulationKind,
    RegulationStatus,
    ReportLevel,
    RoleName,
)

__all__ = [
    "ADJUSTMENT_TRIGGER_LABELS",
    "AGENCY_LEVEL_LABELS",
    "IDENTITY_FIELDS",
    "LEADER_BASIS_LABELS",
    "LOCAL_NOTE",
    "ROLE_LABELS",
    "SECTION_TITLES",
    "VALUE_LABELS",
    "AdjustmentTrigger",
    "AgencyLevel",
    "Applicant",
    "Approver",
    "Board",
    "BoardField",
    "BoardPublisher",
    "CaseLimits",
    "Cases",
    "Catalogue",
    "Category",
    "Centre",
    "City",
    "County",
    "DepartmentKind",
    "DisputeSettler",
    "Eligibility",
    "Exclusion",
    "LeaderBasis",
    "HouseholdNorm",
    "ListKind",
    "MicroGridPolicy",
    "OnlinePolicy",
    "PolicyProfile",
    "PowerType",
    "Refusable",
    "Regulation",
    "Registry",
    "RegulationKind",
    "RegulationStatus",
    "ReportLevel",
    "Requirement",
    "RoleName",
    "Setting",
    "Source",
    "SourceKind",
    "Staff",
    "Territory",
    "format_value",
    "rule_problems",
]
