"""Complaints and reports (投诉举报, R8.1) and the conduct cases they open.

The state machine and the deadlines are the pure rule `rules/complaints.py`; these tables keep
what happened. The complainant's identity lives in its own columns that only
`access.can_see_identity` lets a page or the API read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.complaints import SATISFACTION_LABELS, STATE_LABELS

STATE_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]
SATISFACTION_CHOICES = [(s.value, label) for s, label in SATISFACTION_LABELS.items()]


class Complaint(models.Model):
    class Channel(models.TextChoices):
        PUBLIC_FORM = "public_form", _("网上投诉举报")
        ENTERPRISE = "enterprise", _("企业页面")
        HOTLINE = "hotline_12345", _("12345热线工单")
        REFERRAL = "referral", _("转办交办")
        VISIT = "visit", _("来信来访")

    class Subject(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业安全生产问题")
        OFFICER = "officer", _("执法人员执法行为")
        SERVICE = "service", _("本局政务服务")

    class Category(models.TextChoices):
        HAZARD = "hazard", _("事故隐患")
        ILLEGAL = "illegal_operation", _("非法违法生产经营")
        ACCIDENT = "accident_concealed", _("瞒报谎报事故")
        CONDUCT = "officer_conduct", _("执法作风和纪律")
        DISGUISED = "disguised_inspection", _("乱检查、变相检查")
        SERVICE = "service", _("服务态度和效率")
        OTHER = "other", _("其他")

    number = models.CharField(_("查询编号"), max_length=20, unique=True)
    access_code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    work_order_number = models.CharField(_("12345工单号"), max_length=40, blank=True)
    referral_from = models.CharField(_("转办单位"), max_length=100, blank=True)
    referral_document = models.CharField(_("转办文号"), max_length=60, blank=True)
    subject = models.CharField(_("投诉对象"), max_length=12, choices=Subject.choices)
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("被投诉企业"),
    )
    subject_text = models.CharField(_("投诉对象（原文）"), max_length=200, blank=True)
    officer = models.ForeignKey(
        "registry.Officer",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("被投诉执法人员"),
    )
    # The unit complained about (the officer's department, or the unit whose service it is).
    complained_unit = models.ForeignKey(
        "registry.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被投诉单位"),
    )
    content = models.TextField(_("投诉举报内容"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    complainant_name = models.CharField(_("投诉人姓名"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("投诉人电话"), max_length=20, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=STATE_CHOICES, default="received")
    received_on = models.DateField(_("接收日期"))
    received_at = models.DateTimeField(_("接收时间"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    handling_unit = models.ForeignKey(
        "registry.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办单位"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办人"),
    )
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    verification = models.TextField(_("核查情况"), blank=True)
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    substantiated = models.BooleanField(_("情况属实"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    handled_on = models.DateField(_("办结日期"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=SATISFACTION_CHOICES, blank=True
    )
    satisfaction_note = models.TextField(_("评价意见"), blank=True)
    closed_on = models.DateField(_("办结归档日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("并入"),
    )
    # The nearest pending deadline (indexed): what the overdue flag and detection read.
    next_due = models.DateField(_("当前期限"), null=True, blank=True)
    next_due_step = models.CharField(_("当前期限环节"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_due"], name="complaint_state_due_idx"),
            models.Index(fields=["enterprise", "received_on"], name="complaint_ent_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order_number"],
                condition=~Q(work_order_number=""),
                name="complaint_work_order_unique",
            ),
            models.CheckConstraint(
                name="complaint_state_valid", condition=Q(state__in=list(STATE_LABELS))
            ),
            models.CheckConstraint(
                name="complaint_hotline_has_work_order",
                condition=~Q(channel="hotline_12345") | ~Q(work_order_number=""),
            ),
            models.CheckConstraint(
                name="complaint_anonymous_has_no_identity",
                condition=Q(anonymous=False) | Q(complainant_name="", complainant_phone=""),
            ),
            models.CheckConstraint(
                name="complaint_refused_has_reason",
                condition=~Q(state="refused") | ~Q(refusal_reason=""),
            ),
            models.CheckConstraint(
                name="complaint_merged_has_target",
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
            ),
            models.CheckConstraint(
                name="complaint_accepted_has_date",
                condition=Q(state__in=["received", "refused", "merged"])
                | Q(accepted_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintAttachment(models.Model):
    """A file the complainant sent: PDF, JPEG or PNG read from its bytes, at most 10 MB."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="supervision/complaints/%Y/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=50)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ComplaintStep(models.Model):
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="steps")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on = models.DateField()
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"


class ConductCase(models.Model):
    """A supervision case about an officer's conduct (执法监督案件): opened from an accepted
    complaint or a case-file review finding, closed, or handed to the discipline body (移送)."""

    class Status(models.TextChoices):
        OPEN = "open", _("核查中")
        TRANSFERRED = "transferred", _("已移送纪检监察")
        CLOSED = "closed", _("已结案")

    officer = models.ForeignKey(
        "registry.Officer", models.PROTECT, null=True, blank=True, related_name="conduct_cases"
    )
    department = models.ForeignKey(
        "registry.Department", models.PROTECT, null=True, blank=True, related_name="+"
    )
    complaint = models.OneToOneField(
        Complaint, models.PROTECT, null=True, blank=True, related_name="conduct_case"
    )
    review_finding = models.OneToOneField(
        "supervision.ReviewFinding",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="conduct_case",
    )
    summary = models.TextField(_("问题摘要"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="open")
    opened_on = models.DateField(_("立案日期"))
    findings = models.TextField(_("核查结论"), blank=True)
    transferred_to = models.CharField(_("移送机关"), max_length=100, blank=True)
    transfer_document = models.CharField(_("移送文号"), max_length=60, blank=True)
    transferred_on = models.DateField(_("移送日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closing_note = models.TextField(_("结案说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("执法监督案件")
        verbose_name_plural = _("执法监督案件")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="conduct_transfer_recorded",
                condition=~Q(status="transferred")
                | (
                    ~Q(transferred_to="")
                    & ~Q(transfer_document="")
                    & Q(transferred_on__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="conduct_closed_has_note",
                condition=~Q(status="closed") | (~Q(closing_note="") & Q(closed_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"监督案件 {self.pk}"
