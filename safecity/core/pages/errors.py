"""The error pages (400, 403, 404, 500) inside the shell: the site's header and navigation, in
the page's language, so a reader who followed a stale link finds the way back."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.choices import AlertState
from alerts.selectors import alerts_for_user

from .base import nav_entries

logger = logging.getLogger(__name__)

ERRORS = {
    400: (_("请求有误"), _("地址或提交的内容无法处理，请检查后重试。")),
    403: (_("没有权限"), _("您的角色或辖区无权查看此页面或执行此操作。")),
    404: (_("页面不存在"), _("找不到该页面，或它不在您的辖区内。")),
    500: (_("服务器出错"), _("处理请求时出错，已记录。请稍后重试。")),
}


def shell_context(request) -> dict:
    """The shell's header for ``request``'s user: the navigation they may open and the open
    alert count (nothing for a visitor who is not logged in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    return {
        "nav": [(entry.key, reverse(entry.url_name), entry.label) for entry in nav_entries(user)],
        "nav_key": "",
        "open_alert_count": alerts_for_user(user).filter(state=AlertState.OPEN).count(),
    }


def error_page(request, status: int, reason: str = "") -> HttpResponse:
    """The shell's page for an error ``status``; ``reason`` adds what went wrong, if known."""
    title, detail = ERRORS[status]
    context = {"status": status, "title": title, "detail": detail, "reason": reason}
    try:
        context |= shell_context(request)
    except Exception:
        # A page about an error must not fail in turn: without the navigation, if need be.
        logger.exception("error page %s without the shell's navigation", status)
    return HttpResponse(render_to_string("errors/error.html", context, request), status=status)
