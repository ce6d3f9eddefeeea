"""The expert pool's records (R12.1, R12.2) beside the registry's `Expert` (name, employer,
specialties, current term and status): how each expert was selected and appointed (every term),
training, declared ties with enterprises (the facts the conflict-of-interest rule reads), the
evaluation after each visit, and the opinions given on a visit — advice, never the decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Appointment(models.Model):
    class Method(models.TextChoices):
        OPEN = "open", _("公开遴选")
        RECOMMENDED = "recommended", _("单位推荐")
        APPLIED = "applied", _("个人申请、审核入库")

    expert = models.ForeignKey(
        "registry.Expert", models.CASCADE, related_name="appointments", verbose_name=_("专家")
    )
    method = models.CharField(_("遴选方式"), max_length=12, choices=Method.choices)
    selected_on = models.DateField(_("遴选日期"))
    basis = models.TextField(_("遴选情况（资格审查、考核结果）"))
    term_from = models.DateField(_("聘期起"))
    term_to = models.DateField(_("聘期止"))
    document_number = models.CharField(_("聘任文号"), max_length=60, blank=True)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家聘任")
        verbose_name_plural = _("专家聘任")
        ordering = ["-term_from", "-id"]
        constraints = [
            models.CheckConstraint(
                name="appointment_term_order", condition=Q(term_to__gte=F("term_from"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.term_from}–{self.term_to}"


class Training(models.Model):
    expert = models.ForeignKey(
        "registry.Expert", models.CASCADE, related_name="trainings", verbose_name=_("专家")
    )
    on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    provider = models.CharField(_("组织单位"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("专家培训记录")
        verbose_name_plural = _("专家培训记录")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(name="training_hours_positive", condition=Q(hours__gt=0))
        ]

    def __str__(self) -> str:
        return self.topic


class Tie(models.Model):
    """A relationship with an enterprise the expert declared (or the bureau found): the fact
    `rules.experts.conflicts` reads."""

    KINDS = (
        ("employed", _("在该企业任职")),
        ("consulted", _("为该企业提供咨询、技术服务或评价")),
        ("director", _("担任该企业董事、监事或高级管理人员")),
        ("shareholder", _("持股或投资关系")),
        ("relative", _("近亲属在该企业任负责人或安全管理人员")),
        ("dispute", _("与该企业有法律纠纷")),
    )
    expert = models.ForeignKey(
        "registry.Expert", models.CASCADE, related_name="ties", verbose_name=_("专家")
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="expert_ties", verbose_name=_("企业")
    )
    kind = models.CharField(_("关系"), max_length=12, choices=KINDS)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家利害关系")
        verbose_name_plural = _("专家利害关系")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.expert_id}-{self.enterprise_id} {self.kind}"


class Evaluation(models.Model):
    """The team's evaluation of an expert after a visit (R12.1 监督评价)."""

    visit = models.ForeignKey(
        "visits.Visit", models.CASCADE, related_name="expert_evaluations", verbose_name=_("检查")
    )
    expert = models.ForeignKey(
        "registry.Expert", models.CASCADE, related_name="evaluations", verbose_name=_("专家")
    )
    score = models.PositiveSmallIntegerField(_("评价（1–5）"))
    comment = models.TextField(_("评价意见"), blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    on = models.DateField(_("评价日期"))

    class Meta:
        verbose_name = _("专家评价")
        verbose_name_plural = _("专家评价")
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "expert"], name="evaluation_once_per_visit"),
            models.CheckConstraint(
                name="evaluation_score_range", condition=Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}@{self.visit_id}: {self.score}"


class Advice(models.Model):
    """An expert's opinion on a visit: technical advice recorded by the team, shown apart from
    findings, hazards, orders and decisions and never one of them (R12.2)."""

    visit = models.ForeignKey(
        "visits.Visit", models.CASCADE, related_name="expert_advice", verbose_name=_("检查")
    )
    expert = models.ForeignKey(
        "registry.Expert", models.PROTECT, related_name="advice", verbose_name=_("专家")
    )
    text = models.TextField(_("专家意见建议"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家意见")
        verbose_name_plural = _("专家意见")
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(name="advice_has_text", condition=~Q(text=""))]

    def __str__(self) -> str:
        return f"{self.expert_id}@{self.visit_id}"
