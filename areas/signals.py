from django.dispatch import Signal

# Sent once after a transaction that changed area boundaries has committed. Apps that place
# records in areas (incidents, device events ...) listen and re-place them.
areas_changed = Signal()

# Sent in the moving transaction when an area moves to another parent, with its old and new
# path (its subtree's paths change by the same prefix). Apps that keep an area path on their
# records (units' home paths, cases' area paths) rewrite it with ``repath``.
area_moved = Signal()


def repath(queryset, field: str, old_path: str, new_path: str) -> int:
    """Rewrite the ``field`` path prefix ``old_path`` to ``new_path`` on ``queryset``'s rows,
    in one statement; how many rows moved."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    return queryset.filter(**{f"{field}__startswith": old_path}).update(
        **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
    )
