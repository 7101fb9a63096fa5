"""An import's report of rejected rows is kept IMPORT_ERRORS_KEPT_DAYS days, then removed by
beat's imports.prune_files; the job's record stays."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from imports.models import ImportJob
from imports.tasks import prune_files

from .test_api import ROWS, csv_upload, post_import, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user, two_districts):
    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])


def test_an_old_jobs_errors_csv_is_removed_and_a_recent_ones_kept(
    officer, api_client_for, settings
):
    client = api_client_for(officer)
    old, recent = (run_job(post_import(client, csv_upload(ROWS))) for _ in range(2))
    old.refresh_from_db()
    recent.refresh_from_db()
    old_report, recent_report = old.errors_path(), recent.errors_path()
    assert old_report.exists() and recent_report.exists()
    finished = timezone.now() - timedelta(days=settings.IMPORT_ERRORS_KEPT_DAYS, hours=1)
    ImportJob.objects.filter(pk=old.pk).update(finished_at=finished)

    assert prune_files() == 1

    assert not old_report.exists() and recent_report.exists()
    answer = client.get(f"/api/v1/imports/{old.public_id}/").json()
    assert answer["state"] == "succeeded" and answer["progress"]["rejected"] == 2
    assert not answer["errors_csv"]
    assert client.get(f"/api/v1/imports/{recent.public_id}/").json()["errors_csv"]
