"""Briefings asked for on the /reports/ page and made by a real Celery worker on the reports
queue; and jurisdiction over real HTTP: a district user neither makes nor downloads another
district's briefing."""

import re
import time

import pytest
import requests
from django.test import Client

from accounts.choices import Role
from reports.models import Report
from reports.services import ReportRefused, report_generate
from tests.factories import api_key

from .conftest import TODAY, WEEK

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser_session(live_server, user) -> requests.Session:
    """A logged-in session of ``user`` against the live server."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def post_generate(live_server, session, **fields) -> requests.Response:
    page = session.get(f"{live_server.url}/reports/", timeout=30)
    assert page.status_code == 200
    token = CSRF_INPUT.search(page.text).group(1)
    data = {"form": "generate", "csrfmiddlewaretoken": token}
    data |= {f"generate-{name}": value for name, value in fields.items()}
    return session.post(f"{live_server.url}/reports/", data=data, allow_redirects=False, timeout=30)


@pytest.fixture
def commander_a(make_user, two_districts):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])


@pytest.mark.redis
def test_a_briefing_asked_for_on_the_page_is_made_by_the_reports_queues_worker(
    live_server, settings, celery_worker_process, briefing_incidents, two_districts, commander_a
):
    settings.REPORTS_QUEUE = celery_worker_process
    district_a = two_districts[0]
    session = browser_session(live_server, commander_a)
    response = post_generate(
        live_server,
        session,
        kind="weekly",
        area=district_a.pk,
        start=str(WEEK[0]),
        end=str(WEEK[1]),
    )
    assert response.status_code == 302, response.text
    deadline = time.monotonic() + 180
    while not Report.objects.exists():
        assert time.monotonic() < deadline, "the worker made no briefing"
        time.sleep(0.5)
    report = Report.objects.get()
    assert (report.area, report.period_start, report.period_end) == (district_a, *WEEK)
    assert report.created_by == commander_a
    listed = requests.get(
        f"{live_server.url}/api/v1/reports/",
        headers={"Authorization": f"Token {api_key(commander_a)}"},
        timeout=30,
    ).json()["results"]
    assert [item["id"] for item in listed] == [report.pk]
    pdf = session.get(f"{live_server.url}{listed[0]['pdf']}", timeout=30)
    assert pdf.status_code == 200 and pdf.content == bytes(report.pdf)
    page = session.get(f"{live_server.url}/reports/", timeout=30)
    assert report.title in page.text


def test_a_district_user_neither_makes_nor_downloads_another_districts_briefing(
    live_server, settings, briefing_incidents, two_districts, commander_a
):
    # A queue no worker takes: nothing posted here may be made.
    settings.REPORTS_QUEUE = "reports-nobody"
    district_a, district_b = two_districts
    theirs = report_generate(kind="weekly", area=district_b, today=TODAY)
    ours = report_generate(kind="weekly", area=district_a, today=TODAY)
    session = browser_session(live_server, commander_a)
    token = {"Authorization": f"Token {api_key(commander_a)}"}

    def status(path: str, **kwargs) -> int:
        return session.get(f"{live_server.url}{path}", timeout=30, **kwargs).status_code

    for report, expected in ((theirs, 404), (ours, 200)):
        assert status(f"/api/v1/reports/{report.pk}/pdf", headers=token) == expected
        assert status(f"/api/v1/reports/{report.pk}/docx", headers=token) == expected
        assert status(f"/api/v1/reports/{report.pk}/", headers=token) == expected
        assert status(f"/reports/{report.pk}/") == expected
        assert status(f"/reports/{report.pk}/print") == expected
        assert status(f"/reports/{report.pk}/file.pdf") == expected
    listed = session.get(f"{live_server.url}/api/v1/reports/", headers=token, timeout=30)
    assert [item["id"] for item in listed.json()["results"]] == [ours.pk]

    refused = post_generate(live_server, session, kind="weekly", area=district_b.pk)
    assert refused.status_code == 400
    assert 'data-errors="area"' in refused.text
    with pytest.raises(ReportRefused):
        report_generate(kind="weekly", area=district_b, user=commander_a, today=TODAY)
    assert Report.objects.count() == 2
