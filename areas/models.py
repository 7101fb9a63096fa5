from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from .choices import AreaKind
from .geometry import GeometryError, overlaps, parse_area_geometry, polygonal_part
from .ordering import code_sort_order
from .scoping import ScopedQuerySet


class AreaQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def subtree(self, area: "Area") -> "AreaQuerySet":
        """The area and everything below it, in one indexed prefix query."""
        return self.filter(path__startswith=area.path)


class Area(models.Model):
    """A node of the police geography tree: city, district, station, patrol zone or beat."""

    kind = models.CharField(_("级别"), max_length=16, choices=AreaKind.choices, db_index=True)
    code = models.CharField(_("编码"), max_length=64)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    # Where the area stands among its siblings (lower first): set from its code unless given.
    sort_order = models.BigIntegerField(
        _("排序"),
        null=True,
        blank=True,
        help_text=_("同级辖区中的顺序（小者在前）；留空则按编码中的数字自动设定。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path of primary keys, "/1/17/203/": a subtree is one prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    geometry = models.JSONField(_("边界 (GeoJSON)"))
    # True when the boundary was built as the union of the children rather than imported.
    geometry_derived = models.BooleanField(default=False, editable=False)
    properties = models.JSONField(_("属性"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaQuerySet.as_manager()
    # Small overlaps with siblings the last clean() found (see _check_siblings).
    overlap_notes: tuple | list = ()

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        # Level by level, each in its official order (areas.ordering.in_official_order gives
        # tree order, for lists of several parents).
        ordering = ["depth", models.F("sort_order").asc(nulls_last=True), "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "code"], name="area_code_unique_in_parent"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(parent__isnull=True), name="area_root_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.sort_order is None:
            self.sort_order = code_sort_order(self.code)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._refresh_path()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        geom = None
        try:
            geom = parse_area_geometry(self.geometry)
        except GeometryError as exc:
            errors["geometry"] = f"{self.code or self.name}: {exc}"
        if self.parent_id:
            parent = self.parent
            if AreaKind.level(parent.kind) >= AreaKind.level(self.kind):
                errors["parent"] = _("上级的级别必须高于本级")
            elif self.pk and parent.path.startswith(self.path):
                errors["parent"] = _("上级不能是本辖区或其下级")
        if geom is not None and not errors:
            overlap = self._check_siblings(geom)
            if overlap:
                errors["geometry"] = overlap
        if errors:
            raise ValidationError(errors)

    def _check_siblings(self, geom) -> str | None:
        """Why the boundary lies too far over its siblings', or None. An overlap within
        AREA_OVERLAP_TOLERANCE is kept in ``overlap_notes``, for the writer to report."""
        siblings = Area.objects.filter(parent_id=self.parent_id).only("name", "geometry")
        if self.pk:
            siblings = siblings.exclude(pk=self.pk)
        # A sibling stored before boundaries were validated may be invalid (a bow-tie): its
        # valid part is compared, rather than failing every edit of its parent's children.
        found = overlaps(
            geom, [(sibling.name, polygonal_part(shape(sibling.geometry))) for sibling in siblings]
        )
        tolerance = settings.AREA_OVERLAP_TOLERANCE
        too_much = [(name, share) for name, share in found if share > tolerance]
        if too_much:
            return _("与同级辖区重叠：%(overlaps)s（最多允许 %(tolerance)s）。") % {
                "overlaps": "、".join(f"{name} {share:.1%}" for name, share in too_much),
                "tolerance": f"{tolerance:.1%}",
            }
        self.overlap_notes = [
            _("与同级辖区%(name)s略有重叠（%(share)s）。") % {"name": name, "share": f"{share:.1%}"}
            for name, share in found
        ]
        return None

    @property
    def display_name(self) -> str:
        """The name in the active language, falling back to Chinese."""
        language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def level(self) -> int:
        return AreaKind.level(self.kind)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)

    def _refresh_path(self) -> None:
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path == self.path:
            return
        old_path = self.path
        new_depth = new_path.count("/") - 2
        Area.objects.filter(pk=self.pk).update(path=new_path, depth=new_depth)
        if old_path:
            # The area moved: its whole subtree follows, in one statement.
            Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1)),
                depth=models.F("depth") + (new_depth - self.depth),
            )
            from .signals import area_moved

            area_moved.send(sender=Area, old_path=old_path, new_path=new_path)
        self.path, self.depth = new_path, new_depth
