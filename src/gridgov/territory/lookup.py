"""What other packages read of the territory directly, without a principal: areas' names, a grid by its code,
and the grids' version a query can bring along. Unscoped reads: callers use them for places they already
reached through the door (their own scoped rows). The queries are the repository's; this is their public face.
"""

from gridgov.territory.repository import GRIDS_VERSION_NOW, get_areas, get_grid, note_grids_version

__all__ = ["GRIDS_VERSION_NOW", "get_areas", "get_grid", "note_grids_version"]
