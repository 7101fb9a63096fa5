"""A record list follows the selection's window, but a window left to end where the data ends
lists today's records too: its statistics stop at the last complete day, a list does not."""

from datetime import datetime, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from accounts.choices import Role
from safecity.core.pages.selection import selection_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def select(city, make_user):
    user = make_user(role=Role.CITY_ANALYST, home_area=city)

    def select(**query):
        request = RequestFactory().get("/", query)
        request.user = user
        return selection_for(request)

    return select


def local_midnight(day) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def test_a_window_left_open_lists_records_to_now(select):
    selection = select(window="7d")
    filters = selection.list_filters()
    assert selection.period.end == timezone.localdate() - timedelta(days=1)
    assert "until" not in filters
    assert filters["since"] == local_midnight(selection.period.start).isoformat()


@pytest.mark.parametrize(
    "query",
    [
        {"window": "7d", "date": "2024-03-10"},
        {"window": "custom", "from": "2024-03-01", "to": "2024-03-10"},
        {"window": "month"},
    ],
)
def test_a_chosen_end_or_a_whole_period_bounds_the_list(select, query):
    selection = select(**query)
    filters = selection.list_filters()
    assert filters["until"] == local_midnight(selection.period.end + timedelta(days=1)).isoformat()
