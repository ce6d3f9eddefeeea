"""The audit trail: chains of events, one chain per partition, and signed checkpoints.

A partition is one bureau on one day (`Chain.key` = "<bureau code>/<YYYY-MM-DD>", "-" when
no bureau can be derived). Each chain is its own SHA-256 chain; writers of different
partitions never wait for each other. Checkpoints sign the heads of the chains with a key
kept outside the database, which ties the chains together and makes deleting the newest
events detectable.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Chain(models.Model):
    """The head of one partition's chain. Appending locks this row (SELECT ... FOR UPDATE);
    `length` and `head` are what the next event links to."""

    key = models.CharField(_("链"), max_length=40, unique=True)
    bureau = models.CharField(_("局"), max_length=20)
    day = models.DateField(_("日期"))
    length = models.PositiveBigIntegerField(_("记录数"), default=0)
    head = models.CharField(_("链头哈希"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), db_index=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")
        ordering = ["day", "bureau"]
        indexes = [models.Index(fields=["day"], name="audit_chain_day_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


class AuditEvent(models.Model):
    """One change to a record, chained by SHA-256 to the one before in its chain.

    The hash covers the chain and position, when, who (id and name), what (action, object,
    summary, data) and the digest of the record's state as saved (`state`), so editing an
    event, changing its actor, deleting one or editing the record behind the services' back
    are all found by `audit-verify`.
    """

    chain = models.ForeignKey(Chain, models.PROTECT, related_name="events", verbose_name=_("链"))
    seq = models.PositiveBigIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"), db_index=True)
    # No database constraint and nothing on delete: the id is part of the hash, so it must
    # stay as recorded even when the user is removed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=50)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象"), max_length=64)
    summary = models.CharField(_("摘要"), max_length=300)
    data = models.JSONField(_("内容"), default=dict)
    # The record's stored fields after the change (None: no record, or it was deleted) and
    # their digest; `state_digest` is empty when the event is not about a stored record.
    state = models.JSONField(_("记录状态"), null=True, blank=True)
    state_digest = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_uniq"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_event_object_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} "
            f"{self.object_type}:{self.object_id}"
        )


class Checkpoint(models.Model):
    """A signed statement of the chains' heads at one moment (HMAC-SHA256, key outside the
    database). Checkpoints are numbered and each signs the previous one's MAC; they are
    published on the public site so a copy exists outside the database."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    heads = models.JSONField(_("链头"), default=list)  # [[chain key, length, head hash], ...]
    chains_total = models.PositiveBigIntegerField(_("链数"))
    events_total = models.PositiveBigIntegerField(_("记录总数"))
    prev_mac = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(_("密钥标识"), max_length=12)
    mac = models.CharField(_("签名"), max_length=64)

    class Meta:
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.events_total}"
