from django.db import models
from django.utils.translation import gettext_lazy as _


class QualityKind(models.TextChoices):
    """A kind of record that needs a person's eye, as the quality queue lists them."""

    UNLOCATED = "unlocated", _("未定位警情")
    LOW_CONFIDENCE = "low_confidence", _("低置信度地址匹配")
    DEFAULT_CATEGORY = "default_category", _("默认归类的警情")
    OUTSIDE_JURISDICTION = "outside_jurisdiction", _("不在立案辖区内的警情")
    TIMELINE = "timeline", _("时间顺序不合理")
    DUPLICATE = "duplicate", _("疑似重复")
