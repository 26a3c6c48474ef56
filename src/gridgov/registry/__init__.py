"""一标三实: the register of standard addresses, actual houses, people and units, special-group
tags and visits (issue 15). Tables in :mod:`gridgov.models.registry`; jurisdiction by each row's
``scope_code`` through :mod:`gridgov.authz.scope`."""

from gridgov.audit.rules import register_labels

register_labels({
    "registry_retention_deleted": "删除保存期满的人员信息",
})
"""The Chinese labels of the audit actions this package writes."""
