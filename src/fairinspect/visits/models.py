"""Inspections (扫码入企): annual caps, visits with their plan, check-in and check-out,
recordings, findings, hazards, rectification orders, follow-ups and the enterprise's rating.

Names here are stable: planning (annual plans, random draws, merged visits) builds on them.
Invariants are database constraints with explicit names.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.caps import (
    DEFAULT_2025,
    EXEMPT_TRIGGERS,
    JUSTIFICATION_LABELS,
    MAX_CAP,
    TRIGGER_LABELS,
)

if TYPE_CHECKING:
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.registry.models import Officer

TRIGGER_CHOICES = [(t.value, label) for t, label in TRIGGER_LABELS.items()]
JUSTIFICATION_CHOICES = [(k.value, label) for k, label in JUSTIFICATION_LABELS.items()]
EXEMPT_TRIGGER_VALUES = sorted(t.value for t in EXEMPT_TRIGGERS)
CAP_FIELDS = (
    "high_risk_grade_1",
    "high_risk_grade_2",
    "high_risk_grade_3",
    "high_risk_ungraded",
    "non_high_risk_grade_1",
    "non_high_risk_grade_2",
    "non_high_risk_grade_3",
    "non_high_risk_ungraded",
)


class CapTableSetting(models.Model):
    """One policy year's caps (R3.2). Without a row for a year, DEFAULT_2025 applies."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("依据来源"), max_length=300, default=DEFAULT_2025.source)
    high_risk_grade_1 = models.PositiveSmallIntegerField(_("高危·标准化一级"), default=2)
    high_risk_grade_2 = models.PositiveSmallIntegerField(_("高危·标准化二级"), default=4)
    high_risk_grade_3 = models.PositiveSmallIntegerField(_("高危·标准化三级"), default=8)
    high_risk_ungraded = models.PositiveSmallIntegerField(_("高危·未定级"), default=12)
    non_high_risk_grade_1 = models.PositiveSmallIntegerField(_("非高危·标准化一级"), default=1)
    non_high_risk_grade_2 = models.PositiveSmallIntegerField(_("非高危·标准化二级"), default=1)
    non_high_risk_grade_3 = models.PositiveSmallIntegerField(_("非高危·标准化三级"), default=3)
    non_high_risk_ungraded = models.PositiveSmallIntegerField(_("非高危·未定级"), default=5)
    exempt_consumes_cap = models.BooleanField(
        _("不受限检查占用频次"),
        default=False,
        help_text=_("默认否：投诉举报、整改复查等检查不受频次上限限制，也不占用年度频次。"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度现场检查频次上限")
        verbose_name_plural = _("年度现场检查频次上限")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="captable_year_range", condition=Q(year__gte=2000, year__lte=2100)
            ),
            *[
                models.CheckConstraint(
                    name=f"captable_{f}_max", condition=Q(**{f"{f}__lte": MAX_CAP})
                )
                for f in CAP_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.year}年度频次上限"


class Visit(models.Model):
    """One inspection of one enterprise, from plan to follow-up."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("现场检查")
        OFF_SITE = "off_site", _("非现场检查")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        PLAN_SUBMITTED = "plan_submitted", _("方案待审批")
        APPROVED = "approved", _("方案已批准")
        IN_PROGRESS = "in_progress", _("检查中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        DISTRICT = "district", _("区（县）级")

    class FollowUpResult(models.TextChoices):
        RECTIFIED = "rectified", _("已整改")
        NOT_RECTIFIED = "not_rectified", _("未按期整改")

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="visits", verbose_name=_("企业")
    )
    kind = models.CharField(_("检查方式"), max_length=10, choices=Kind.choices)
    trigger = models.CharField(_("检查来源"), max_length=20, choices=TRIGGER_CHOICES)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    planned_date = models.DateField(_("计划检查日期"))
    department = models.ForeignKey(
        "registry.Department", models.PROTECT, related_name="visits", verbose_name=_("检查单位")
    )
    inspecting_level = models.CharField(_("执法层级"), max_length=10, choices=Level.choices)
    items: models.ManyToManyField[InspectionItem, VisitItem] = models.ManyToManyField(
        "catalog.InspectionItem",
        through="VisitItem",
        related_name="visits",
        verbose_name=_("检查事项"),
    )
    officers: models.ManyToManyField[Officer, VisitOfficer] = models.ManyToManyField(
        "registry.Officer",
        through="VisitOfficer",
        related_name="visits",
        verbose_name=_("执法人员"),
    )
    experts = models.ManyToManyField(
        "registry.Expert", blank=True, related_name="visits", verbose_name=_("技术支持专家")
    )
    justification_kind = models.CharField(
        _("依据类型"), max_length=24, choices=JUSTIFICATION_CHOICES, blank=True
    )
    justification_reference = models.CharField(_("依据编号"), max_length=100, blank=True)
    justification_date = models.DateField(_("依据日期"), null=True, blank=True)
    justification_summary = models.TextField(_("依据摘要"), blank=True)
    # Set when the reference was checked against the record it names (R3.3): which round of
    # that record this visit used and the enterprise the record is about.
    justification_round = models.PositiveSmallIntegerField(_("依据轮次"), null=True, blank=True)
    justification_enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依据涉及的企业"),
    )
    justification_attachment = models.FileField(
        _("依据附件"), upload_to="visits/justifications/%Y/", blank=True
    )
    # R8.6: what the entry is called (观摩, 督导 …: visits/data/entry_kinds.json). Whatever the
    # name, it is an on-site inspection with the same plan, officers, check-in and cap.
    entry_kind = models.CharField(_("进入企业的名义"), max_length=20, default="inspection")
    # Visits with the same merge group on the same day are one trip (综合查一次): counted once.
    merge_group = models.CharField(_("合并检查组"), max_length=64, null=True, blank=True)
    joint_departments = models.ManyToManyField(
        "registry.Department",
        blank=True,
        related_name="joint_visits",
        verbose_name=_("联合检查单位"),
    )
    parent_visit = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("复查的原检查"),
    )
    follow_up_order = models.ForeignKey(
        "RectificationOrder",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("复查的整改指令"),
    )
    follow_up_result = models.CharField(
        _("复查结论"), max_length=16, choices=FollowUpResult.choices, blank=True
    )
    follow_up_notes = models.TextField(_("复查意见"), blank=True)
    checked_in_at = models.DateTimeField(_("入企时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("离企时间"), null=True, blank=True)
    checkin_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_accuracy = models.FloatField(null=True, blank=True)
    # Set at check-out: an on-site visit that ended without any recording (R6.3).
    missing_recording = models.BooleanField(_("无执法记录"), default=False)
    summary = models.TextField(_("检查情况"), blank=True)
    # 文号 of the 现场检查记录 and (for a follow-up) the 整改复查意见书, given when first issued.
    record_number = models.CharField(_("检查记录文号"), max_length=60, blank=True)
    review_number = models.CharField(_("复查意见书文号"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-planned_date", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "planned_date"], name="visit_enterprise_date_idx"),
            models.Index(fields=["status", "planned_date"], name="visit_status_date_idx"),
            models.Index(fields=["department", "planned_date"], name="visit_dept_date_idx"),
            # The dashboard's "checked in today / this week" (issue 13).
            models.Index(fields=["checked_in_at"], name="visit_checked_in_at_idx"),
            # The visit lists' keyset order (-planned_date, -id), read backwards (issue 13).
            models.Index(fields=["planned_date", "id"], name="visit_planned_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="visit_kind_valid", condition=Q(kind__in=["on_site", "off_site"])
            ),
            models.CheckConstraint(
                name="visit_trigger_valid",
                condition=Q(trigger__in=[c for c, _l in TRIGGER_CHOICES]),
            ),
            models.CheckConstraint(
                name="visit_status_valid",
                condition=Q(
                    status__in=[
                        "draft",
                        "plan_submitted",
                        "approved",
                        "in_progress",
                        "done",
                        "cancelled",
                    ]
                ),
            ),
            # R3.3: an exempt trigger links the record that justifies it.
            models.CheckConstraint(
                name="visit_exempt_trigger_justified",
                condition=~Q(trigger__in=EXEMPT_TRIGGER_VALUES)
                | (
                    ~Q(justification_reference="")
                    & ~Q(justification_kind="")
                    & Q(justification_date__isnull=False)
                ),
            ),
            # One inspection per record round (rules.exemptions); cancelled visits give the
            # record back. Rows from before the records were checked carry no round.
            models.UniqueConstraint(
                fields=["justification_kind", "justification_reference", "justification_round"],
                condition=Q(justification_round__isnull=False) & ~Q(status="cancelled"),
                name="visit_justification_record_once",
            ),
            models.CheckConstraint(
                name="visit_justification_same_enterprise",
                condition=Q(justification_enterprise__isnull=True)
                | Q(justification_enterprise=F("enterprise")),
            ),
            models.CheckConstraint(
                name="visit_checkout_after_checkin",
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
            ),
            models.CheckConstraint(
                name="visit_started_has_checkin",
                condition=~Q(kind="on_site", status__in=["in_progress", "done"])
                | Q(checked_in_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.planned_date} {self.get_trigger_display()}"

    @property
    def is_exempt_trigger(self) -> bool:
        return self.trigger in EXEMPT_TRIGGER_VALUES


class VisitDateField(models.DateField):
    """A copy of the visit's `planned_date` on a row that belongs to the visit: on PostgreSQL
    the partition key of the visits' biggest children (visits 0010; docs/scale.md).

    PostgreSQL routes a row to its partition before any trigger runs (a BEFORE trigger may
    not move it), so the INSERT itself must carry the date: Django writes it. On insert it is
    taken from the visit (the cached instance, else one query; `VisitChildQuerySet.bulk_create`
    reads a batch's dates in one query first). An UPDATE never rewrites it (`SET col = col`):
    on PostgreSQL the two-column foreign key keeps it equal to the visit's date (ON UPDATE
    CASCADE), an instance in memory may hold an older one. On SQLite it is written at insert
    and not kept when a visit moves: only PostgreSQL reads it (`visits.queries`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateField", args, kwargs

    def pre_save(self, model_instance, add):
        if not add:
            return F(self.attname)
        value = getattr(model_instance, self.attname)
        if value is None and model_instance.visit_id is not None:
            visit = model_instance._meta.get_field("visit")
            if visit.is_cached(model_instance):
                value = model_instance.visit.planned_date
            else:
                value = (
                    Visit.objects.filter(pk=model_instance.visit_id)
                    .values_list("planned_date", flat=True)
                    .first()
                )
            setattr(model_instance, self.attname, value)
        return value


class VisitChildQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Reads the visits' dates of a batch in one query (`VisitDateField`)."""
        objs = list(objs)
        field = self.model._meta.get_field("visit")
        wanted = {
            o.visit_id
            for o in objs
            if o.visit_planned_date is None and o.visit_id is not None and not field.is_cached(o)
        }
        ids = sorted(wanted)
        dates: dict[int, dt.date] = {}
        for i in range(0, len(ids), 10_000):  # SQLite's limit on a statement's parameters
            chunk = Visit.objects.filter(pk__in=ids[i : i + 10_000])
            dates.update(chunk.values_list("pk", "planned_date"))
        for o in objs:
            if o.visit_planned_date is None and o.visit_id is not None:
                o.visit_planned_date = (
                    o.visit.planned_date if field.is_cached(o) else dates.get(o.visit_id)
                )
        return super().bulk_create(objs, *args, **kwargs)


class VisitItem(models.Model):
    """An inspection item of a visit (`Visit.items`; Django's auto-created table until visits
    0010 gave it the visit's date, which the rows must carry to be partitioned by it)."""

    visit = models.ForeignKey(Visit, models.CASCADE)
    inspectionitem = models.ForeignKey("catalog.InspectionItem", models.CASCADE)
    visit_planned_date = VisitDateField()

    objects = VisitChildQuerySet.as_manager()
    audit_derived_fields = ("visit_planned_date",)

    class Meta:
        db_table = "visits_visit_items"
        unique_together = [("visit", "inspectionitem")]

    def __str__(self) -> str:
        return f"{self.inspectionitem_id} @ {self.visit_id}"


class VisitOfficer(models.Model):
    """An officer assigned to a visit, with the certificate that qualified them."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="team")
    officer = models.ForeignKey("registry.Officer", models.PROTECT, related_name="visit_roles")
    is_lead = models.BooleanField(_("主办"), default=False)
    certificate_number = models.CharField(_("执法证号"), max_length=30, blank=True)
    confirmed_at = models.DateTimeField(_("确认入企时间"), null=True, blank=True)
    visit_planned_date = VisitDateField()

    objects = VisitChildQuerySet.as_manager()
    audit_derived_fields = ("visit_planned_date",)

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员")
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "officer"], name="visit_officer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.visit_id}"


class CheckIn(models.Model):
    """One officer's confirmation at the door, on their own phone. The nonce makes a retry
    return the same answer; one confirmation per officer per visit, never counted twice."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="checkins")
    officer = models.ForeignKey("registry.Officer", models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=64)
    certificate_number = models.CharField(max_length=30)
    confirmed_at = models.DateTimeField()
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("入企确认")
        verbose_name_plural = _("入企确认")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "nonce"], name="checkin_nonce_unique"),
            models.UniqueConstraint(fields=["visit", "officer"], name="checkin_officer_once"),
            models.CheckConstraint(
                name="checkin_lat_range",
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
            ),
            models.CheckConstraint(
                name="checkin_lng_range",
                condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.confirmed_at:%Y-%m-%d %H:%M}"


