"""The catalogue's use cases, in one place for callers (API, pages, CLI, jobs, the demo).

The work is split by operation: :mod:`~gridgov.catalogue.applications` (submit, review, decide,
put into effect), :mod:`~gridgov.catalogue.publication` (versions, reads, comparison) and
:mod:`~gridgov.catalogue.rectification` (notices, forced exit, the periodic expiry) and
:mod:`~gridgov.catalogue.filing` (county versions filed with the city, JM§9). Services take
``now`` and never commit.
"""

from __future__ import annotations

from gridgov.catalogue.applications import approve, refuse, review, submit
from gridgov.catalogue.applications import to_read as applications_read
from gridgov.catalogue.filing import file_version, pending_filings
from gridgov.catalogue.publication import (
    compare,
    exit_matter,
    lists_in_force,
    lists_read,
    matter_snapshot,
    publish_version,
    versions,
)
from gridgov.catalogue.rectification import answer, expire_catalogue, issue
from gridgov.catalogue.rectification import to_read as notices_read
from gridgov.catalogue.repository import (
    ensure_lists,
    get_application,
    list_applications,
    list_notices,
)

__all__ = [
    "answer", "applications_read", "approve", "compare", "ensure_lists", "exit_matter", "expire_catalogue",
    "file_version", "get_application", "issue", "list_applications", "list_notices", "lists_in_force", "lists_read",
    "matter_snapshot", "notices_read", "pending_filings", "publish_version", "refuse", "review", "submit", "versions",
]
