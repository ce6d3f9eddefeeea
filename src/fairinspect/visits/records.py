"""Records in visits that justify an exempt visit (R3.3): the enterprise's application for an
inspection (应企业申请) and a referral or assignment with its document (转办交办).

Models live here (imported by models.py) so models.py stays one screenful per concern.
The rectification order, the third record visits owns, is `RectificationOrder`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InspectionApplication(models.Model):
    """An enterprise's application for an inspection (应企业申请): filed by its own user with
    the reason, accepted (受理) or declined by the bureau's staff; accepted, it justifies one
    inspection of that enterprise per round (rules.exemptions)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ACCEPTED = "accepted", _("已受理")
        DECLINED = "declined", _("不予受理")

    number = models.CharField(_("申请编号"), max_length=60, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        related_name="inspection_applications",
        verbose_name=_("企业"),
    )
    reason = models.TextField(_("申请理由"))
    preferred_date = models.DateField(_("希望检查日期"), null=True, blank=True)
    submitted_on = models.DateField(_("申请日期"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decision_note = models.TextField(_("受理意见"), blank=True)
    # Goes up each time the bureau accepts the application again (rules.exemptions: one
    # inspection per round).
    round = models.PositiveSmallIntegerField(_("受理轮次"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("企业检查申请")
        verbose_name_plural = _("企业检查申请")
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"], name="application_ent_status_idx")]
        constraints = [
            models.CheckConstraint(
                name="application_status_valid",
                condition=Q(status__in=["submitted", "accepted", "declined"]),
            ),
            models.CheckConstraint(
                name="application_decided_has_decider",
                condition=Q(status="submitted")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="application_declined_has_note",
                condition=~Q(status="declined") | ~Q(decision_note=""),
            ),
            models.CheckConstraint(name="application_round_positive", condition=Q(round__gte=1)),
        ]

    def __str__(self) -> str:
        return self.number


class Referral(models.Model):
    """A referral or assignment (转办交办) with its document: who issued it, its 文号, its
    date and the file. It justifies one inspection of the enterprise it names per round."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        CLOSED = "closed", _("已办结")

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="referrals", verbose_name=_("企业")
    )
    issuing_body = models.CharField(_("交办机关"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, unique=True)
    document_date = models.DateField(_("文件日期"))
    received_on = models.DateField(_("收文日期"))
    summary = models.TextField(_("交办事项"))
    file = models.FileField(_("文件"), upload_to="visits/referrals/%Y/")
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    department = models.ForeignKey(
        "registry.Department", models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("转办交办文件")
        verbose_name_plural = _("转办交办文件")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="referral_status_valid", condition=Q(status__in=["open", "closed"])
            ),
            models.CheckConstraint(
                name="referral_received_after_document",
                condition=Q(received_on__gte=models.F("document_date")),
            ),
            models.CheckConstraint(
                name="referral_sha256_hex", condition=Q(file_sha256__regex=r"^[0-9a-f]{64}$")
            ),
            models.CheckConstraint(name="referral_round_positive", condition=Q(round__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.issuing_body} {self.document_number}"
