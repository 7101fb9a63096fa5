"""The audit trail as hash chains: each row's digest of its own fields, and a link tying it to
the row before (``hash = sha256(prev_hash + digest)``), so that a row edited, removed or put
out of order shows when the chain is walked (``python manage.py audit_verify``).

Events are linked in commit order: on PostgreSQL by a trigger deferred to commit (see the
migration ``0003_hash_chain``), which takes the chain lock only as the transaction commits,
so writers do not queue behind one another while their transactions run; SQLite has one
writer at a time and links an event as it is written. Archive ledger rows are linked as they
are written, under the archiving lock.

The digest is of the values as the database gives them back, so that it can be recomputed
from a row read later, or from a line of an archive file.
"""

import hashlib
import ipaddress
import json
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# The prev_hash of the first link of a chain.
GENESIS = ""
# Any constants: one archiving run at a time; one event link at a time.
ARCHIVE_LOCK_KEY = 0x5AFEC17A
EVENT_CHAIN_LOCK_KEY = 0x5AFEC17B
# The session setting the archiving service turns on, inside its transaction only, for the
# database trigger that refuses to delete events otherwise.
ARCHIVING_SETTING = "safecity.audit_archiving"
# The name of the PostgreSQL trigger that links events at commit.
EVENT_LINK_TRIGGER = "audit_event_link"


def canonical(model: type[models.Model], values, *, exclude) -> bytes:
    """The row's fields (``attname → value``, from an instance's ``__dict__`` or ``values()``)
    as compact JSON with sorted keys, each value in one form whatever produced it. Empty
    values (None, "") are left out, so that a field added later leaves the digests of the
    rows written before it as they were."""
    fields = {}
    for field in model._meta.concrete_fields:
        if field.attname in exclude:
            continue
        value = _canonical_value(field, values.get(field.attname))
        if value is not None and value != "":
            fields[field.attname] = value
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(model: type[models.Model], values, *, exclude) -> str:
    return hashlib.sha256(canonical(model, values, exclude=exclude)).hexdigest()


def link(prev_hash: str, row_digest: str) -> str:
    """The link hash; the PostgreSQL trigger computes the same
    (``encode(sha256(convert_to(prev_hash || digest, 'UTF8')), 'hex')``)."""
    return hashlib.sha256((prev_hash + row_digest).encode()).hexdigest()


def _canonical_value(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        if isinstance(value, str):  # a line of an archive file
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.JSONField):
        # As stored: through the field's encoder, then read back.
        stored = json.loads(json.dumps(value, cls=field.encoder or DjangoJSONEncoder))
        return _canonical_json(stored)
    if isinstance(field, models.GenericIPAddressField):
        return str(ipaddress.ip_address(str(value).split("/")[0])) if value else None
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.IntegerField | models.AutoField):
        return int(value)
    return str(value)


def _canonical_json(value):
    """JSON numbers as PostgreSQL's jsonb gives them back: a float with an integral value
    (1.0, 1e16) comes back as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical_json(item) for item in value]
    return value
