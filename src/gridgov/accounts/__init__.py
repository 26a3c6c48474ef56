"""Users, login, sessions and two-factor authentication."""

from gridgov.audit.rules import register_labels

register_labels({
    "login_succeeded": "登录成功",
    "login_failed": "登录失败",
    "login_locked": "账号锁定",
    "login_throttled": "登录限流",
    "otp_failed": "动态验证码错误",
    "recovery_code_used": "使用恢复码",
    "two_factor_enabled": "启用两步验证",
    "two_factor_disabled": "停用两步验证",
    "logout": "退出登录",
    "password_changed": "修改密码",
    "user_created": "新建用户",
    "user_updated": "修改用户",
    "user_disabled": "停用用户",
    "user_enabled": "启用用户",
    "user_unlocked": "解除锁定",
    "password_reset": "管理员重设密码",
})
"""The Chinese labels of the audit actions this package writes."""