class InspectionPlan(models.Model):
    """《现场检查方案》 (R6.2): drafted from the items and the enterprise's record, approved
    by an approver before anyone may check in."""

    visit = models.OneToOneField(Visit, models.CASCADE, related_name="plan")
    # [{"code", "name", "content": [...], "method", "key_points", "offsite_capable",
    #   "offsite_insufficient_reason"}]
    number = models.CharField(_("方案编号"), max_length=60, blank=True)
    items = models.JSONField(_("检查事项与内容"), default=list)
    key_points = models.TextField(_("检查重点"), blank=True)
    methods = models.TextField(_("检查方式方法"), blank=True)
    steps = models.TextField(_("检查步骤"), blank=True)
    drafted_from = models.JSONField(_("起草依据快照"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("退回理由"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("现场检查方案")
        verbose_name_plural = _("现场检查方案")
        constraints = [
            models.CheckConstraint(
                name="plan_approval_complete",
                condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
            ),
            models.CheckConstraint(
                name="plan_rejection_has_reason",
                condition=Q(rejected_at__isnull=True) | ~Q(rejection_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"方案 {self.visit_id}"


class Recording(models.Model):
    """执法记录仪 recording of a visit (R6.3)."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="recordings")
    device = models.CharField(_("记录设备"), max_length=100)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("执法记录")
        verbose_name_plural = _("执法记录")
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="recording_end_after_start",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.started_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """The result for one item of a visit."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("符合")
        NON_COMPLIANT = "non_compliant", _("不符合")
        NOT_APPLICABLE = "not_applicable", _("不适用")

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="findings")
    item = models.ForeignKey("catalog.InspectionItem", models.PROTECT, related_name="+")
    result = models.CharField(_("检查结果"), max_length=16, choices=Result.choices)
    notes = models.TextField(_("情况说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["item__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="finding_one_per_item"),
            models.CheckConstraint(
                name="finding_result_valid",
                condition=Q(result__in=["compliant", "non_compliant", "not_applicable"]),
            ),
            models.CheckConstraint(
                name="finding_non_compliant_has_notes",
                condition=~Q(result="non_compliant") | ~Q(notes=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.result}"


class MediaFile(models.Model):
    """A file of a recording or a photo of a finding; SHA-256 computed by the server."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="media")
    recording = models.ForeignKey(
        Recording, models.CASCADE, null=True, blank=True, related_name="files"
    )
    finding = models.ForeignKey(
        Finding, models.CASCADE, null=True, blank=True, related_name="photos"
    )
    # Evidence of a hazard (issue 12): a photo of the place, from the phone's camera.
    hazard = models.ForeignKey(
        "Hazard", models.CASCADE, null=True, blank=True, related_name="photos"
    )
    file = models.FileField(upload_to="visits/media/%Y/%m/")
    # A resized copy for the page (Pillow); the original above is kept as uploaded.
    thumbnail = models.FileField(upload_to="visits/thumbs/%Y/%m/", blank=True)
    # Where and when it was taken, as the phone says (EXIF or the browser's clock and GPS):
    # kept as evidence and shown as the phone's claim; uploaded_at is the server's time.
    captured_at = models.DateTimeField(_("拍摄时间（手机）"), null=True, blank=True)
    capture_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    capture_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    capture_accuracy = models.FloatField(null=True, blank=True)
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("执法记录文件")
        verbose_name_plural = _("执法记录文件")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="media_sha256_hex", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Hazard(models.Model):
    """A 事故隐患 found on a visit (or reported by the enterprise itself, R11.3)."""

    class Level(models.TextChoices):
        GENERAL = "general", _("一般事故隐患")
        MAJOR = "major", _("重大事故隐患")

    class Status(models.TextChoices):
        OPEN = "open", _("未整改")
        RECTIFIED = "rectified", _("已整改")

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="hazards")
    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="hazards")
    item = models.ForeignKey(
        "catalog.InspectionItem", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The finding of that item on this visit the hazard was found under (issue 12: the chain
    # finding - item - legal clause - hazard - order - follow-up).
    finding = models.ForeignKey(
        Finding, models.SET_NULL, null=True, blank=True, related_name="hazards"
    )
    level = models.CharField(_("隐患等级"), max_length=10, choices=Level.choices)
    description = models.TextField(_("隐患描述"))
    place = models.CharField(_("部位"), max_length=200, blank=True)
    reported_by_enterprise = models.BooleanField(_("企业自查自报"), default=False)
    self_report_reference = models.CharField(_("自报记录编号"), max_length=100, blank=True)
    status = models.CharField(
        _("整改状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    rectified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事故隐患")
        verbose_name_plural = _("事故隐患")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"], name="hazard_ent_status_idx")]
        constraints = [
            models.CheckConstraint(
                name="hazard_level_valid", condition=Q(level__in=["general", "major"])
            ),
            models.CheckConstraint(
                name="hazard_self_report_has_reference",
                condition=Q(reported_by_enterprise=False) | ~Q(self_report_reference=""),
            ),
            models.CheckConstraint(
                name="hazard_rectified_has_time",
                condition=~Q(status="rectified") | Q(rectified_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class RectificationOrder(models.Model):
    """责令限期整改指令书."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("整改中")
        RECTIFIED = "rectified", _("已整改")
        NOT_RECTIFIED = "not_rectified", _("逾期未整改")

    visit = models.ForeignKey(Visit, models.PROTECT, related_name="orders")
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="rectification_orders"
    )
    number = models.CharField(_("文号"), max_length=60, unique=True)
    hazards = models.ManyToManyField(Hazard, related_name="orders", verbose_name=_("隐患"))
    requirements = models.TextField(_("整改要求"), blank=True)
    issued_on = models.DateField(_("下达日期"))
    deadline = models.DateField(_("整改期限"))
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )

    class Meta:
        verbose_name = _("责令限期整改指令书")
        verbose_name_plural = _("责令限期整改指令书")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="order_ent_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="order_deadline_after_issue", condition=Q(deadline__gte=F("issued_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.number


class VisitRating(models.Model):
    """The enterprise's rating of a finished visit; never shown to the inspecting unit.

    Anonymous by construction (issue 12): no user is stored with a score, and the audit event
    of a rating names no actor. One rating per visit is the one-to-one on the visit itself
    (the enterprise is the visit's), so no "who rated" marker is needed."""

    visit = models.OneToOneField(Visit, models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("企业评价")
        verbose_name_plural = _("企业评价")
        constraints = [
            models.CheckConstraint(
                name="rating_score_range", condition=Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.score}"


class DocumentNumber(models.Model):
    """The last 文号 issued in one series: per bureau (its abbreviation, the 文号's prefix:
    乌, 乌天 …), document type (rules/document_numbers.TYPES: the inspection's documents and
    the cases') and year. Keyed by the prefix, so no two series can print the same 文号."""

    prefix = models.CharField(_("机关简称"), max_length=20, default="乌")
    kind = models.CharField(_("文书种类"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用号"), default=0)

    class Meta:
        verbose_name = _("文书编号序列")
        verbose_name_plural = _("文书编号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "kind", "year"], name="docnumber_prefix_kind_year_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.kind} {self.year}: {self.last}"


class GuidanceGiven(models.Model):
    """Compliance guidance explained at a visit (R2.4, 谁执法谁普法): which entry of the list
    in force, to whom by role (never a named person), recorded by an officer of the team."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="guidance_given")
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="guidance_received"
    )
    entry = models.ForeignKey("catalog.GuidanceEntry", models.PROTECT, related_name="+")
    audiences = models.JSONField(_("指导对象"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("普法指导记录")
        verbose_name_plural = _("普法指导记录")
        ordering = ["visit", "entry__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "entry"], name="guidance_given_once_per_visit"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "recorded_at"], name="guidance_given_ent_at")]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.entry_id}"


# The application and referral records (R3.3) live in their own module.
from .models_field import FieldAction  # noqa: E402,F401
from .records import InspectionApplication, Referral  # noqa: E402,F401
