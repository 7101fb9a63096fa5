import pytest

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import AlertRule


@pytest.fixture
def administrator(make_user):
    return make_user(role=Role.ADMINISTRATOR, username="chief")


@pytest.fixture
def viewer(make_user):
    return make_user(role=Role.VIEWER, username="clerk")


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    settings.AUDIT_RETENTION_DAYS = 400
    return settings.AUDIT_ARCHIVE_DIR


@pytest.fixture
def login(client):
    """The test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def rule(city):
    """An alert rule: a model whose writes are recorded generically."""
    return AlertRule.objects.create(
        name="全市抢劫", kind=RuleKind.INSTANT, severity=Severity.WARNING, area=city
    )
