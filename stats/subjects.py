"""What a statistic is asked about, within the asker's jurisdiction: the area and category of a
request's parameters as a ``Subject``. The statistics API and the pages' selection both read
their subject here, so an area outside the user's scope is a 404 everywhere alike."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from areas.models import Area
from areas.scoping import scope_for

from .models import ALL_CATEGORIES, EVERYWHERE
from .registry import get_source
from .selectors import Subject

# The metric source a statistic reads unless it names another.
DEFAULT_SOURCE = "incidents"


def subject_for(user, params: dict, source_name: str = DEFAULT_SOURCE) -> Subject:
    """The area and category asked for, within the user's jurisdiction (else 404)."""
    scope = scope_for(user)
    source = get_source(source_name)
    if "area" in params:
        area = Area.objects.filter(pk=params["area"]).only("id", "path").first()
        if area is None or not scope.covers(area.path):
            raise Http404(_("No such area in your jurisdiction."))
        area_key, area_path = area.id, area.path
    elif scope.everything:
        area_key, area_path = EVERYWHERE, ""
    elif scope.path:
        area_key, area_path = int(scope.path.rstrip("/").rsplit("/", 1)[-1]), scope.path
    else:
        raise Http404(_("You have no jurisdiction to report on."))
    category_key, category_path = ALL_CATEGORIES, ""
    if params.get("category"):
        category = source.category_model.objects.filter(code=params["category"]).first()
        if category is None:
            raise ValidationError({"category": f"unknown category code {params['category']!r}"})
        category_key, category_path = category.id, category.path
    return Subject(source, area_key, area_path, category_key, category_path)
