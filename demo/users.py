"""Demo logins, one per role that the demo city shows off."""

from dataclasses import dataclass

from accounts.choices import Role
from accounts.models import User
from areas.choices import AreaKind
from areas.models import Area

from .areas import CITY_CODE

DEMO_PASSWORD = "SafeCity-demo-2024"
DEMO_DISTRICT_CODE = "310115"  # 浦东新区


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    area: str


def build_demo_users() -> list[DemoLogin]:
    """Create or reset the demo users; passwords are reset to the printed demo password."""
    city = Area.objects.get(parent=None, code=CITY_CODE)
    district = Area.objects.get(parent=city, code=DEMO_DISTRICT_CODE)
    station = Area.objects.filter(parent=district, kind=AreaKind.STATION).order_by("code").first()
    specs = [
        ("admin", Role.ADMINISTRATOR, city, True),
        ("analyst", Role.CITY_ANALYST, city, False),
        ("commander", Role.DISTRICT_COMMANDER, district, False),
        ("officer", Role.STATION_OFFICER, station, False),
    ]
    logins = []
    for username, role, area, is_admin in specs:
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.home_area = role, area
        user.is_staff = user.is_superuser = is_admin
        user.set_password(DEMO_PASSWORD)
        user.save()
        logins.append(DemoLogin(username, str(role.label), area.name))
    return logins
