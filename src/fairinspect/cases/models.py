"""Penalty cases (行政处罚案件, R7): the case and its procedure, the published no-penalty list,
and the consequences of a decision: credit records (R10.1), public disclosure (R8.2) and the
serious-dishonesty list (R10.2).

The violation catalogue and the discretion baseline are legal data read by the pure rules
(`rules/legal_data/*.json`); a case keeps a snapshot of the violation it applied, so a later
edit of the data never rewrites a decided case.
"""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.registry.models import Enterprise

from .models_repair import CreditRepairApplication, RepairDocument  # noqa: F401


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}


class NoPenaltyListVersion(models.Model):
    """A version of 轻微违法行为包容免罚清单 (R7.3): drafted, then published; one in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("现行有效")
        SUPERSEDED = "superseded", _("已废止")

    version = models.CharField(_("版本号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="draft")
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    document = models.JSONField(_("清单内容"))  # the JSON the pure rule parses
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("包容免罚清单版本")
        verbose_name_plural = _("包容免罚清单版本")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="nopenalty_one_published"
            ),
            models.CheckConstraint(
                name="nopenalty_published_has_date",
                condition=Q(status="draft") | Q(published_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class Case(models.Model):
    class Status(models.TextChoices):
        PENDING_FILING = "pending_filing", _("待立案审批")
        NOT_FILED = "not_filed", _("不予立案")
        INVESTIGATING = "investigating", _("调查取证")
        NOTIFIED = "notified", _("已告知（陈述申辩）")
        REVIEWED = "reviewed", _("法制审核通过")
        DISCUSSED = "discussed", _("集体讨论通过")
        DECIDED = "decided", _("已决定")
        SERVED = "served", _("已送达")
        EXECUTED = "executed", _("已执行")
        CLOSED = "closed", _("已结案")

    class Party(models.TextChoices):
        UNIT = "unit", _("生产经营单位")
        PERSON = "person", _("个人")

    class Outcome(models.TextChoices):
        PENALTY = "penalty", _("行政处罚")
        NO_PENALTY = "no_penalty", _("不予行政处罚")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="cases")
    party = models.CharField(_("当事人类型"), max_length=10, choices=Party.choices)
    person_name = models.CharField(_("当事人姓名"), max_length=50, blank=True)
    person_role = models.CharField(_("当事人职务"), max_length=50, blank=True)
    # 一案双罚 (R7.6): the unit's case and the main person's case point at each other's pair.
    pair = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("关联案件")
    )
    # Where the case came from (R7.6): the hazard recorded during a visit, and that visit.
    visit = models.ForeignKey(
        "visits.Visit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("来源检查"),
    )
    hazard = models.ForeignKey(
        "visits.Hazard",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("来源隐患"),
    )
    number = models.CharField(_("案件编号"), max_length=40, blank=True)
    decision_number = models.CharField(_("决定书文号"), max_length=40, blank=True)
    # Each document type on its own series (services/numbers.py): never the case's number.
    notice_number = models.CharField(_("告知书文号"), max_length=40, blank=True)
    hearing_notice_number = models.CharField(_("听证告知书文号"), max_length=40, blank=True)
    reminder_number = models.CharField(_("提醒告知书文号"), max_length=40, blank=True)
    cause = models.CharField(_("案由"), max_length=200)
    violation_code = models.CharField(_("违法行为编码"), max_length=30, db_index=True)
    violation_title = models.CharField(_("违法行为"), max_length=300)
    legal_basis = models.CharField(_("违法条款"), max_length=200)
    penalty_basis = models.CharField(_("处罚依据"), max_length=200)
    procedure_rule = models.CharField(_("适用程序规定"), max_length=20)
    source = models.CharField(_("案件来源"), max_length=200, blank=True)
    facts_text = models.TextField(_("违法事实"), blank=True)
    evidence = models.TextField(_("证据"), blank=True)
    facts = models.JSONField(_("裁量事实"), default=dict, blank=True)
    grade = models.CharField(_("裁量阶次"), max_length=12, blank=True)
    fine_min = models.DecimalField(_("建议罚款下限"), null=True, blank=True, **MONEY)
    fine_max = models.DecimalField(_("建议罚款上限"), null=True, blank=True, **MONEY)
    legal_min = models.DecimalField(_("法定罚款下限"), null=True, blank=True, **MONEY)
    legal_max = models.DecimalField(_("法定罚款上限"), null=True, blank=True, **MONEY)
    penalty_types = models.JSONField(_("处罚种类"), default=list, blank=True)
    measures = models.JSONField(_("责令措施"), default=list, blank=True)
    reasons = models.JSONField(_("裁量理由"), default=list, blank=True)
    no_penalty_item = models.CharField(_("包容免罚清单事项"), max_length=20, blank=True)
    no_penalty_version = models.CharField(_("包容免罚清单版本"), max_length=30, blank=True)
    outcome = models.CharField(_("拟处理结果"), max_length=12, choices=Outcome.choices, blank=True)
    proposed_fine = models.DecimalField(_("拟罚款"), null=True, blank=True, **MONEY)
    outside_range = models.BooleanField(_("超出建议幅度"), default=False)
    outside_range_reason = models.TextField(_("超出幅度理由"), blank=True)
    hearing_required = models.BooleanField(_("应告知听证"), default=False)
    is_major = models.BooleanField(_("重大案件（集体讨论）"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default="pending_filing"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("承办人")
    )
    # The bureau that handles the case (the filing officer's bureau): its approvers file,
    # decide and close it, nobody else's (R1.5, 谁处罚谁决定谁负责).
    department = models.ForeignKey(
        "registry.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办案单位"),
    )
    created_on = models.DateField(_("登记日期"))
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    notice_served_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    statement = models.TextField(_("当事人陈述申辩"), blank=True)
    statement_answer = models.TextField(_("对陈述申辩的采纳意见"), blank=True)
    hearing_requested = models.BooleanField(_("要求听证"), default=False)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    review_opinion = models.TextField(_("法制审核意见"), blank=True)
    reviewed_on = models.DateField(_("法制审核日期"), null=True, blank=True)
    discussion_minutes = models.TextField(_("集体讨论意见"), blank=True)
    discussed_on = models.DateField(_("集体讨论日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    fine_amount = models.DecimalField(_("决定罚款"), null=True, blank=True, **MONEY)
    served_on = models.DateField(_("决定书送达日期"), null=True, blank=True)
    paid_on = models.DateField(_("缴纳日期"), null=True, blank=True)
    amount_paid = models.DecimalField(_("实缴金额"), null=True, blank=True, **MONEY)
    surcharge = models.DecimalField(_("加处罚款"), null=True, blank=True, **MONEY)
    education_note = models.TextField(_("教育记录"), blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    extension_days = models.PositiveIntegerField(_("延长天数"), default=0)
    decision_due = models.DateField(_("决定期限"), null=True, blank=True)
    # The nearest open deadline of the current step: what the overdue list reads (indexed).
    next_due = models.DateField(_("当前期限"), null=True, blank=True)
    next_due_kind = models.CharField(_("当前期限类型"), max_length=20, blank=True)
    # Recomputed from the steps after each change (services/deadlines.py), not a decision:
    # the audit trail's state digest leaves them out (audit/state.py).
    audit_derived_fields = ("next_due", "next_due_kind")

    class Meta:
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_due"], name="case_next_due_idx", condition=Q(next_due__isnull=False)
            ),
            models.Index(fields=["enterprise", "violation_code"], name="case_ent_violation_idx"),
            models.Index(fields=["status", "-id"], name="case_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "party"],
                condition=Q(hazard__isnull=False),
                name="case_one_per_hazard_party",
            ),
            models.CheckConstraint(
                name="case_person_has_name",
                condition=Q(party="unit") | ~Q(person_name=""),
            ),
            models.CheckConstraint(
                name="case_outside_range_has_reason",
                condition=Q(outside_range=False) | ~Q(outside_range_reason=""),
            ),
            models.CheckConstraint(
                name="case_money_not_negative",
                condition=(Q(proposed_fine__isnull=True) | Q(proposed_fine__gte=0))
                & (Q(fine_amount__isnull=True) | Q(fine_amount__gte=0)),
            ),
            models.CheckConstraint(
                name="case_decided_has_date",
                condition=~Q(status__in=["decided", "served", "executed", "closed"])
                | Q(decided_on__isnull=False),
            ),
            models.CheckConstraint(
                name="case_filed_has_date",
                condition=Q(status__in=["pending_filing", "not_filed"]) | Q(filed_on__isnull=False),
            ),
            models.CheckConstraint(
                name="case_no_fine_without_penalty",
                condition=~Q(outcome="no_penalty") | Q(fine_amount__isnull=True) | Q(fine_amount=0),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"案件 {self.pk}"

    @property
    def party_display(self) -> str:
        return self.enterprise.name if self.party == "unit" else self.person_name


class CaseStep(models.Model):
    """One step taken in a case: who, when, from which state to which (the procedure log)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.on}"


