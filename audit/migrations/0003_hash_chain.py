"""The audit trail becomes a hash chain (audit.chain): events and archive ledger rows carry a
digest of their fields and a link to the row before; the rows already written are linked in
the order of their ids.

On PostgreSQL the triggers change with it:
- an event is linked at commit by a deferred constraint trigger: the chain lock is taken only
  as the transaction commits, after all its work, so no writer holds it while it waits for a
  row another writer holds (were it taken at insert, two writers recording events and locking
  rows in opposite orders would deadlock). A transaction whose snapshot is older than the
  newest link (REPEATABLE READ) fails on the unique position rather than forking the chain.
  Whatever chain fields a writer sends are blanked first;
- an event may be updated only by that link, once; never otherwise;
- an event may be deleted only inside the archiving service's transaction (which sets
  ``safecity.audit_archiving``) and only when an archive ledger row covers its position in
  the chain: a ledger row forged with SQL no longer unlocks a plain DELETE. Who bypasses the
  triggers altogether is caught by ``audit_verify``, which walks the chains and the files.
"""

from django.db import migrations, models

from audit import chain

BATCH = 5000
EVENT_CHAIN_FIELDS = frozenset({"id", "seq", "digest", "prev_hash", "hash"})
ARCHIVE_CHAIN_FIELDS = frozenset({"id", "prev_hash", "hash"})

# The ledger's own guard goes too while its rows are linked, and comes back unchanged.
ARCHIVE_GUARD = """
CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON {archive}
    FOR EACH ROW EXECUTE FUNCTION audit_archive_guard();
"""

DROP_OLD = """
DROP TRIGGER IF EXISTS audit_event_append_only ON {event};
DROP TRIGGER IF EXISTS audit_archive_append_only ON {archive};
DROP FUNCTION IF EXISTS audit_event_guard();
"""

CREATE_OLD = """
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
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {event}
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
""" + ARCHIVE_GUARD

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.seq := NULL;
    NEW.prev_hash := '';
    NEW.hash := '';
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION audit_event_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint := 0;
    head_hash text := '';
    archived_seq bigint;
    archived_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({chain_lock});
    SELECT seq, hash INTO head_seq, head_hash FROM {event}
        WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        head_seq := 0;
        head_hash := '';
    END IF;
    SELECT last_seq, events_last_hash INTO archived_seq, archived_hash FROM {archive}
        WHERE last_seq IS NOT NULL ORDER BY last_seq DESC LIMIT 1;
    IF FOUND AND archived_seq > head_seq THEN
        head_seq := archived_seq;
        head_hash := archived_hash;
    END IF;
    UPDATE {event}
        SET seq = head_seq + 1,
            prev_hash = head_hash,
            hash = encode(sha256(convert_to(head_hash || NEW.digest, 'UTF8')), 'hex')
        WHERE id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND OLD.hash = '' AND NEW.seq IS NOT NULL
            AND to_jsonb(NEW) - '{{seq,prev_hash,hash}}'::text[]
                = to_jsonb(OLD) - '{{seq,prev_hash,hash}}'::text[] THEN
            RETURN NEW;  -- the link made at commit
        END IF;
        RAISE EXCEPTION 'audit events are append-only: UPDATE of event % refused', OLD.id;
    END IF;
    IF current_setting('{archiving}', true) IS DISTINCT FROM 'on' OR NOT EXISTS (
        SELECT 1 FROM {archive}
        WHERE OLD.seq BETWEEN first_seq AND last_seq AND OLD.at <= last_at
    ) THEN
        RAISE EXCEPTION
            'audit event % is not archived: DELETE refused outside the archiving service',
            OLD.id;
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER audit_event_unlinked BEFORE INSERT ON {event}
    FOR EACH ROW EXECUTE FUNCTION audit_event_unlinked();
