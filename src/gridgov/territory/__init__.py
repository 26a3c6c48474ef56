"""Areas, grids and micro-grids, their versions and adjustments."""

from gridgov.audit.rules import register_labels

register_labels({
    "grids_imported": "导入网格",
    "adjustment_proposed": "提出网格调整",
    "adjustment_approved": "批准网格调整",
    "adjustment_rejected": "不批准网格调整",
    "adjustment_filed": "网格调整备案",
    "adjustment_applied": "网格调整生效",
})
"""The Chinese labels of the audit actions this package writes."""
