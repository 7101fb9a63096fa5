from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What was done: a write, a sensitive read, or an authentication event."""

    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    BULK_INGEST = "bulk_ingest", _("批量导入")
    VIEW = "view", _("查看")
    VIEW_PERSONAL_DATA = "view_personal_data", _("查看个人信息")
    EXPORT = "export", _("导出")
    # A list read of many rows at once (see AUDIT_BULK_READ_ROWS).
    BULK_READ = "bulk_read", _("批量读取")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    OTP_FAILED = "otp_failed", _("动态口令验证失败")
    DENIED = "denied", _("拒绝访问")
    # A write request that failed before reaching an object: known only by method and path.
    WRITE = "write", _("写请求")
    TOKEN_CREATE = "token_create", _("创建令牌")
    TOKEN_REVOKE = "token_revoke", _("吊销令牌")
    ARCHIVE = "archive", _("归档")


class AuditOutcome(models.TextChoices):
    """How it ended."""

    SUCCESS = "success", _("成功")
    DENIED = "denied", _("被拒绝")
    FAILED = "failed", _("失败")
    ERROR = "error", _("出错")