CREATE CONSTRAINT TRIGGER {link_trigger} AFTER INSERT ON {event}
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_event_link();
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {event}
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
""" + ARCHIVE_GUARD

DROP = """
DROP TRIGGER IF EXISTS audit_archive_append_only ON {archive};
DROP TRIGGER IF EXISTS audit_event_unlinked ON {event};
DROP TRIGGER IF EXISTS {link_trigger} ON {event};
DROP TRIGGER IF EXISTS audit_event_append_only ON {event};
DROP FUNCTION IF EXISTS audit_event_unlinked();
DROP FUNCTION IF EXISTS audit_event_link();
DROP FUNCTION IF EXISTS audit_event_guard();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        statements = sql.format(
            event=quote(apps.get_model("audit", "AuditEvent")._meta.db_table),
            archive=quote(apps.get_model("audit", "AuditArchive")._meta.db_table),
            chain_lock=chain.EVENT_CHAIN_LOCK_KEY,
            archiving=chain.ARCHIVING_SETTING,
            link_trigger=chain.EVENT_LINK_TRIGGER,
        )
        # Without parameters, so the driver leaves RAISE's own % placeholders alone.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(statements)

    return run


def link_existing_rows(apps, schema_editor):
    """The ledger rows, then the events, each chain in id order."""
    db = schema_editor.connection.alias
    Archive = apps.get_model("audit", "AuditArchive")
    Event = apps.get_model("audit", "AuditEvent")
    head = chain.GENESIS
    for row in Archive.objects.using(db).order_by("id").values():
        prev_hash = head
        head = chain.link(prev_hash, chain.digest(Archive, row, exclude=ARCHIVE_CHAIN_FIELDS))
        Archive.objects.using(db).filter(id=row["id"]).update(prev_hash=prev_hash, hash=head)
    seq, head, last_id = 0, chain.GENESIS, 0
    table = schema_editor.quote_name(Event._meta.db_table)
    while True:
        rows = list(Event.objects.using(db).filter(id__gt=last_id).order_by("id").values()[:BATCH])
        if not rows:
            break
        linked = []
        for row in rows:
            digest = chain.digest(Event, row, exclude=EVENT_CHAIN_FIELDS)
            seq, prev_hash, head = seq + 1, head, chain.link(head, digest)
            linked.append((seq, digest, prev_hash, head, row["id"]))
        _update_links(schema_editor.connection, table, linked)
        last_id = rows[-1]["id"]


def _update_links(connection, table: str, linked: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, digest = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                linked,
            )
            return
        # One statement a batch: an upgrade of millions of events takes minutes, not hours.
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(linked))
        cursor.execute(
            f"UPDATE {table} AS event SET seq = link.seq, digest = link.digest, "
            "prev_hash = link.prev_hash, hash = link.hash "
            f"FROM (VALUES {values}) AS link (seq, digest, prev_hash, hash, id) "
            "WHERE event.id = link.id",
            [value for row in linked for value in row],
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(_run(DROP_OLD), _run(CREATE_OLD)),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "新建"), ("update", "修改"), ("delete", "删除"),
                    ("transition", "状态变更"), ("bulk_ingest", "批量导入"), ("view", "查看"),
                    ("view_personal_data", "查看个人信息"), ("export", "导出"),
                    ("bulk_read", "批量读取"), ("login", "登录"), ("logout", "退出登录"),
                    ("login_failed", "登录失败"), ("locked_out", "账号锁定"),
                    ("otp_failed", "动态口令验证失败"), ("denied", "拒绝访问"),
                    ("write", "写请求"), ("token_create", "创建令牌"),
                    ("token_revoke", "吊销令牌"), ("archive", "归档"),
                ],
                max_length=32,
                verbose_name="操作",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(
                blank=True, editable=False, null=True, unique=True, verbose_name="链序号"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(
                db_default="", editable=False,
                max_length=64, verbose_name="内容摘要",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                db_default="", editable=False,
                max_length=64, verbose_name="前一哈希",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                db_default="", editable=False,
                max_length=64, verbose_name="哈希",
            ),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="first_seq",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="起始链序号"),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="last_seq",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="结束链序号"),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="events_prev_hash",
            field=models.CharField(
                db_default="", max_length=64,
                verbose_name="首条前一哈希",
            ),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="events_last_hash",
            field=models.CharField(
                db_default="", max_length=64,
                verbose_name="末条哈希",
            ),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="prev_hash",
            field=models.CharField(
                db_default="", editable=False,
                max_length=64, verbose_name="前一哈希",
            ),
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="hash",
            field=models.CharField(
                db_default="", editable=False,
                max_length=64, verbose_name="哈希",
            ),
        ),
        migrations.RunPython(link_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
