"""What a page shows: the area and window chosen in its query string, checked against the
user's jurisdiction with the same rules as the statistics API."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.choices import AreaKind
from areas.models import Area
from areas.scoping import scope_for
from areas.selectors import in_official_order
from stats.api.serializers import StatsParams
from stats.coverage import Cutoff
from stats.selectors import Subject
from stats.subjects import subject_for
from stats.windows import CALENDAR_WINDOWS, Period, Window

from .messages import shown_errors

DEFAULT_WINDOW = Window.ROLLING_28
# The windows the picker offers, in its order.
PICKER_WINDOWS = [
    (Window.ROLLING_7, _("近一周")),
    (Window.WEEK, _("上周")),
    (Window.WEEK_TO_DATE, _("本周以来")),
    (Window.ROLLING_28, _("近28天")),
    (Window.MONTH_TO_DATE, _("本月以来")),
    (Window.MONTH, _("上月")),
    (Window.QUARTER_TO_DATE, _("本季度以来")),
    (Window.QUARTER, _("上季度")),
    (Window.YEAR_TO_DATE, _("今年以来")),
    (Window.YEAR, _("去年")),
    (Window.CUSTOM, _("自定义")),
]
# Areas offered by the picker: the levels reports are read at.
PICKER_KINDS = (AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STATION)
SELECTION_PARAMS = ("area", "window", "date", "from", "to", "partial")
# How the pickers' parameters are named in their errors.
SELECTION_LABELS = {
    "area": _("辖区"),
    "window": _("时间"),
    "date": _("截止日期"),
    "from": _("从"),
    "to": _("至"),
    "partial": _("含今日"),
    "category": _("类别"),
    "measure": _("指标"),
}


@dataclass
class Selection:
    """The chosen area (None: the whole jurisdiction), window and its days."""

    subject: Subject
    area: Area | None
    window: str
    period: Period
    query: QueryDict
    errors: dict = field(default_factory=dict)
    # Where the data ends: complete days, or today so far when asked for (partial=today).
    cutoff: Cutoff | None = None

    @property
    def today_so_far(self) -> dict | None:
        """The label of today so far ({"day", "until"}) when the window counts today's hours."""
        if self.cutoff is None or not self.cutoff.cuts(self.period):
            return None
        return self.cutoff.as_dict()

    @property
    def area_name(self) -> str:
        if self.area is not None:
            return self.area.display_name
        return str(_("全市"))

    @property
    def querystring(self) -> str:
        """The selection as a query string, carried by the navigation and the data requests."""
        return self.query.urlencode()

    def stats_params(self) -> dict:
        """The selection as statistics API parameters, for the page's JavaScript."""
        return dict(self.query.items())

    @property
    def runs_to_now(self) -> bool:
        """Whether the window was left to end where the data ends (no date or end chosen, and
        not a whole calendar period): its statistics stop at the last complete day, but a
        record list is no comparison and goes on to today's records."""
        chosen_end = "date" in self.query or "to" in self.query
        return not chosen_end and self.window not in CALENDAR_WINDOWS

    def list_filters(self) -> dict:
        """The selection as the filters of the record lists (incidents, dispute cases): the
        window's local days as instants (to now when the window runs to now), and the area
        when one is chosen."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.period.start, time.min, tzinfo=zone)
        params = {"since": start.isoformat()}
        if not self.runs_to_now:
            end = datetime.combine(self.period.end + timedelta(days=1), time.min, tzinfo=zone)
            params["until"] = end.isoformat()
        if self.subject.area_path:
            params["area"] = str(self.subject.area_key)
        return params


def selection_for(request) -> Selection:
    """The page's selection; an area outside the user's jurisdiction is a 404 (as in the API),
    any other bad value falls back to the default with the reason shown."""
    query = QueryDict(mutable=True)
    for name in SELECTION_PARAMS:
        value = request.GET.get(name)
        if value:
            query[name] = value
    query.setdefault("window", DEFAULT_WINDOW)
    if "area" not in query and scope_for(request.user).everything:
        # A city-wide user starts at the city, so its districts fill the map and the ranking.
        roots = list(Area.objects.filter(parent=None).values_list("pk", flat=True)[:2])
        if len(roots) == 1:
            query["area"] = str(roots[0])
    params = StatsParams(data=query)
    errors = {}
    if not params.is_valid():
        errors = shown_errors(params.errors, SELECTION_LABELS)
        kept = QueryDict(mutable=True)
        if "area" in query and "area" not in errors:
            kept["area"] = query["area"]
        kept["window"] = DEFAULT_WINDOW
        query = kept
        params = StatsParams(data=query)
        params.is_valid(raise_exception=True)
    values = params.validated_data
    subject = subject_for(request.user, values)
    area = None
    if subject.area_path:
        area = Area.objects.get(pk=subject.area_key)
    return Selection(
        subject=subject,
        area=area,
        window=values["window"],
        period=values["period"],
        query=query,
        errors=errors,
        cutoff=values["cutoff"],
    )


def picker_areas(user) -> list[Area]:
    """The areas a user may choose, in tree order (siblings in their official order), each
    with an ``indent`` for its level."""
    areas = in_official_order(
        Area.objects.for_user(user)
        .filter(kind__in=PICKER_KINDS)
        .only("id", "name", "name_en", "kind", "depth", "path", "code", "sort_order")
    )
    top = min((area.depth for area in areas), default=0)
    for area in areas:
        area.indent = "\u3000" * (area.depth - top)
    return areas
