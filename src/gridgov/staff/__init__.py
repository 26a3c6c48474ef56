"""Grid staff (网格工作力量): people, posts, training, eligibility."""

from gridgov.audit.rules import register_labels
from gridgov.territory import events as _territory_events

register_labels({
    "staff_created": "新建网格员档案",
    "staff_updated": "修改网格员档案",
    "staff_revealed": "查看个人信息",
    "staff_imported": "导入网格员",
    "post_created": "新建岗位",
    "post_activated": "岗位生效",
    "post_ended": "岗位结束",
    "training_recorded": "登记培训",
    "exclusion_recorded": "登记不得任职情形",
})
"""The Chinese labels of the audit actions this package writes."""


def _end_posts_on_retired_grids(session, codes, *, reason, now, actor=None):
    from gridgov.staff.posts import end_posts_on_grids

    return end_posts_on_grids(session, codes, reason=reason, now=now, actor=actor)


_territory_events.on_grids_retired(_end_posts_on_retired_grids)
"""A grid that retires takes its posts with it (territory calls it; it cannot import staff)."""
