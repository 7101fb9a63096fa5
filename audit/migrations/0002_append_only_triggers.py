"""On PostgreSQL the audit tables refuse changes in the database itself, whoever connects:
no UPDATE of an event or of the archive ledger, no DELETE from the ledger, and DELETE of an
event only when an archive ledger row covers it (its id in the range, its time not after the
newest archived), i.e. after audit.services.audit_archive wrote and verified its file.

TRUNCATE fires no row trigger: Django's test flush still empties the tables.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit events are append-only: UPDATE of event % refused', OLD.id;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM {archive}
        WHERE OLD.id BETWEEN first_id AND last_id AND OLD.at <= last_at
    ) THEN
        RAISE EXCEPTION 'audit event % is not archived: DELETE refused', OLD.id;
    END IF;
    RETURN OLD;
END;
$$;

CREATE OR REPLACE FUNCTION audit_archive_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit archive ledger is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {event}
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON {archive}
    FOR EACH ROW EXECUTE FUNCTION audit_archive_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON {event};
DROP TRIGGER IF EXISTS audit_archive_append_only ON {archive};
DROP FUNCTION IF EXISTS audit_event_guard();
DROP FUNCTION IF EXISTS audit_archive_guard();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        statements = sql.format(
            event=quote(apps.get_model("audit", "AuditEvent")._meta.db_table),
            archive=quote(apps.get_model("audit", "AuditArchive")._meta.db_table),
        )
        # Without parameters, so the driver leaves RAISE's own % placeholders alone.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(statements)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
