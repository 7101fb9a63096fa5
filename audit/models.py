"""The audit trail: append-only events, and the ledger of archive files they moved to."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain
from .choices import AuditAction, AuditOutcome

# The fields of the chain itself, left out of a row's digest.
EVENT_CHAIN_FIELDS = frozenset({"id", "seq", "digest", "prev_hash", "hash"})
ARCHIVE_CHAIN_FIELDS = frozenset({"id", "prev_hash", "hash"})


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an audit row outside the archiving service."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once and never changed or deleted from Python."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


class AuditEventQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for event in objs:
            event.prepare_link()
        if connections[self.db].vendor == "postgresql":
            return super().bulk_create(objs, *args, **kwargs)  # linked at commit
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            link_unlinked_events(self.db)
        return created


class AuditEvent(AppendOnlyModel):
    """One recorded write, sensitive read or authentication event: who, what, when, how."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No foreign key: deleting a user must never touch the trail.
    actor_id = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    actor_username = models.CharField(_("用户"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    detail = models.TextField(_("说明"), blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=500, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("请求路径"), max_length=500, blank=True)
    token_id = models.CharField(_("接口令牌"), max_length=64, null=True, blank=True)
    # The hash chain (audit.chain): position in commit order, digest of the fields above, and
    # the link to the event before. Set by the database at commit, never by the writer.
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True, editable=False)
    digest = models.CharField(_("内容摘要"), max_length=64, editable=False, db_default="")
    prev_hash = models.CharField(_("前一哈希"), max_length=64, editable=False, db_default="")
    hash = models.CharField(_("哈希"), max_length=64, editable=False, db_default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        self.prepare_link()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql":
            super().save(*args, **kwargs)  # the database links it at commit
            return
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            link_unlinked_events(using)

    def prepare_link(self) -> None:
        """Digest the fields; the link itself is made when the event is committed."""
        self.digest = self.compute_digest(self.__dict__)
        self.seq, self.prev_hash, self.hash = None, chain.GENESIS, ""

    @classmethod
    def compute_digest(cls, values) -> str:
        return chain.digest(cls, values, exclude=EVENT_CHAIN_FIELDS)


def link_unlinked_events(using: str) -> None:
    """Link the events written but not yet linked, in the order written. PostgreSQL's trigger
    does it at commit instead; SQLite, whose one writer holds the database until it commits,
    links at once."""
    if connections[using].vendor == "postgresql":
        return
    events = AuditEvent._base_manager.using(using)
    unlinked = list(events.filter(seq=None).order_by("id").values_list("id", "digest"))
    if not unlinked:
        return
    seq, head = chain_head(using)
    for event_id, digest in unlinked:
        seq, prev_hash, head = seq + 1, head, chain.link(head, digest)
        events.filter(id=event_id).update(seq=seq, prev_hash=prev_hash, hash=head)


def link_pending_events(using: str = "default") -> None:
    """Link now the events this transaction wrote, which PostgreSQL would link at commit:
    a reader of the chain in the same transaction (the archiving run, the verification, a
    test) then sees them linked."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {chain.EVENT_LINK_TRIGGER} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {chain.EVENT_LINK_TRIGGER} DEFERRED")


def chain_head(using: str) -> tuple[int, str]:
    """The newest link of the event chain, in the table or, once archived, in the ledger."""
    newest = (
        AuditEvent._base_manager.using(using)
        .exclude(seq=None)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    archived = (
        AuditArchive._base_manager.using(using)
        .exclude(last_seq=None)
        .order_by("-last_seq")
        .values_list("last_seq", "events_last_hash")
        .first()
    )
    return max([newest or (0, chain.GENESIS), archived or (0, chain.GENESIS)])


class AuditArchive(AppendOnlyModel):
    """A verified archive file holding a stretch of the event chain, removed from the table
    after; the ledger rows are a chain of their own."""

    path = models.CharField(_("文件"), max_length=500)
    first_id = models.BigIntegerField(_("起始编号"))
    last_id = models.BigIntegerField(_("结束编号"))
    first_at = models.DateTimeField(_("最早时间"))
    last_at = models.DateTimeField(_("最晚时间"))
    count = models.PositiveIntegerField(_("条数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created = models.DateTimeField(_("归档时间"), default=timezone.now)
    # The stretch of the event chain in the file (empty in ledger rows older than the chain):
    # its positions, the link before its first event and the link of its last.
    first_seq = models.BigIntegerField(_("起始链序号"), null=True, blank=True)
    last_seq = models.BigIntegerField(_("结束链序号"), null=True, blank=True)
    events_prev_hash = models.CharField(_("首条前一哈希"), max_length=64, db_default="")
    events_last_hash = models.CharField(_("末条哈希"), max_length=64, db_default="")
    prev_hash = models.CharField(_("前一哈希"), max_length=64, editable=False, db_default="")
    hash = models.CharField(_("哈希"), max_length=64, editable=False, db_default="")

    class Meta:
        verbose_name = _("审计归档")
        verbose_name_plural = _("审计归档")
        ordering = ["-last_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_id__gte=models.F("first_id")), name="audit_archive_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.last_id} ({self.count})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            lock_archiving(using)
            newest = AuditArchive._base_manager.using(using).order_by("-id").first()
            self.prev_hash = newest.hash if newest else chain.GENESIS
            self.hash = chain.link(self.prev_hash, self.compute_digest(self.__dict__))
            super().save(*args, **kwargs)

    @classmethod
    def compute_digest(cls, values) -> str:
        return chain.digest(cls, values, exclude=ARCHIVE_CHAIN_FIELDS)


def lock_archiving(using: str) -> None:
    """One archiving run (and one ledger write) at a time, until the transaction ends."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.ARCHIVE_LOCK_KEY])
