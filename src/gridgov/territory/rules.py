"""Territory's rules of codes. They live in :mod:`gridgov.areas`, below authz: a jurisdiction is a prefix of an
area code, and the door must read codes without importing a domain (see tests/system/test_architecture.py)."""

from gridgov.areas import (
    AREA_CODE_LEN,
    GRID_CODE_LEN,
    LEVEL_ORDER,
    MICRO_GRID_CODE_LEN,
    CodeError,
    ancestor_codes,
    area_level,
    area_prefix,
    grid_village_code,
    micro_grid_parent_code,
    parent_area_code,
    scope_prefix,
)

__all__ = [
    "AREA_CODE_LEN",
    "GRID_CODE_LEN",
    "LEVEL_ORDER",
    "MICRO_GRID_CODE_LEN",
    "CodeError",
    "ancestor_codes",
    "area_level",
    "area_prefix",
    "grid_village_code",
    "micro_grid_parent_code",
    "parent_area_code",
    "scope_prefix",
]
