"""Reads of imports: mappings (shared by everyone who imports) and jobs (each user's own;
administrators see all)."""

from django.db.models import QuerySet

from .models import ImportMapping, MappingVersion


def mappings_all() -> QuerySet[ImportMapping]:
    return ImportMapping.objects.prefetch_related("versions")


def mapping_version_latest(name: str) -> MappingVersion | None:
    """The newest version of the stored mapping ``name``, or None."""
    return (
        MappingVersion.objects.select_related("mapping")
        .filter(mapping__name=name)
        .order_by("-number")
        .first()
    )
