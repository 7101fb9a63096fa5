"""Models whose writes are recorded without their services doing anything: a registered
model's creations, changes (each changed field, before → after, against the values loaded
from the database) and deletions become audit events.

Queryset ``update()``, ``bulk_create()`` and raw SQL send no signals: services writing that
way record their own events with ``audit.services.audit_record``.
"""

import copy
from dataclasses import dataclass

import orjson
from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from .choices import AuditAction
from .services import audit_changes, audit_record

# What a redacted field shows: that it changed, never its value.
WITHHELD = "***"
_LOADED = "_audit_loaded"
_M2M_BEFORE = "_audit_m2m_before"


@dataclass(frozen=True)
class Tracking:
    """How one model's writes are recorded: the fields compared with values, those whose
    change is recorded without values, and its many-to-many fields by their through model."""

    fields: tuple[models.Field, ...]
    redacted: frozenset[str]
    many_to_many: dict

    def values(self, instance, *, frozen: bool = False) -> dict:
        """The loaded values of the tracked fields (deferred ones are left out). ``frozen``
        keeps JSON values as encoded bytes, so that changes made in place still show: cheaper
        than a deep copy on every row loaded, and decoded only when the row is saved."""
        loaded = instance.__dict__
        values = {}
        for field in self.fields:
            if field.attname not in loaded:
                continue
            value = loaded[field.attname]
            if frozen and field.name not in self.redacted and isinstance(value, dict | list):
                value = _Frozen.of(value)
            values[field.name] = value
        return values

    def changes(self, before: dict, after: dict) -> dict:
        before = {k: v.thaw() if isinstance(v, _Frozen) else v for k, v in before.items()}
        plain = {name for name in (*before, *after) if name not in self.redacted}
        changes = audit_changes(
            {k: v for k, v in before.items() if k in plain},
            {k: v for k, v in after.items() if k in plain},
        )
        for name in self.redacted:
            old, new = before.get(name), after.get(name)
            if old != new and not (_blank(old) and _blank(new)):
                changes[name] = [_withheld(old), _withheld(new)]
        return changes


@dataclass(frozen=True)
class _Frozen:
    encoded: bytes | None = None
    copied: object = None

    @classmethod
    def of(cls, value) -> "_Frozen":
        try:
            return cls(encoded=orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
        except TypeError:  # nested too deep, or an integer too large: slower, always works
            return cls(copied=copy.deepcopy(value))

    def thaw(self):
        return self.copied if self.encoded is None else orjson.loads(self.encoded)


def _withheld(value):
    return None if _blank(value) else WITHHELD


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _set(values: dict) -> dict:
    """The values that say something about a row just created or deleted."""
    return {name: value for name, value in values.items() if not _blank(value)}


_registry: dict[type[models.Model], Tracking] = {}


def register(model: type[models.Model], *, exclude=(), redact=()) -> None:
    """Record the writes of ``model`` (and its proxies). ``exclude`` names fields left out of
    the changes; ``redact`` those whose change is recorded without their values. Derived
    fields (not editable) and automatic timestamps are always left out."""
    concrete = model._meta.concrete_model
    fields = tuple(
        field
        for field in concrete._meta.concrete_fields
        if not field.primary_key
        and field.editable
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
        and field.name not in exclude
    )
    many_to_many = {
        field.remote_field.through: field.name
        for field in concrete._meta.local_many_to_many
        if field.name not in exclude
    }
    _registry[concrete] = Tracking(
        fields=fields, redacted=frozenset(redact), many_to_many=many_to_many
    )
    senders = [m for m in apps.get_models() if m._meta.concrete_model is concrete]
    for sender in {concrete, *senders}:
        uid = f"audit-{sender._meta.label_lower}"
        post_init.connect(_loaded, sender=sender, dispatch_uid=f"{uid}-init")
        post_save.connect(_saved, sender=sender, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=sender, dispatch_uid=f"{uid}-delete")
    for through in many_to_many:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"audit-m2m-{through}")


def is_registered(model: type[models.Model]) -> bool:
    return model._meta.concrete_model in _registry


def _tracking(instance) -> Tracking | None:
    return _registry.get(instance._meta.concrete_model)


def _loaded(sender, instance, **kwargs):
    tracking = _tracking(instance)
    if tracking is not None:
        instance.__dict__[_LOADED] = tracking.values(instance, frozen=True)


def _saved(sender, instance, created, raw=False, **kwargs):
    tracking = _tracking(instance)
    if tracking is None or raw:
        return
    after = tracking.values(instance)
    if created:
        action, changes = AuditAction.CREATE, tracking.changes({}, _set(after))
    else:
        before = instance.__dict__.get(_LOADED, {})
        # Fields deferred at load time have no known “before”: left out rather than guessed.
        known = {name: value for name, value in after.items() if name in before}
        action, changes = AuditAction.UPDATE, tracking.changes(before, known)
    instance.__dict__[_LOADED] = tracking.values(instance, frozen=True)
    if changes or created:
        audit_record(action=action, obj=instance, changes=changes)


def _deleted(sender, instance, **kwargs):
    tracking = _tracking(instance)
    if tracking is not None:
        changes = tracking.changes(_set(tracking.values(instance)), {})
        audit_record(action=AuditAction.DELETE, obj=instance, changes=changes)


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    tracking = _tracking(instance)
    if tracking is None or reverse or sender not in tracking.many_to_many:
        return
    name = tracking.many_to_many[sender]
    current = sorted(getattr(instance, name).values_list("pk", flat=True))
    remembered = instance.__dict__.setdefault(_M2M_BEFORE, {})
    if action.startswith("pre_"):
        remembered[name] = current
        return
    before = remembered.pop(name, None)
    if before is not None and before != current:
        audit_record(action=AuditAction.UPDATE, obj=instance, changes={name: [before, current]})
