"""The enterprise's own records (measures 七 and 九): its internal inspection group with its
history (R11.1), quarterly major-hazard self-checks and the hazards they found (R11.2, R11.3),
rectification reports with evidence for officers' orders and for its own hazards, and the
self-inspection report of an eligible enterprise (R10.4).

Every row carries `enterprise_id`: an enterprise user reaches only its own (access.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.selfcheck import GROUP_ROLE_LABELS

GROUP_ROLE_CHOICES = [(r.value, label) for r, label in GROUP_ROLE_LABELS.items()]


class GroupMember(models.Model):
    """A member of the internal inspection group (企业内部安全检查组), from the day they joined
    to the day they left; a member who left stays, so the group of any past day is known."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="group_members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("组内身份"), max_length=20, choices=GROUP_ROLE_CHOICES)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    certificate = models.CharField(_("注册安全工程师证书编号"), max_length=50, blank=True)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("内部安全检查组成员")
        verbose_name_plural = _("内部安全检查组成员")
        ordering = ["enterprise", "left_on", "role", "joined_on", "id"]
        indexes = [models.Index(fields=["enterprise", "left_on"], name="ent_member_current_idx")]
        constraints = [
            models.CheckConstraint(
                name="ent_member_role_valid",
                condition=Q(role__in=[c for c, _l in GROUP_ROLE_CHOICES]),
            ),
            models.CheckConstraint(
                name="ent_member_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class GroupChange(models.Model):
    """One change of the group (history row): a member joined, left, or changed role."""

    class Action(models.TextChoices):
        JOINED = "joined", _("加入")
        LEFT = "left", _("退出")

    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="+")
    member = models.ForeignKey(GroupMember, models.PROTECT, related_name="changes")
    action = models.CharField(_("变更"), max_length=10, choices=Action.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查组变更记录")
        verbose_name_plural = _("检查组变更记录")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_action_display()} {self.on}"


class SelfCheck(models.Model):
    """One quarterly check of major hazards against the industry's 判定标准 (R11.2). Filing it
    here is the report to the bureau; the report to the main person is dated."""

    number = models.CharField(_("自查编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="self_checks"
    )
    checked_on = models.DateField(_("检查日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    standard = models.CharField(_("判定标准"), max_length=40)
    standard_title = models.CharField(_("判定标准名称"), max_length=200)
    # [{"item", "clause", "text", "result": ok|hazard|na, "place", "note"}]
    answers = models.JSONField(_("逐项结论"), default=list)
    # [{"member": id, "name", "role"}]: the group members who took part, as they were
    participants = models.JSONField(_("参加人员"), default=list)
    main_person_took_part = models.BooleanField(_("主要负责人参加"), default=False)
    main_person_name = models.CharField(_("主要负责人"), max_length=50, blank=True)
    reported_to_main_person_on = models.DateField(_("报告主要负责人日期"), null=True, blank=True)
    summary = models.TextField(_("检查情况"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("报告应急管理部门时间"))

    class Meta:
        verbose_name = _("重大事故隐患自查")
        verbose_name_plural = _("重大事故隐患自查")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "year"], name="ent_selfcheck_year_idx")]
        constraints = [
            models.CheckConstraint(
                name="ent_selfcheck_quarter_range", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SelfReportedHazard(models.Model):
    """A major hazard the enterprise's own check found and reported (R11.3): it opens a
    rectification track (deadline, reports with evidence) until the bureau closes it."""

    class Status(models.TextChoices):
        RECTIFYING = "rectifying", _("整改中")
        RECTIFIED = "rectified", _("已整改销号")

    number = models.CharField(_("自报编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="self_reported_hazards"
    )
    self_check = models.ForeignKey(SelfCheck, models.PROTECT, related_name="hazards")
    standard_item = models.CharField(_("判定标准条款"), max_length=40)
    standard_text = models.TextField(_("条款内容"), blank=True)
    item_code = models.CharField(_("检查事项编码"), max_length=30)
    place = models.CharField(_("部位"), max_length=200)
    description = models.TextField(_("隐患情况"))
    measures = models.TextField(_("整改措施"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.RECTIFYING
    )
    reported_at = models.DateTimeField(_("报告时间"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("企业自报重大事故隐患")
        verbose_name_plural = _("企业自报重大事故隐患")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"], name="ent_selfhazard_status_idx")]
        constraints = [
            models.CheckConstraint(
                name="ent_selfhazard_status_valid",
                condition=Q(status__in=["rectifying", "rectified"]),
            ),
            models.CheckConstraint(
                name="ent_selfhazard_closed_has_time",
                condition=~Q(status="rectified") | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RectificationReport(models.Model):
    """The enterprise reports a rectification, with evidence: for an officer's order (the
    follow-up reviews it) or for a hazard it reported itself (the bureau closes it)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("整改属实")
        INSUFFICIENT = "insufficient", _("整改不到位")

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="rectification_reports"
    )
    order = models.ForeignKey(
        "visits.RectificationOrder",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise_reports",
    )
    self_hazard = models.ForeignKey(
        SelfReportedHazard, models.PROTECT, null=True, blank=True, related_name="reports"
    )
    description = models.TextField(_("整改情况"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"))
    review = models.CharField(
        _("审核"), max_length=12, choices=Review.choices, default=Review.PENDING
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("整改情况报告")
        verbose_name_plural = _("整改情况报告")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="ent_report_one_subject",
                condition=(Q(order__isnull=False) & Q(self_hazard__isnull=True))
                | (Q(order__isnull=True) & Q(self_hazard__isnull=False)),
            ),
            models.CheckConstraint(
                name="ent_report_reviewed_complete",
                condition=Q(review="pending")
                | (Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"整改报告 {self.pk}"


class Evidence(models.Model):
    """A photo or document of a rectification report; SHA-256 computed by the server."""

    report = models.ForeignKey(RectificationReport, models.CASCADE, related_name="evidence")
    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="+")
    file = models.FileField(upload_to="enterprise/evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改证明材料")
        verbose_name_plural = _("整改证明材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="ent_evidence_sha256_hex", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class SelfInspection(models.Model):
    """企业自我检查 (R10.4): an eligible enterprise's self-inspection report for a year; once the
    bureau accepts it, it stands in for that year's routine planned visits (the draw excludes
    the enterprise)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已认可")
        RETURNED = "returned", _("退回")

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="self_inspections"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    report = models.TextField(_("自我检查报告"))
    # The eligibility decision when filed: {"eligible", "reasons": [{code, message}], "on"}
    eligibility = models.JSONField(_("资格判断"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("企业自我检查报告")
        verbose_name_plural = _("企业自我检查报告")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                condition=~Q(status="returned"),
                name="ent_selfinspection_one_live_per_year",
            ),
            models.CheckConstraint(
                name="ent_selfinspection_returned_has_note",
                condition=~Q(status="returned") | ~Q(decision_note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"
