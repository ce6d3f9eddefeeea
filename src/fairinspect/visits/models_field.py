"""What the officer's phone sends (issue 12): an action made without signal waits in the
phone's outbox and is sent when the signal returns, perhaps more than once. Each carries a
nonce made on the phone; the server keeps every nonce it has acted on, so a resend is
answered with the first outcome and never counted twice (a unique constraint, not a check)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FieldAction(models.Model):
    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("确认入企")
        FINDING = "finding", _("检查结果")
        HAZARD = "hazard", _("事故隐患")
        PHOTO = "photo", _("照片或文件")
        RECORDING = "recording", _("执法记录仪")

    nonce = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    visit = models.ForeignKey("visits.Visit", models.CASCADE, related_name="field_actions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # When the phone says it was made (kept, never trusted: every time the system decides
    # on is the server's); when the server received and decided it.
    client_time = models.DateTimeField(_("手机记录时间（未核验）"), null=True, blank=True)
    received_at = models.DateTimeField(_("服务器接收时间"))
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("现场离线操作")
        verbose_name_plural = _("现场离线操作")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nonce"], name="field_action_nonce_unique"),
            models.CheckConstraint(
                name="field_action_kind_valid",
                condition=Q(kind__in=["check_in", "finding", "hazard", "photo", "recording"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.nonce}"
