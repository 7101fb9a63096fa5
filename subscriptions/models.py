"""Saved views, subscriptions and the inbox their deliveries fill."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.choices import RuleKind
from areas.scoping import ScopedQuerySet

from .choices import EmailState, ReportKind, Topic

NAME_MAX = 100


class SavedViewQuerySet(ScopedQuerySet):
    scope_path_field = "area__path"


class SavedView(models.Model):
    """A page's selection (area, window, filters) saved under a name, shared or not."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("名称"), max_length=NAME_MAX)
    # The page's path (a shell page) and its query string, as the browser showed them.
    path = models.CharField(max_length=200)
    query = models.CharField(max_length=1000, blank=True)
    # The area the selection shows (None: the whole city, for city-wide users): who may see a
    # shared view is decided by it.
    area = models.ForeignKey("areas.Area", null=True, on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField(_("共享"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


class HomeView(models.Model):
    """The saved view a user's site root opens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("首页视图")
        verbose_name_plural = _("首页视图")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.view_id}"


class Subscription(models.Model):
    """What a user asked to be sent: a report kind for an area, or alerts (all in the area,
    those of one rule, or of one kind)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.CharField(_("类型"), max_length=16, choices=Topic.choices)
    report_kind = models.CharField(
        _("通报类型"), max_length=16, choices=ReportKind.choices, blank=True
    )
    # Reports: the area the report covers. Alerts: only alerts inside it (None: the user's
    # whole jurisdiction).
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("辖区"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    alert_rule = models.ForeignKey(
        "alerts.AlertRule", verbose_name=_("告警规则"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    alert_kind = models.CharField(
        _("告警类型"), max_length=24, choices=RuleKind.choices, blank=True
    )
    email = models.BooleanField(_("发送邮件"), default=True)
    # What the subscription is, as one string: a user subscribes to a thing once.
    key = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        ordering = ["topic", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="subscription_once_per_user")
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        errors = {}
        if self.topic == Topic.REPORT:
            if not self.report_kind:
                errors["report_kind"] = _("订阅通报须选择通报类型")
            if self.area_id is None:
                errors["area"] = _("订阅通报须选择辖区")
            if self.alert_rule_id or self.alert_kind:
                errors["alert_rule"] = _("订阅通报时不选告警规则或类型")
        elif self.topic == Topic.ALERT:
            if self.report_kind:
                errors["report_kind"] = _("订阅告警时不选通报类型")
            if self.alert_rule_id and self.alert_kind:
                errors["alert_kind"] = _("告警规则和告警类型只选其一")
        if errors:
            raise ValidationError(errors)
        self.key = self.make_key()

    def make_key(self) -> str:
        parts = {
            "topic": self.topic,
            "report": self.report_kind,
            "area": self.area_id or "",
            "rule": self.alert_rule_id or "",
            "kind": self.alert_kind,
        }
        return urlencode({name: value for name, value in parts.items() if value != ""})


class InboxItem(models.Model):
    """One thing delivered to a user: a published report or a raised alert."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.CharField(_("类型"), max_length=16, choices=Topic.choices)
    title = models.CharField(_("标题"), max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    body = models.TextField(_("内容"), blank=True)
    body_en = models.TextField(blank=True)
    # The page of what was delivered (the report's, the alerts page).
    link = models.CharField(max_length=500, blank=True)
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was delivered, as one string: a user is sent a report or an alert once.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, blank=True, default=EmailState.NONE
    )
    email_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("收件箱消息")
        verbose_name_plural = _("收件箱消息")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="inbox_item_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread")]

    def __str__(self) -> str:
        return self.title
