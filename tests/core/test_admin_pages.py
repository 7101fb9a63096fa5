"""Every admin list and add page opens for an administrator, and a model with rows opens its
change page: registrations, list columns and filters that break show up here."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens(client, make_user, city):
    from accounts.choices import Role

    boss = make_user(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(boss)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        for view in ("changelist", "add"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}")
            answer = client.get(url)
            assert answer.status_code in (200, 403), (url, answer.status_code)
            opened += answer.status_code == 200
        first = model_admin.get_queryset(answer.wsgi_request).first()
        if first is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(url).status_code == 200, url
    assert opened >= 2 * 10


def test_a_staff_flag_on_a_district_role_opens_no_admin_page(client, make_user, two_districts):
    from accounts.choices import Role

    officer = make_user(
        role=Role.STATION_OFFICER, home_area=two_districts[0], is_staff=True, username="o"
    )
    client.force_login(officer)

    for path in ("/admin/", "/admin/incidents/incident/", "/admin/areas/area/add/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path
