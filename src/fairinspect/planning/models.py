"""Plans and draws (R9, R5): annual plans, verifiable random draws, special inspections,
declared conflicts of interest (回避), joint plans and merge decisions.

Invariants are database constraints; state changes go through services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.registry.models import Department, Enterprise, Officer

GRADE_CHOICES = [
    ("1", _("标准化一级")),
    ("2", _("标准化二级")),
    ("3", _("标准化三级")),
    ("none", _("未定级")),
]


class AnnualPlan(models.Model):
    """年度监督检查计划 of one bureau for one year (R9.1, R3.5)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报批")
        APPROVED = "approved", _("已批准")
        FILED = "filed", _("已备案")
        PUBLISHED = "published", _("已公开")

    department = models.ForeignKey(
        Department, models.PROTECT, related_name="annual_plans", verbose_name=_("制定单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    notes = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("报批时间"), null=True, blank=True)
    # Who sent it for approval: never the one who records its approval (R1.5).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_doc_no = models.CharField(_("市政府批准文号"), max_length=100, blank=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filing_doc_no = models.CharField(_("备案文号"), max_length=100, blank=True)
    filing_date = models.DateField(_("备案日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    # The cap table the plan was approved under ({year, source, cells}), so editing the table
    # later never changes an approved plan silently: the plan page flags the difference.
    cap_table_snapshot = models.JSONField(_("批准时的频次上限表"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度监督检查计划")
        verbose_name_plural = _("年度监督检查计划")
        ordering = ["-year", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"], name="planning_plan_one_per_department_year"
            ),
            models.CheckConstraint(
                name="planning_plan_year_range", condition=Q(year__gte=2000, year__lte=2100)
            ),
            models.CheckConstraint(
                name="planning_plan_approved_has_document",
                condition=Q(status__in=["draft", "submitted"])
                | (~Q(approval_doc_no="") & Q(approval_date__isnull=False)),
            ),
            models.CheckConstraint(
                name="planning_plan_filed_has_document",
                condition=Q(status__in=["draft", "submitted", "approved"])
                | (~Q(filing_doc_no="") & Q(filing_date__isnull=False)),
            ),
            models.CheckConstraint(
                name="planning_plan_published_has_time",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanLine(models.Model):
    """One enterprise class of a plan: how many there are, planned visits, sampling share,
    and last year's visits beside this year's (R3.5)."""

    plan = models.ForeignKey(AnnualPlan, models.CASCADE, related_name="lines")
    high_risk = models.BooleanField(_("高危行业领域"))
    grade = models.CharField(_("标准化等级"), max_length=4, choices=GRADE_CHOICES)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    planned_visits = models.PositiveIntegerField(_("本年度计划现场检查次数"), default=0)
    # Derived from last year's visits (planning/bridge.py), never typed: refreshed when the
    # plan is drafted, submitted and approved. What the −10% rule compares is this count, or
    # the override below when one is set with its written reason (shown to the approver and
    # in the published plan, audited).
    last_year_visits = models.PositiveIntegerField(_("上年度现场检查次数（系统统计）"), default=0)
    last_year_override = models.PositiveIntegerField(
        _("上年度现场检查次数（人工更正）"), null=True, blank=True
    )
    last_year_override_reason = models.TextField(_("更正理由"), blank=True)
    sampling_ratio = models.DecimalField(
        _("随机抽查比例"), max_digits=5, decimal_places=4, default=0
    )

    class Meta:
        verbose_name = _("计划分类")
        verbose_name_plural = _("计划分类")
        ordering = ["plan", "-high_risk", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "high_risk", "grade"], name="planning_line_one_per_class"
            ),
            models.CheckConstraint(
                name="planning_line_ratio_range",
                condition=Q(sampling_ratio__gte=0, sampling_ratio__lte=1),
            ),
            models.CheckConstraint(
                name="planning_line_grade_valid", condition=Q(grade__in=["1", "2", "3", "none"])
            ),
            models.CheckConstraint(
                name="planning_line_override_has_reason",
                condition=Q(last_year_override__isnull=True) | ~Q(last_year_override_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{'高危' if self.high_risk else '非高危'} {self.grade}"

    @property
    def last_year_effective(self) -> int:
        """What the −10% rule compares: the override when set, else the derived count."""
        if self.last_year_override is not None:
            return self.last_year_override
        return self.last_year_visits


class KeyEnterprise(models.Model):
    """重点检查企业: at least one visit in the year."""

    plan = models.ForeignKey(AnnualPlan, models.CASCADE, related_name="key_enterprises")
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+")
    planned_visits = models.PositiveSmallIntegerField(_("计划检查次数"), default=1)
    reason = models.CharField(_("列为重点的理由"), max_length=300)

    class Meta:
        verbose_name = _("重点检查企业")
        verbose_name_plural = _("重点检查企业")
        ordering = ["plan", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise"], name="planning_key_once"),
            models.CheckConstraint(
                name="planning_key_at_least_one_visit", condition=Q(planned_visits__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"重点检查企业 {self.enterprise_id}"


class OfficerConflict(models.Model):
    """A declared reason for an officer to stand aside (回避) for one enterprise."""

    class Kind(models.TextChoices):
        DECLARED = "declared_conflict", _("申报的利害关系")
        FORMER_EMPLOYER = "former_employer", _("曾在该企业任职")
        RELATIVE = "relative", _("近亲属在该企业")

    officer = models.ForeignKey(Officer, models.CASCADE, related_name="conflicts")
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="+")
    kind = models.CharField(_("回避情形"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "enterprise", "kind"], name="planning_conflict_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} 回避 {self.enterprise_id}"


class SamplingTask(models.Model):
    """一次“双随机”抽查任务: items, the pool filter and how many (R9.2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        POOL_PUBLISHED = "pool_published", _("名录库已公布，待抽取")
        RESULT_PUBLISHED = "result_published", _("结果已公布")

    department = models.ForeignKey(
        Department, models.PROTECT, related_name="sampling_tasks", verbose_name=_("实施单位")
    )
    plan = models.ForeignKey(
        AnnualPlan, models.SET_NULL, null=True, blank=True, related_name="sampling_tasks"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("任务名称"), max_length=200)
    items = models.JSONField(_("抽查事项"), default=list)
    district_code = models.CharField(_("区县"), max_length=6, blank=True)
    industry_prefix = models.CharField(_("行业代码（前缀）"), max_length=5, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=10, blank=True)
    grade = models.CharField(_("标准化等级"), max_length=4, blank=True)
    high_risk = models.BooleanField(_("高危行业领域"), null=True, blank=True)
    supervising_level = models.CharField(_("监管层级"), max_length=10, blank=True)
    count = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    ratio = models.DecimalField(
        _("抽取比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    officers_per_visit = models.PositiveSmallIntegerField(_("每家企业执法人员数"), default=2)
    max_visits_per_officer = models.PositiveSmallIntegerField(
        _("每名执法人员最多检查企业数"), null=True, blank=True
    )
    window_start = models.DateField(_("检查开始日期"))
    window_end = models.DateField(_("检查结束日期"))
    # Issue 11 item 3: the pool carries each enterprise's risk weight (rules.monitoring.
    # draw_weight) and the draw is weighted; never a cap or an exclusion.
    weighted_by_risk = models.BooleanField(_("按风险排序加权"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    pools_published_at = models.DateTimeField(_("名录库公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="planning_task_count_xor_ratio",
                condition=(Q(count__isnull=False) & Q(ratio__isnull=True))
                | (Q(count__isnull=True) & Q(ratio__isnull=False)),
            ),
            models.CheckConstraint(
                name="planning_task_ratio_range",
                condition=Q(ratio__isnull=True) | Q(ratio__gt=0, ratio__lte=1),
            ),
            models.CheckConstraint(
                name="planning_task_count_positive",
                condition=Q(count__isnull=True) | Q(count__gte=1),
            ),
            models.CheckConstraint(
                name="planning_task_two_officers", condition=Q(officers_per_visit__gte=2)
            ),
            models.CheckConstraint(
                name="planning_task_window_order",
                condition=Q(window_end__gte=models.F("window_start")),
            ),
            models.CheckConstraint(
                name="planning_task_published_has_time",
                condition=Q(status="draft") | Q(pools_published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Pool(models.Model):
    """A frozen pool: the published file text (canonical order) and its SHA-256, the excluded
    with their reasons, and (officers only, not published) the facts pairing needs."""

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", _("企业名录库")
        OFFICERS = "officers", _("执法人员名录库")

    task = models.ForeignKey(SamplingTask, models.CASCADE, related_name="pools")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    # The published file, read whole only to run or re-verify a draw; the public pages never
    # load it (the download streams it in slices; on PostgreSQL its storage is EXTERNAL, so
    # a slice reads only its own TOAST chunks).
    text = models.TextField(_("名录库文件"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # SHA-256 of `text` as stored now. On PostgreSQL a trigger recomputes it whenever the
    # text is written (migration 0007), so an altered text changes it without any view
    # reading the text; elsewhere the verification hashes the text itself.
    text_sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.PositiveIntegerField(_("数量"))
    excluded_count = models.PositiveIntegerField(_("排除数量"), default=0)
    # officers only: {"<pool id>": {"officer": pk, "name": ..., "conflicts": [[ent, kind]],
    # "last_inspected": [...]}}: kept to re-run pairing, never published (personal data).
    facts = models.JSONField(default=dict)
    frozen_at = models.DateTimeField(_("固定时间"))

    class Meta:
        verbose_name = _("名录库")
        verbose_name_plural = _("名录库")
        constraints = [
            models.UniqueConstraint(fields=["task", "kind"], name="planning_pool_one_per_kind"),
            models.CheckConstraint(
                name="planning_pool_sha256_hex", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    SHOWN_EXCLUSIONS = 500

    @property
    def exclusions_head(self) -> list[PoolExclusion]:
        """The first exclusions a page lists (the rest are in the API and the audit)."""
        return list(self.exclusions.order_by("position")[: self.SHOWN_EXCLUSIONS])

    @property
    def excluded(self) -> list[dict]:
        """Every exclusion with its reasons, in canonical order (a query over its rows)."""
        return [
            {"id": e.ident, "reasons": e.reasons}
            for e in self.exclusions.order_by("position").only("ident", "reasons")
        ]


class PoolExclusion(models.Model):
    """One excluded enterprise or officer of a frozen pool, with every reason (rows, so a
    page reads a page of them and a 100,000-enterprise task never ships one JSON value)."""

    pool = models.ForeignKey(Pool, models.CASCADE, related_name="exclusions")
    position = models.PositiveIntegerField()
    ident = models.CharField(_("编号"), max_length=64)
    # [{"code": ..., "message": ...}]
    reasons = models.JSONField(_("理由"), default=list)

    class Meta:
        verbose_name = _("排除记录")
        verbose_name_plural = _("排除记录")
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "position"], name="planning_poolexclusion_position"
            ),
        ]

    def __str__(self) -> str:
        return self.ident


class Draw(models.Model):
    """One public draw of a task. A re-draw is a new row (approved first); earlier draws are
    kept, marked superseded, and stay public."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("重新抽取待批准")
        AWAITING_SEED = "awaiting_seed", _("待录入随机种子")
        SEEDED = "seeded", _("种子已录入，待抽取")
        DRAWN = "drawn", _("已抽取，待公布")
        PUBLISHED = "published", _("结果已公布")
        SUPERSEDED = "superseded", _("已被重新抽取取代")
        REJECTED = "rejected", _("重新抽取申请未批准")

    task = models.ForeignKey(SamplingTask, models.CASCADE, related_name="draws")
    sequence = models.PositiveSmallIntegerField(_("第几次抽取"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    redraw_reason = models.TextField(_("重新抽取理由"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    seed_entered_by = models.TextField(_("种子录入人（现场）"), blank=True)
    seed_entered_at = models.DateTimeField(_("种子录入时间"), null=True, blank=True)
    seed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    # The result is rows (DrawPairing, one per selected enterprise in drawn order), with two
    # digests stored when they are written, so no page reads the whole list (issue 13):
    # `selected_sha256` is the SHA-256 of the selection file (selected.txt: one credit code
    # a line, what `draw-verify` prints) and `pairings_sha256` that of the canonical JSON of
    # `pairings`. A trigger (migration 0009) empties both when any row is written after
    # them, so an altered row changes the verification key and the draw is verified again.
    selected_sha256 = models.CharField(max_length=64, blank=True, default="")
    pairings_sha256 = models.CharField(max_length=64, blank=True, default="")
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    visit_ids = models.JSONField(_("生成的检查"), default=list)
    # The server's verification, stored when the result is published (or on the first public
    # view): {"key", "ok", "message", "at"}. `key` hashes the pool texts as stored, the
    # published hashes, the seed, the count and the stored result; any change to one of them
    # changes the key and the draw is verified again (draws.cached_verification).
    verification = models.JSONField(_("服务器验证结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("抽取")
        verbose_name_plural = _("抽取")
        ordering = ["task", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["task", "sequence"], name="planning_draw_sequence"),
            # One live draw per task; re-draws go through approval while it stays.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status__in=["awaiting_seed", "seeded", "drawn", "published"]),
                name="planning_draw_one_live",
            ),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="awaiting_approval"),
                name="planning_draw_one_pending_redraw",
            ),
            models.CheckConstraint(
                name="planning_draw_seed_digits",
                condition=Q(seed="") | Q(seed__regex=r"^[0-9]{6,64}$"),
            ),
            models.CheckConstraint(
                name="planning_draw_seeded_has_seed",
                condition=Q(status__in=["awaiting_approval", "awaiting_seed", "rejected"])
                | (~Q(seed="") & Q(seed_entered_at__isnull=False) & ~Q(seed_entered_by="")),
            ),
            models.CheckConstraint(
                name="planning_draw_redraw_has_reason",
                condition=Q(sequence=1) | ~Q(redraw_reason=""),
            ),
            models.CheckConstraint(
                name="planning_draw_published_has_time",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} 第{self.sequence}次抽取"

    @property
    def pairings(self) -> list[dict]:
        """[{"enterprise": id, "officers": [ids], "skipped": [[id, code, message]],
        "unpaired": msg}] in drawn order, read from the rows (one query each time: bind it
        once; the public page reads a page of rows instead)."""
        return [r.as_dict() for r in self.pairing_rows.order_by("position")]

    @property
    def selected(self) -> list[str]:
        """The selected credit codes in drawn order (one query over the rows)."""
        return list(self.pairing_rows.order_by("position").values_list("credit_code", flat=True))


class DrawPairing(models.Model):
    """One selected enterprise of a draw, at its place in the drawn order, with the officers
    paired to it (issue 13: a 100,000-enterprise task's result is rows, paged and streamed,
    never one JSON value). Carries enterprise_id so it can be distributed by enterprise."""

    draw = models.ForeignKey(Draw, models.CASCADE, related_name="pairing_rows")
    position = models.PositiveIntegerField()  # 0-based drawn order
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    officers = models.JSONField(_("执法人员"), default=list)  # [certificate numbers]
    # Their names as frozen in the officer pool, in the same order: shown on the public page
    # beside the numbers, so a page never reads the pool's facts (every officer's history).
    officer_names = models.JSONField(_("执法人员姓名"), default=list)
    skipped = models.JSONField(_("回避等跳过"), default=list)  # [[id, code, message]]
    unpaired = models.TextField(_("未匹配原因"), blank=True, default="")

    class Meta:
        verbose_name = _("抽中企业")
        verbose_name_plural = _("抽中企业")
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "position"], name="planning_drawpairing_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}#{self.position} {self.credit_code}"

    def as_dict(self) -> dict:
        return {
            "enterprise": self.credit_code,
            "officers": list(self.officers),
            "skipped": [list(s) for s in self.skipped],
            "unpaired": self.unpaired,
        }


class SpecialQuota(models.Model):
    """The yearly number of special and key-period inspections a bureau may hold (R9.3)."""

    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quota = models.PositiveSmallIntegerField(_("年度专项检查限额"))
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("专项检查年度限额")
        verbose_name_plural = _("专项检查年度限额")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"], name="planning_special_quota_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.quota}"


class SpecialInspection(models.Model):
    """专项检查、重点时段检查: one request per matter (一事一报) (R9.3)."""

    class Kind(models.TextChoices):
        SPECIAL = "special", _("专项检查")
        KEY_PERIOD = "key_period", _("重点时段检查")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准，待公告")
        REJECTED = "rejected", _("未批准")
        ANNOUNCED = "announced", _("已公告")

    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("台账序号"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("事项"), max_length=200)
    targets = models.TextField(_("检查对象"))
    enterprises = models.ManyToManyField(
        Enterprise, blank=True, related_name="+", verbose_name=_("检查对象企业")
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    content = models.TextField(_("检查内容"))
    reason = models.TextField(_("开展理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报批时间"), null=True, blank=True)
    # Who sent it for approval: never its approver (R1.5, rules.duties).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    announced_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专项检查")
        verbose_name_plural = _("专项检查")
        ordering = ["-year", "department__code", "number", "-id"]
        constraints = [
            models.CheckConstraint(
                name="planning_special_dates_order",
                condition=Q(end_date__gte=models.F("start_date")),
            ),
            models.UniqueConstraint(
                fields=["department", "year", "number"],
                condition=Q(number__isnull=False),
                name="planning_special_number_once",
            ),
            models.CheckConstraint(
                name="planning_special_approved_numbered",
                condition=~Q(status__in=["approved", "announced"])
                | (Q(number__isnull=False) & Q(decided_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="planning_special_announced_has_time",
                condition=~Q(status="announced") | Q(announced_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class JointPlan(models.Model):
    """A joint inspection (联合检查, R5.1, R5.3): one visit of one enterprise by several
    departments, each with its role. The visit itself lives in visits; this names who does
    what, and the merge group that makes the joint visit count once (R5.2)."""

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+")
    lead_department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    merge_group = models.CharField(_("合并检查组"), max_length=64, unique=True)
    visit = models.ForeignKey(
        "visits.Visit", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    planned_date = models.DateField(_("计划检查日期"))
    items = models.JSONField(_("检查事项"), default=list)
    trigger = models.CharField(_("检查来源"), max_length=20)
    notes = models.TextField(_("说明"), blank=True)
    warnings = models.JSONField(_("提示"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联合检查计划")
        verbose_name_plural = _("联合检查计划")
        ordering = ["-planned_date", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.planned_date} 联合检查"


class JointParty(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        PARTNER = "partner", _("联合检查单位")
        SUPPORT = "support", _("配合单位")

    joint_plan = models.ForeignKey(JointPlan, models.CASCADE, related_name="parties")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_name = models.CharField(_("外部门名称"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    duties = models.CharField(_("职责分工"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("联合检查单位")
        verbose_name_plural = _("联合检查单位")
        ordering = ["joint_plan", "role", "id"]
        constraints = [
            models.CheckConstraint(
                name="planning_party_named",
                condition=Q(department__isnull=False) | ~Q(external_name=""),
            ),
            models.UniqueConstraint(
                fields=["joint_plan"], condition=Q(role="lead"), name="planning_party_one_lead"
            ),
            models.UniqueConstraint(
                fields=["joint_plan", "department"],
                condition=Q(department__isnull=False),
                name="planning_party_department_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.department or self.external_name}"


class MergeDecision(models.Model):
    """An approved merge of planned visits of one enterprise into one trip (综合查一次)."""

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+")
    merge_group = models.CharField(_("合并检查组"), max_length=64, unique=True)
    planned_date = models.DateField(_("合并后检查日期"))
    visit_ids = models.JSONField(_("合并的检查"))
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = _("合并检查")
        verbose_name_plural = _("合并检查")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return self.merge_group
