from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CITY_WIDE_ROLES, Role


class User(AbstractUser):
    """A person or API client of the platform, with a role and a home area (jurisdiction)."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.VIEWER)
    home_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_city_wide(self) -> bool:
        return self.role in CITY_WIDE_ROLES
