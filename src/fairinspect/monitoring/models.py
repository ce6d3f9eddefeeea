"""Monitoring points, their readings, the credentials that send them, and the warnings the
engine raises from them (R4.3). Every hot table carries `enterprise_id` on the row so it
partitions and distributes by enterprise (design.md: Scale)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MonitoringPoint(models.Model):
    class Kind(models.TextChoices):
        MAJOR_HAZARD = "major_hazard", _("重大危险源")
        TANK = "tank", _("储罐")
        GAS = "gas", _("可燃/有毒气体检测")
        TEMPERATURE = "temperature", _("温度")
        PRESSURE = "pressure", _("压力")
        LEVEL = "level", _("液位")
        VIDEO_ALARM = "video_alarm", _("视频智能分析报警")

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.CASCADE,
        related_name="monitoring_points",
        verbose_name=_("企业"),
    )
    code = models.CharField(_("点位编号"), max_length=40)
    name = models.CharField(_("点位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=16)
    range_low = models.FloatField(_("量程下限"))
    range_high = models.FloatField(_("量程上限"))
    low_low = models.FloatField(_("低低限"), null=True, blank=True)
    low = models.FloatField(_("低限"), null=True, blank=True)
    high = models.FloatField(_("高限（一级报警）"), null=True, blank=True)
    high_high = models.FloatField(_("高高限（二级报警）"), null=True, blank=True)
    rate_per_minute = models.FloatField(_("变化速率限值（每分钟）"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    # The engine's memory of the point: written by the ingestion service only.
    last_at = models.DateTimeField(_("最近数据时间"), null=True, blank=True)
    last_value = models.FloatField(_("最近数值"), null=True, blank=True)
    above_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("监测点位")
        verbose_name_plural = _("监测点位")
        ordering = ["enterprise_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "code"], name="mpoint_enterprise_code_uniq"
            ),
            models.CheckConstraint(
                name="mpoint_range_order", condition=Q(range_low__lt=F("range_high"))
            ),
            models.CheckConstraint(
                name="mpoint_kind_valid",
                condition=Q(
                    kind__in=[
                        "major_hazard",
                        "tank",
                        "gas",
                        "temperature",
                        "pressure",
                        "level",
                        "video_alarm",
                    ]
                ),
            ),
            models.CheckConstraint(
                name="mpoint_high_order",
                condition=Q(high__isnull=True)
                | Q(high_high__isnull=True)
                | Q(high__lte=F("high_high")),
            ),
            models.CheckConstraint(
                name="mpoint_low_order",
                condition=Q(low__isnull=True) | Q(low_low__isnull=True) | Q(low_low__lte=F("low")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Reading(models.Model):
    class Source(models.TextChoices):
        HTTP = "http", _("HTTP 上报")
        MQTT = "mqtt", _("MQTT")

    enterprise = models.ForeignKey("registry.Enterprise", models.CASCADE, related_name="+")
    point = models.ForeignKey(MonitoringPoint, models.CASCADE, related_name="readings")
    at = models.DateTimeField(_("采集时间"))
    value = models.FloatField(_("数值"))
    source = models.CharField(max_length=4, choices=Source.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")
        constraints = [
            # A duplicate (the same point at the same instant) is stored once.
            models.UniqueConstraint(fields=["point", "at"], name="reading_point_at_uniq"),
        ]
        indexes = [models.Index(fields=["enterprise", "at"], name="reading_enterprise_at_idx")]

    def __str__(self) -> str:
        return f"{self.point_id}@{self.at:%Y-%m-%d %H:%M:%S}={self.value}"


class IngestCredential(models.Model):
    """The key an enterprise's data gateway sends readings with. Only its SHA-256 is kept."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.CASCADE,
        related_name="ingest_credentials",
        verbose_name=_("企业"),
    )
    gateway = models.CharField(_("网关名称"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("数据接入凭证")
        verbose_name_plural = _("数据接入凭证")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "gateway"], name="credential_gateway_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.gateway}"


class IngestBatch(models.Model):
    """One HTTP batch or MQTT message, kept by its message id: a message seen again is
    answered from here and counted once (idempotence)."""

    enterprise = models.ForeignKey("registry.Enterprise", models.CASCADE, related_name="+")
    credential = models.ForeignKey(IngestCredential, models.CASCADE, related_name="batches")
    message_id = models.CharField(_("消息编号"), max_length=64)
    source = models.CharField(max_length=4, choices=Reading.Source.choices)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # [{"row": 3, "field": "value", "code": "out_of_range", "message": "..."}]
    problems = models.JSONField(default=list)
    warnings_opened = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    repeats = models.PositiveIntegerField(_("重复收到次数"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "message_id"], name="batch_message_uniq")
        ]
        indexes = [
            models.Index(fields=["enterprise", "received_at"], name="batch_enterprise_at_idx")
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}:{self.message_id}"


