"""Credit repair (信用修复, R10.3): the enterprise applies to end the publication of a penalty
after correcting it; someone of the penalising bureau who did not work the case decides with
reasons; a granted repair takes the penalty off the public list and may restore the credit
level. The conditions are `rules.credit_repair` over `rules/legal_data/credit_repair.json`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CreditRepairApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        GRANTED = "granted", _("准予修复")
        REFUSED = "refused", _("不予修复")

    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="repair_applications", verbose_name=_("案件")
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        related_name="repair_applications",
        verbose_name=_("企业"),
    )
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    applied_on = models.DateField(_("申请日期"))
    statement = models.TextField(_("纠正失信行为、履行义务的情况"))
    commitment = models.TextField(_("信用承诺"))
    regime = models.CharField(_("适用规定"), max_length=30)
    # The conditions as the rule found them on the application day (code → met, detail).
    conditions = models.JSONField(_("申请时的条件核对"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见（理由）"), blank=True)
    credit_level_before = models.CharField(_("修复前信用等级"), max_length=1, blank=True)
    credit_level_after = models.CharField(_("修复后信用等级"), max_length=1, blank=True)
    public_ended_on = models.DateField(_("终止公示日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="repair_one_pending_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="granted"), name="repair_granted_once"
            ),
            models.CheckConstraint(
                name="repair_decided_has_reason",
                condition=Q(status="pending")
                | (Q(decided_on__isnull=False) & ~Q(decision_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class RepairDocument(models.Model):
    application = models.ForeignKey(
        CreditRepairApplication, models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("材料类型"), max_length=20)
    file = models.FileField(_("文件"), upload_to="cases/repair/%Y/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用修复申请材料")
        verbose_name_plural = _("信用修复申请材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
