import factory

from accounts.choices import Role
from accounts.models import User
from areas.choices import AreaKind
from areas.models import Area


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    """A square GeoJSON Polygon with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    kind = AreaKind.DISTRICT
    code = factory.Sequence(lambda n: f"A{n:04d}")
    name = factory.Sequence(lambda n: f"测试辖区{n}")
    name_en = factory.Sequence(lambda n: f"Test area {n}")
    geometry = factory.LazyFunction(lambda: square(121.0, 31.0, 1.0))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def persist(self, create, extracted, **kwargs):
        if create:
            self.save()


def api_key(user, scopes=None, days: int = 30) -> str:
    """The key of a new API token of ``user``, by default with every scope."""
    from accounts.scopes import SCOPES
    from accounts.services import api_token_create

    return api_token_create(user=user, scopes=scopes or SCOPES, days=days)[1]
