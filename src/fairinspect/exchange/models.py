"""Each file set sent out of the system (R6.5, R8.2): what it covered and its checksums, so
the next incremental export starts where this one ended and a receiver can check what it got."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ExportRun(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("全国行政执法监督信息系统")
        CREDIT_CHINA = "credit_china", _("信用中国行政处罚")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    since = models.DateTimeField(_("起始时间（含）"))
    until = models.DateTimeField(_("截止时间（不含）"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manifest = models.JSONField(_("清单"))
    manifest_sha256 = models.CharField(_("清单 SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("数据导出")
        verbose_name_plural = _("数据导出")
        ordering = ["-until", "-id"]
        constraints = [
            models.CheckConstraint(
                name="exportrun_window_forward", condition=Q(until__gt=F("since"))
            ),
        ]
        indexes = [models.Index(fields=["kind", "-until"], name="exportrun_kind_until")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.since:%Y-%m-%d}–{self.until:%Y-%m-%d}"
