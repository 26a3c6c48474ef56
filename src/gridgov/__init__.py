"""gridgov: 城乡网格化社会治理平台 (urban-rural grid-based social governance)."""

__version__ = "0.1.0"
