"""The alert-kind registry: what each kind of alert rule reads, how it is validated, when it
fires and how its alert reads — one handler class per kind, as healthchecks maps each
integration kind to a class.

The engine knows no domain. A domain declares its kinds in its own ``alert_kinds.py`` (found
and imported by the alerts app's ready(), as the statistics engine finds ``metrics.py``):
``incidents`` (instant, spike), ``patrols`` (response_breach), ``campaigns`` (campaign_kpi,
remediation_overdue), ``mediation`` (followup_overdue). A kind is triggered one of two ways:

- ``Trigger.EVENT``: its domain reports an event through ``alerts.services.alert_raise(kind=...,
  **event)``, in the transaction that made it; the handler's ``alerts(rules, **event)`` says
  which rules fire and with what text;
- ``Trigger.PERIODIC``: beat runs ``alerts.check_periodic`` every minute, which asks this
  registry for the periodic kinds and calls each handler's ``check(rules, now=...)``.

Adding a kind: a code in ``alerts.choices.RuleKind``, and a handler class registered with
``@register`` in the domain's ``alert_kinds.py``.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

# The rule columns a kind may leave unused: empty unless the rule's kind reads them. (The
# numeric ones have defaults and are simply ignored by the kinds that do not read them.)
OPTIONAL_COLUMNS = ("categories", "event_types", "max_priority", "per_area_kind")


class Trigger(StrEnum):
    EVENT = "event"
    PERIODIC = "periodic"


@dataclass(frozen=True)
class AlertDraft:
    """What a handler says about one alert to raise; the engine adds rule, kind, severity."""

    area: Any  # areas.Area or None (the whole city)
    dedup_key: str
    title: str
    title_en: str = ""
    body: str = ""
    body_en: str = ""
    incident: Any = None
    device_event: Any = None


# A rule that fires, with what it raises.
Match = tuple[Any, AlertDraft]


class AlertKind:
    """A kind of alert rule. Subclasses set ``code``, ``trigger`` and the columns they read,
    and implement ``alerts`` (event kinds) or ``check`` (periodic kinds)."""

    code: ClassVar[str]
    trigger: ClassVar[Trigger]
    # The optional AlertRule columns this kind reads; a rule of the kind filling another one
    # is refused, since the value would be silently ignored.
    fields: ClassVar[tuple[str, ...]] = ()
    # Columns a rule of this kind must fill: non-empty, and above zero for numbers.
    required: ClassVar[tuple[str, ...]] = ()

    def clean(self, rule) -> None:
        """Raise a ValidationError keyed by field for a rule this kind cannot run."""
        errors: dict[str, str] = {}
        for name in OPTIONAL_COLUMNS:
            if name not in self.fields and _filled(getattr(rule, name)):
                errors[name] = f"{self.code} rules do not use {name}; leave it empty"
        for name in self.required:
            if not _filled(getattr(rule, name)) or getattr(rule, name) == 0:
                errors[name] = f"{self.code} rules need {name}"
        if not errors:
            errors.update(self.validate(rule))
        if errors:
            raise ValidationError(errors)

    def validate(self, rule) -> dict[str, str]:
        """The kind's own checks on a rule whose columns are in place: {field: message}."""
        return {}

    def alerts(self, rules: list, **event) -> Iterable[Match]:
        """Event kinds: the rules ``event`` fires, each with its alert."""
        raise NotImplementedError(f"{self.code} is not raised by events")

    def check(self, rules: list, *, now: datetime) -> Iterable[Match]:
        """Periodic kinds: the rules firing at ``now``, each with its alert."""
        raise NotImplementedError(f"{self.code} is not checked periodically")


class SubjectKind(AlertKind):
    """An event kind about one object of its domain (a KPI item, a follow-up): every enabled
    rule of the kind covering the object's area fires, with the text of ``draft``."""

    trigger = Trigger.EVENT

    def draft(self, subject) -> AlertDraft:
        raise NotImplementedError

    def alerts(self, rules: list, *, subject) -> Iterator[Match]:
        draft = self.draft(subject)
        area_path = draft.area.path if draft.area is not None else ""
        for rule in rules:
            if rule.covers(area_path):
                yield rule, draft


def _filled(value) -> bool:
    return value not in (None, "", [], {})


_KINDS: dict[str, AlertKind] = {}


def register(kind_class: type[AlertKind]) -> type[AlertKind]:
    """Class decorator: make ``kind_class`` the handler of its code (one per code)."""
    if kind_class.code in _KINDS and type(_KINDS[kind_class.code]) is not kind_class:
        raise ValueError(f"alert kind {kind_class.code!r} is already registered")
    _KINDS[kind_class.code] = kind_class()
    return kind_class


def kind_for(code: str) -> AlertKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"no alert kind {code!r}; known: {sorted(_KINDS)}") from None


def registered() -> list[AlertKind]:
    return list(_KINDS.values())


def periodic() -> list[AlertKind]:
    return [kind for kind in _KINDS.values() if kind.trigger == Trigger.PERIODIC]
