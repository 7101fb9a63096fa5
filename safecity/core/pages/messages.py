"""Errors of a page's filters, as the page shows them: each parameter by its label, and each
message in the page's language. The shared validators (the statistics parameters, the FilterSets)
answer the API in English where they were written so; the page looks such a message up in the
catalogue (locale/zh_Hans), as the forms do with the services' refusals."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True)
class ShownError:
    """One parameter's error on a page: ``label: text``."""

    label: str
    text: str

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"


def _messages(detail) -> Iterable:
    if isinstance(detail, str) or not isinstance(detail, Iterable):
        return [detail]
    return detail


def shown_errors(errors: Mapping, labels: Mapping | None = None) -> dict[str, ShownError]:
    """``errors`` (parameter → message or messages) keyed as they were, each shown with the
    parameter's label from ``labels`` (its name when it has none) in the active language."""
    labels = labels or {}
    return {
        name: ShownError(
            label=str(labels.get(name, name)),
            text=" ".join(gettext(str(message)) for message in _messages(detail)),
        )
        for name, detail in errors.items()
    }


def filter_labels(filterset_class) -> dict:
    """A FilterSet's parameters by their labels (those it sets)."""
    return {name: f.label for name, f in filterset_class.base_filters.items() if f.label}
