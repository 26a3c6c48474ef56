"""The public side: grid boards, the QR code, complaints."""

from gridgov.audit.rules import register_labels

register_labels({
    "complaint_received": "收到投诉",
    "complaint_handled": "处理投诉",
    "supervision_phone_set": "设置监督电话",
})
"""The Chinese labels of the audit actions this package writes."""
