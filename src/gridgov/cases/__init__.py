"""Cases (事件): the closed loop from report to archive.

The pure rules live in :mod:`.workflow` (who may do what in which state), :mod:`.deadlines` (the
clocks) and :mod:`.file` (the hash-chained electronic file). They do no I/O, so the service, the API,
the pages and the jobs all ask the same rules and the rules are tested on their own.
"""

from gridgov.audit.rules import register_labels

register_labels({
    "instruction_sent": "交办工作",
    "instruction_requested": "申请交办",
    "instruction_approved": "同意交办申请",
    "instruction_refused": "不同意交办申请",
    "instruction_completed": "办结交办事项",
    "instruction_declined": "网格员拒绝交办事项",
})
"""The Chinese labels of the audit actions this package writes (the instructions)."""
