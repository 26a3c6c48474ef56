"""The hook every fact row change passes through, for pre-aggregates kept beside ``case_facts``.

:func:`gridgov.cases.facts_store.save_facts` calls :func:`apply` once per fact row it writes, in the
same transaction, with the row as it was (None for a new case) and as it is now (column → value,
the columns of :class:`gridgov.models.analysis.CaseFact`). This version keeps no aggregates: the
figures are summed from ``case_facts`` (:mod:`gridgov.analysis.store`). The ``store`` engineer
replaces the body (subtract ``old``, add ``new``) without changing the signature or the call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def apply(session: Session, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """One fact row went from ``old`` to ``new``: nothing to do while no aggregate is kept."""
    return None
