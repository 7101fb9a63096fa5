"""The analysis engine's writes: the city-wide near-repeat zone of each near-repeat category,
computed by the Knox test over the last ``ANALYSIS_NEAR_REPEAT_DAYS`` and kept (in the cache,
without expiry: derived from the incidents, rebuilt nightly and whenever it is missing) for
the near_repeat alert kind to read as incidents arrive."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from stats.registry import get_source
from stats.selectors import Subject
from stats.subjects import DEFAULT_SOURCE
from stats.windows import Period

from .results import knox_for, knox_table, near_repeat_bands

NEAR_REPEAT_KEY = "analysis:near-repeat:{code}"


def near_repeat_key(code: str) -> str:
    return NEAR_REPEAT_KEY.format(code=code)


def near_repeat_refresh(*, code: str, end=None, seed: int | None = None) -> dict | None:
    """Run the city-wide Knox test of category ``code`` over the days up to ``end`` (default:
    today) and keep its table, zone and time; None for a category that does not exist."""
    source = get_source(DEFAULT_SOURCE)
    category = source.category_model.objects.filter(code=code).first()
    if category is None:
        return None
    end = end or timezone.localdate()
    period = Period(end - timedelta(days=settings.ANALYSIS_NEAR_REPEAT_DAYS - 1), end)
    subject = Subject(source, category_key=category.id, category_path=category.path)
    stored = {
        "category": code,
        "category_path": category.path,
        "computed_at": timezone.now().isoformat(),
        "period": period.as_dict(),
        **knox_table(knox_for(subject, period, near_repeat_bands({}), seed=seed)),
    }
    cache.set(near_repeat_key(code), stored, timeout=None)
    return stored


def near_repeat_stored(code: str) -> dict | None:
    """The kept near-repeat result of category ``code``, or None until one is computed."""
    return cache.get(near_repeat_key(code))