class EarlyWarning(models.Model):
    class Grade(models.TextChoices):
        RED = "red", _("红色")
        ORANGE = "orange", _("橙色")
        YELLOW = "yellow", _("黄色")
        BLUE = "blue", _("蓝色")

    class Stage(models.TextChoices):
        OPEN = "open", _("待企业签收")
        ACKNOWLEDGED = "acknowledged", _("待报告处置")
        REPORTED = "reported", _("待监管审核")
        CLOSED = "closed", _("已办结")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("处置到位")
        RETURNED = "returned", _("退回重报")

    number = models.CharField(_("预警编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="warnings", verbose_name=_("企业")
    )
    point = models.ForeignKey(
        MonitoringPoint, models.PROTECT, related_name="warnings", verbose_name=_("点位")
    )
    rule_kind = models.CharField(_("规则"), max_length=12)
    rule_set = models.CharField(_("规则集"), max_length=20)
    rule_version = models.CharField(_("规则版本"), max_length=12)
    grade = models.CharField(_("预警等级"), max_length=6, choices=Grade.choices)
    base_grade = models.CharField(_("规则等级"), max_length=6, choices=Grade.choices)
    message = models.CharField(_("说明"), max_length=200)
    value = models.FloatField(_("触发值"))
    limit = models.FloatField(_("限值"), null=True, blank=True)
    started_at = models.DateTimeField(_("发生时间"))
    last_seen_at = models.DateTimeField(_("最近触发时间"))
    cleared_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    stage = models.CharField(
        _("处置状态"), max_length=12, choices=Stage.choices, default=Stage.OPEN
    )
    acknowledge_by = models.DateTimeField(_("签收期限"))
    report_by = models.DateTimeField(_("报告期限"))
    review_by = models.DateTimeField(_("审核期限"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_text = models.TextField(_("处置情况"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("审核结论"), max_length=10, choices=Decision.choices, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One live warning per point and rule: a repeated condition updates it.
            models.UniqueConstraint(
                fields=["point", "rule_kind"],
                condition=Q(cleared_at__isnull=True),
                name="warning_one_live_per_rule",
            ),
            models.CheckConstraint(
                name="warning_grade_valid",
                condition=Q(grade__in=["red", "orange", "yellow", "blue"]),
            ),
            models.CheckConstraint(
                name="warning_stage_valid",
                condition=Q(stage__in=["open", "acknowledged", "reported", "closed"]),
            ),
            models.CheckConstraint(
                name="warning_closed_reviewed",
                condition=~Q(stage="closed") | Q(reviewed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "stage"], name="warning_enterprise_stage_idx"),
            models.Index(fields=["stage", "report_by"], name="warning_stage_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class AssistantLog(models.Model):
    """Every prompt sent to the assistant and its answer (R4.4), and what became of the draft."""

    class Purpose(models.TextChoices):
        VISIT_SUMMARY = "visit_summary", _("检查情况摘要")
        PLAN_POINTS = "plan_points", _("检查方案要点")
        REASONING = "reasoning", _("文书说理段落")
        WARNING_DIGEST = "warning_digest", _("预警摘要")

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    endpoint = models.CharField(max_length=200, blank=True)  # empty: the template draft
    model_name = models.CharField(max_length=80, blank=True)
    prompt = models.TextField()
    answer = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_text = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="assistant_confirm_edited",
                condition=Q(confirmed_at__isnull=True) | ~Q(confirmed_text=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class OffsiteInspection(models.Model):
    """How an off-site inspection (非现场检查, R4.1) was done: document review, remote video
    or data comparison. The visit itself (kind `off_site`) carries the findings, hazards and
    orders and never counts against the cap (rules/caps.py); this row records the method,
    what was examined, and the warning that led to it when one did."""

    class Method(models.TextChoices):
        DOCUMENT_REVIEW = "document_review", _("资料审查")
        REMOTE_VIDEO = "remote_video", _("远程视频检查")
        DATA_COMPARISON = "data_comparison", _("监测数据比对")

    visit = models.OneToOneField(
        "visits.Visit", models.PROTECT, related_name="offsite_method", verbose_name=_("检查")
    )
    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="+")
    method = models.CharField(_("非现场检查方式"), max_length=16, choices=Method.choices)
    warning = models.ForeignKey(
        EarlyWarning,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="offsite_inspections",
        verbose_name=_("关联预警"),
    )
    material = models.TextField(_("审查的资料、视频连线或比对的数据"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("非现场检查方式")
        verbose_name_plural = _("非现场检查方式")
        constraints = [
            models.CheckConstraint(
                name="offsite_method_valid",
                condition=Q(method__in=["document_review", "remote_video", "data_comparison"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.method}"
