"""What both jurisdiction matrices share: the demo city and a collector of failed checks.

The matrices (``test_matrix.py`` for the lists and details of the territory, staff, users and
audit; ``test_matrix_aggregates.py`` for the aggregates with a lifecycle) report every broken cell
at once rather than stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CITY = "321100000000"
"""The demo city (zhenjiang) both matrices are laid over."""


@dataclass
class Failures:
    items: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.items.append(message)
