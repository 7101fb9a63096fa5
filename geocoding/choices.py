from django.db import models
from django.utils.translation import gettext_lazy as _


class GeocodeQuality(models.TextChoices):
    """How an incident's point was found: given with it, or from the standard address table."""

    GIVEN = "", _("随警情提供")
    EXACT = "exact", _("标准地址精确匹配")
    FUZZY = "fuzzy", _("标准地址模糊匹配")
    UNLOCATED = "unlocated", _("未定位")


class UnlocatedReason(models.TextChoices):
    """Why an incident has no point: what the quality queue shows beside it."""

    NONE = "", _("已定位")
    NO_ADDRESS = "no_address", _("无坐标也无地址")
    NO_MATCH = "no_match", _("标准地址库中无同门牌号的地址")
    BELOW_THRESHOLD = "below_threshold", _("最接近的标准地址相似度低于阈值")
    AMBIGUOUS = "ambiguous", _("多个标准地址同样接近")
