"""What other packages must do when the territory changes, without territory importing them.

Territory sits below the packages that hang records on its grids (staff posts, …), so it cannot call
them; they register here instead (``staff`` registers :func:`gridgov.staff.posts.end_posts_on_grids`
when it is imported) and every place that retires a grid calls :func:`grids_retired`, in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal

RetiredHook = Callable[..., object]
_ON_RETIRED: list[RetiredHook] = []


def on_grids_retired(hook: RetiredHook) -> RetiredHook:
    """Registers ``hook(session, codes, *, reason, now, actor)``, called whenever grids retire."""
    if hook not in _ON_RETIRED:
        _ON_RETIRED.append(hook)
    return hook


def grids_retired(session: Session, codes: Sequence[str], *, reason: str, now: datetime,
                  actor: Principal | None = None) -> None:
    """The grids ``codes`` have just retired: everything hanging on them follows (their posts end)."""
    if not codes:
        return
    for hook in _ON_RETIRED:
        hook(session, list(codes), reason=reason, now=now, actor=actor)
