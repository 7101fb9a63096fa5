"""The shipped dispute types, installed by a data migration (and by tests that empty tables)."""

from .choices import DISPUTE_TYPES


def dispute_types_install(model) -> None:
    """Create or update the default types; ``model`` is DisputeType (or its migration state)."""
    for order, (code, name, name_en) in enumerate(DISPUTE_TYPES):
        model.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "sort_order": order, "path": f"/{code}/"},
        )
