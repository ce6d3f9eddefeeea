"""The inspection-item list (涉企行政检查事项清单), versioned (R2).

A version is drafted, then published: publishing makes it the one in force, supersedes the
previous one and stores the change log between them. Its filing with the Justice Bureau
(报市司法局备案) is recorded on the version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.registry.models import DOMAIN_CHOICES


class ItemListVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("现行有效")
        SUPERSEDED = "superseded", _("已废止")

    number = models.CharField(_("版本号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, verbose_name=_("基于版本")
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    filing_date = models.DateField(_("备案日期"), null=True, blank=True)
    filing_doc_no = models.CharField(_("备案文号"), max_length=100, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事项清单版本")
        verbose_name_plural = _("事项清单版本")
        ordering = ["-published_at", "-id"]
        constraints = [
            # Exactly one version is in force at a time.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="itemlist_one_published"
            ),
            models.CheckConstraint(
                name="itemlist_published_has_time",
                condition=Q(status="draft") | Q(published_at__isnull=False),
            ),
            models.CheckConstraint(
                name="itemlist_filing_complete",
                condition=Q(filing_date__isnull=True, filing_doc_no="")
                | (Q(filing_date__isnull=False) & ~Q(filing_doc_no="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class InspectionItem(models.Model):
    version = models.ForeignKey(ItemListVersion, models.CASCADE, related_name="items")
    code = models.CharField(_("事项编码"), max_length=30)
    name = models.CharField(_("事项名称"), max_length=200)
    domain = models.CharField(_("执法领域"), max_length=20, choices=DOMAIN_CHOICES)
    # [{"law", "version", "article", "clause", "text_excerpt"}]
    legal_basis = models.JSONField(_("检查依据"))
    implementing_unit = models.CharField(_("实施主体（科室/岗位）"), max_length=100)
    content = models.JSONField(_("检查内容（要点）"))
    method_on_site = models.TextField(_("现场检查流程"), blank=True)
    method_documents = models.TextField(_("资料审查要求"), blank=True)
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    offsite_capable = models.BooleanField(_("可非现场检查"), default=False)
    cross_department = models.BooleanField(_("跨部门综合监管事项"), default=False)
    cross_departments = models.JSONField(_("联合检查部门"), default=list, blank=True)

    class Meta:
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="item_code_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemChange(models.Model):
    """One line of the change log between a published version and the one before it."""

    class Kind(models.TextChoices):
        ADDED = "added", _("新增")
        REMOVED = "removed", _("删除")
        MODIFIED = "modified", _("修改")

    version = models.ForeignKey(ItemListVersion, models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=10, choices=Kind.choices)
    item_code = models.CharField(_("事项编码"), max_length=30)
    item_name = models.CharField(_("事项名称"), max_length=200)
    fields = models.JSONField(_("变更字段"), default=list)

    class Meta:
        verbose_name = _("清单变更")
        verbose_name_plural = _("清单变更")
        ordering = ["version", "item_code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item_code}"


# ------------------------------------------------ the compliance guidance list (R2.4)


class GuidanceListVersion(models.Model):
    """A version of the enterprise compliance guidance list (企业行政合规指导清单, measure 五):
    drafted, then published like the item list; one version is in force at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("现行有效")
        SUPERSEDED = "superseded", _("已废止")

    number = models.CharField(_("版本号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, verbose_name=_("基于版本")
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合规指导清单版本")
        verbose_name_plural = _("合规指导清单版本")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="guidance_one_published"
            ),
            models.CheckConstraint(
                name="guidance_published_has_time",
                condition=Q(status="draft") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class Audience(models.TextChoices):
    """Who guidance is given to, by role (never a named person: R2.4 needs no personal data).
    Nothing here is a condition of a visit: the legal representative is never required."""

    MAIN_PERSON = "main_person_in_charge", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
    KEY_POST = "key_post", _("关键岗位人员")
    SPECIAL_OPERATIONS = "special_operations", _("特种作业人员")
    WORKERS = "workers", _("从业人员")


class GuidanceEntry(models.Model):
    version = models.ForeignKey(GuidanceListVersion, models.CASCADE, related_name="entries")
    code = models.CharField(_("条目编码"), max_length=30)
    name = models.CharField(_("合规事项"), max_length=200)
    requirement = models.TextField(_("合规要求"))
    # [{"law", "version", "article", "clause", "text_excerpt"}], as on inspection items.
    legal_basis = models.JSONField(_("法律依据"))
    # GB/T 4754 code prefixes; empty: every industry.
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    item_codes = models.JSONField(_("相关检查事项"), default=list, blank=True)
    violation_codes = models.JSONField(_("预防的违法行为（目录编码）"), default=list, blank=True)
    common_violations = models.JSONField(_("常见违法情形"), default=list, blank=True)
    self_check_points = models.JSONField(_("自查要点"), default=list, blank=True)
    audiences = models.JSONField(_("指导对象"), default=list, blank=True)

    class Meta:
        verbose_name = _("合规指导条目")
        verbose_name_plural = _("合规指导条目")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="guidance_code_unique_in_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GuidanceChange(models.Model):
    """One line of the change log between a published guidance version and the one before."""

    version = models.ForeignKey(GuidanceListVersion, models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=10, choices=ItemChange.Kind.choices)
    entry_code = models.CharField(_("条目编码"), max_length=30)
    entry_name = models.CharField(_("合规事项"), max_length=200)
    fields = models.JSONField(_("变更字段"), default=list)

    class Meta:
        verbose_name = _("合规指导清单变更")
        verbose_name_plural = _("合规指导清单变更")
        ordering = ["version", "entry_code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entry_code}"
