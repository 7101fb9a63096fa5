"""What an ingest answers (created, updated, unchanged, rejected rows with their problems) and
the audit trail it leaves."""

from dataclasses import dataclass, field

from audit.services import audit_record

from ..models import Incident

# The longest bad value a rejection repeats (a summary may hold 10,000 characters).
REJECTED_VALUE_LENGTH = 200
# A call with more rows than this is recorded as one bulk event; updates are always itemised.
AUDIT_ITEMISED_CREATES = 100
AUDIT_MAX_LISTED_REFS = 10_000


@dataclass
class Rejection:
    """A problem with one row of an ingest, by its number in the caller's input, with the
    value the row held in that field (as text; empty when it held none)."""

    row: int
    field: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message, "value": self.value}


def rejected_value(row, field: str) -> str:
    """The value ``row`` holds in ``field``, as text for a report."""
    value = row.get(field) if isinstance(row, dict) else None
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:REJECTED_VALUE_LENGTH]


@dataclass
class IngestReport:
    """Counts of what an ingest did with its rows, and why it refused the ones it refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Rejection] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    # For the audit trail: references of created rows, before → after of updated ones.
    created_refs: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[Incident, dict]] = field(default_factory=list)
    # The row number of each accepted row's (source system, reference), to reject it later.
    row_of: dict[tuple[str, str], int] = field(default_factory=dict)

    def merge(self, other: "IngestReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.errors.extend(other.errors)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
        }


def audit_ingest(report: IngestReport) -> None:
    """Record an ingest's writes in the audit trail: each update with its changes; creates one
    by one when few, else as one bulk event listing their references."""
    for incident, changes in report.changes:
        audit_record(action="update", obj=incident, changes=changes)
    if report.created and len(report.created_refs) <= AUDIT_ITEMISED_CREATES:
        created = {(i.source_system, i.source_ref): i for i in report.incidents}
        for system, ref in report.created_refs:
            incident = created.get((system, ref))
            audit_record(
                action="create",
                obj=incident,
                object_type="incidents.incident",
                object_id="" if incident else f"{system}:{ref}",
                object_repr=f"{system}:{ref}",
            )
    elif report.created:
        refs = report.created_refs
        audit_record(
            action="bulk_ingest",
            object_type="incidents.incident",
            detail=(
                f"created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, rejected {report.rejected}"
            ),
            changes={
                "created": [f"{system}:{ref}" for system, ref in refs[:AUDIT_MAX_LISTED_REFS]],
                "created_listed": min(len(refs), AUDIT_MAX_LISTED_REFS),
            },
        )
