"""Writes of imports: saving mappings as new versions, and import jobs (``jobs.py``)."""

from django.db import transaction

from audit.services import audit_record

from .mapping import mapping_from_spec
from .models import ImportMapping, MappingVersion


def mapping_save(*, name: str, spec: dict, user=None, description: str = "") -> MappingVersion:
    """Save ``spec`` (checked first: MappingError says what is wrong) as the next version of
    the mapping ``name``, creating the mapping if it is new."""
    mapping_from_spec(spec)
    with transaction.atomic():
        mapping, _ = ImportMapping.objects.select_for_update().get_or_create(
            name=name, defaults={"description": description}
        )
        if description and mapping.description != description:
            mapping.description = description
            mapping.save(update_fields=["description"])
        latest = mapping.versions.order_by("-number").values_list("number", flat=True).first()
        version = MappingVersion.objects.create(
            mapping=mapping, number=(latest or 0) + 1, spec=spec, author=user
        )
        audit_record(
            action="create",
            obj=version,
            object_repr=str(version),
            user=user,
        )
    return version
