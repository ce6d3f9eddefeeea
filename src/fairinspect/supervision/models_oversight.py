"""Rule breaches found by the system (R8.4), case-file review (R8.3), officers' training
(R1.4), the certificate audit's history (R1.2) and enterprise locations for R6.6."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.breaches import RULE_LABELS

RULE_CHOICES = [(r.value, label) for r, label in RULE_LABELS.items()]


class Breach(models.Model):
    """One breach a detector found, keyed by (rule, key) so a re-run never duplicates it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ASSIGNED = "assigned", _("已指派")
        EXPLAINED = "explained", _("已说明")
        RECTIFIED = "rectified", _("已整改")
        CLOSED = "closed", _("已关闭")

    rule = models.CharField(_("规则"), max_length=32, choices=RULE_CHOICES)
    key = models.CharField(_("对象"), max_length=80)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    message = models.TextField(_("说明"))
    # [{"type": "visit"|"case"|"complaint"|"order"|"disclosure"|"officer", "id": .., "label": ..}]
    evidence = models.JSONField(_("证据"), default=list)
    found_on = models.DateField(_("发现日期"))
    last_seen_on = models.DateField(_("最近检出日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指派给"),
    )
    explanation = models.TextField(_("情况说明"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    rectification = models.TextField(_("整改情况"), blank=True)
    closing_note = models.TextField(_("关闭说明"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("违规线索")
        verbose_name_plural = _("违规线索")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["status", "rule"], name="breach_status_rule_idx"),
            models.Index(fields=["found_on"], name="breach_found_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="breach_rule_key_unique"),
            models.CheckConstraint(
                name="breach_closed_has_note",
                condition=~Q(status="closed") | (~Q(closing_note="") & Q(closed_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="breach_rule_valid", condition=Q(rule__in=[c for c, _l in RULE_CHOICES])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.key}"


class DetectionRun(models.Model):
    """One run of the detectors (on demand or nightly): when, and how many per rule."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    today = models.DateField()
    counts = models.JSONField(default=dict)
    triggered_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class EnterpriseLocation(models.Model):
    """Where an enterprise is (for the distant check-in flag, R6.6). The registry has no
    coordinates; supervision keeps them beside it rather than changing the registry."""

    enterprise = models.OneToOneField(
        "registry.Enterprise", models.CASCADE, related_name="location", primary_key=True
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6)
    lng = models.DecimalField(max_digits=9, decimal_places=6)
    source = models.CharField(_("来源"), max_length=100, default="登记地址地理编码")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="entloc_range",
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} ({self.lat}, {self.lng})"


# ------------------------------------------------------------------ case-file review (R8.3)


class ReviewPlan(models.Model):
    """案卷评查 plan: closed cases of a year sampled per unit from a published seed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        PUBLISHED = "published", _("已公布抽样")
        DONE = "done", _("已完成")

    year = models.PositiveSmallIntegerField(_("评查年度"))
    title = models.CharField(_("名称"), max_length=200)
    seed = models.CharField(_("随机种子"), max_length=64)
    per_unit = models.PositiveSmallIntegerField(_("每单位抽取件数"))
    checklist_version = models.CharField(_("评查标准版本"), max_length=30)
    # {"<unit code>": {"pool": [...case numbers], "sha256": "...", "selected": [...]}}
    strata = models.JSONField(_("分层抽样"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="draft")
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_on = models.DateField()

    class Meta:
        verbose_name = _("案卷评查计划")
        verbose_name_plural = _("案卷评查计划")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(name="review_per_unit_positive", condition=Q(per_unit__gte=1)),
        ]

    def __str__(self) -> str:
        return self.title


class CaseReview(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", _("自查")
        PEER = "peer", _("互查")
        SPOT = "spot", _("抽查")

    plan = models.ForeignKey(ReviewPlan, models.PROTECT, related_name="reviews")
    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="reviews")
    kind = models.CharField(_("评查方式"), max_length=6, choices=Kind.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reviewed_on = models.DateField(_("评查日期"))
    # {"<checklist item code>": points given}
    scores = models.JSONField(_("评分"), default=dict)
    total = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=10)
    comment = models.TextField(_("评查意见"), blank=True)

    class Meta:
        verbose_name = _("案卷评查")
        verbose_name_plural = _("案卷评查")
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "case", "kind"], name="review_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ReviewFinding(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFIED = "rectified", _("已整改")

    review = models.ForeignKey(CaseReview, models.CASCADE, related_name="findings")
    item_code = models.CharField(_("评查项目"), max_length=20)
    text = models.TextField(_("问题"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_on = models.DateField(_("整改日期"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="finding_rectified_recorded",
                condition=~Q(status="rectified")
                | (~Q(rectification="") & Q(rectified_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


# ------------------------------------------------------------------ training (R1.4)


class TrainingRequirement(models.Model):
    """The hours an officer must train in a year, with the source of the number."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    hours = models.DecimalField(_("应训学时"), max_digits=5, decimal_places=1)
    source = models.CharField(_("依据"), max_length=300)

    class Meta:
        verbose_name = _("年度培训学时要求")
        verbose_name_plural = _("年度培训学时要求")
        constraints = [
            models.CheckConstraint(name="training_req_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.hours}"


class TrainingRecord(models.Model):
    class Assessment(models.TextChoices):
        NONE = "none", _("无考核")
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")

    officer = models.ForeignKey("registry.Officer", models.PROTECT, related_name="trainings")
    course = models.CharField(_("课程"), max_length=200)
    provider = models.CharField(_("举办单位"), max_length=100, blank=True)
    on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    assessment = models.CharField(
        _("考核"), max_length=8, choices=Assessment.choices, default="none"
    )
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    imported = models.BooleanField(_("导入"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["officer", "on"], name="training_officer_on_idx")]
        constraints = [
            models.CheckConstraint(
                name="training_hours_range", condition=Q(hours__gt=0, hours__lte=200)
            ),
            models.UniqueConstraint(
                fields=["officer", "course", "on"], name="training_once_per_course_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.course}"


class CertificateAuditRun(models.Model):
    """One run of the certificate audit (清查, R1.2) kept with its rows: the history."""

    on = models.DateField(_("清查日期"), unique=True)
    rows = models.JSONField(default=list)
    problems = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on}: {self.problems}"