class Extension(models.Model):
    """An approved extension of the 90 days to decide (《行政处罚法》第六十条)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(_("延长天数"))
    reason = models.TextField(_("理由"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approved_on = models.DateField(_("批准日期"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="extension_days_positive", condition=Q(days__gt=0)),
            models.CheckConstraint(name="extension_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"延长{self.days}日"


ACCIDENT_LEVELS = [
    ("general", _("一般事故")),
    ("larger", _("较大事故")),
    ("major", _("重大事故")),
    ("especially_major", _("特别重大事故")),
]


class CreditRecord(models.Model):
    """An entry in an enterprise's credit record (R10.1): penalties, no-penalty decisions,
    accidents and listings. Accidents are recorded here until an accident module exists."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", _("行政处罚")
        NO_PENALTY = "no_penalty", _("不予行政处罚（教育）")
        ACCIDENT = "accident", _("生产安全事故")
        DISHONEST = "dishonest", _("列入严重失信主体名单")
        REMOVED = "removed", _("移出严重失信主体名单")
        REPAIRED = "repaired", _("信用修复（终止公示）")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="credit_records")
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="credit_records"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("日期"))
    summary = models.CharField(_("摘要"), max_length=300)
    fatalities = models.PositiveIntegerField(_("死亡人数"), default=0)
    # Accidents only (《生产安全事故报告和调查处理条例》第三条 grades).
    accident_level = models.CharField(
        _("事故等级"), max_length=16, choices=ACCIDENT_LEVELS, blank=True
    )
    injuries = models.PositiveIntegerField(_("重伤人数"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["enterprise", "kind", "on"], name="credit_ent_kind_on_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Disclosure(models.Model):
    """The public entry of a decision (R8.2): personal data redacted when it is written, so
    the public page and the 信用中国 export cannot leak what they never held."""

    case = models.OneToOneField(Case, models.PROTECT, related_name="disclosure")
    decision_number = models.CharField(_("决定书文号"), max_length=40)
    party_name = models.CharField(_("当事人（已脱敏）"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    violation = models.CharField(_("违法行为类型"), max_length=300)
    basis = models.CharField(_("处罚依据"), max_length=200)
    content = models.CharField(_("处罚内容"), max_length=300)
    fine_amount = models.DecimalField(_("罚款金额"), null=True, blank=True, **MONEY)
    authority = models.CharField(_("处罚机关"), max_length=100)
    decided_on = models.DateField(_("处罚决定日期"))
    due_on = models.DateField(_("公开期限"))
    published_on = models.DateField(_("公开日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政处罚公示")
        verbose_name_plural = _("行政处罚公示")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["published_on"], name="disclosure_published_idx")]

    def __str__(self) -> str:
        return self.decision_number


class DishonestyListing(models.Model):
    """严重失信主体名单 (R10.2, 应急管理部令第11号): proposed from a decision, listed for three
    years, removable early on application after twelve months; measures lifted on removal."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("建议列入")
        NOTIFIED = "notified", _("已告知（陈述申辩期）")
        LISTED = "listed", _("已列入")
        DECLINED = "declined", _("不予列入")
        REMOVED = "removed", _("已移出")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="dishonesty_listings")
    case = models.ForeignKey(Case, models.PROTECT, related_name="dishonesty_listings")
    ground = models.CharField(_("列入情形"), max_length=40)
    basis = models.TextField(_("列入依据"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="proposed")
    proposed_on = models.DateField(_("建议日期"))
    # Due process (令第11号, R10.2): who proposed, the written basis of a ground the case data
    # cannot show, the notice to the party, its statement, and the decision by someone else.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议人"),
    )
    written_basis = models.TextField(_("认定该情形的事实和证据"), blank=True)
    notice_number = models.CharField(_("告知书文号"), max_length=40, blank=True)
    notice_served_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement_due = models.DateField(_("陈述申辩期限"), null=True, blank=True)
    statement = models.TextField(_("当事人陈述申辩"), blank=True)
    statement_on = models.DateField(_("陈述申辩日期"), null=True, blank=True)
    statement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    hearing_requested = models.BooleanField(_("要求听证"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见（含对陈述申辩的答复）"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    expires_on = models.DateField(_("届满日期"), null=True, blank=True)
    early_removal_from = models.DateField(_("可申请提前移出日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.TextField(_("移出理由"), blank=True)
    measures_lifted = models.BooleanField(_("惩戒措施已解除"), default=False)
    # The credit level before listing, restored when the listing ends (measures lifted).
    previous_credit_level = models.CharField(_("列入前信用等级"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("严重失信主体名单")
        verbose_name_plural = _("严重失信主体名单")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="listing_listed_has_term",
                condition=~Q(status="listed")
                | Q(listed_on__isnull=False, expires_on__isnull=False),
            ),
            models.CheckConstraint(
                name="listing_notified_has_period",
                condition=~Q(status="notified")
                | Q(notice_served_on__isnull=False, statement_due__isnull=False),
            ),
            models.CheckConstraint(
                name="listing_declined_has_reason",
                condition=~Q(status="declined") | ~Q(decision_note=""),
            ),
            models.CheckConstraint(
                name="listing_removed_lifts_measures",
                condition=~Q(status="removed") | Q(measures_lifted=True, removed_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_status_display()}"


class RemovalApplication(models.Model):
    """An enterprise's application to leave the serious-dishonesty list early (R10.2): made by
    the enterprise's user once the listing is twelve months old, decided by the approver."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("同意提前移出")
        REFUSED = "refused", _("不予提前移出")

    listing = models.ForeignKey(
        DishonestyListing, models.PROTECT, related_name="removal_applications"
    )
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    applied_on = models.DateField(_("申请日期"))
    statement = models.TextField(_("申请理由（履行处罚、整改和信用承诺情况）"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("提前移出申请")
        verbose_name_plural = _("提前移出申请")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status="pending"),
                name="removal_one_pending_per_listing",
            ),
            models.CheckConstraint(name="removal_has_statement", condition=~Q(statement="")),
            models.CheckConstraint(
                name="removal_decided_has_date",
                condition=Q(status="pending") | Q(decided_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.get_status_display()}"
