"""Registries: departments, industries, enterprises, officers and their certificates, experts,
and the people who log in. Invariants are database constraints, not only form checks."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.certificates import CertificateStatus, OfficerStatus
from fairinspect.rules.domains import DOMAIN_LABELS


class Level(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区（县）级")


DOMAIN_CHOICES = [(d.value, label) for d, label in DOMAIN_LABELS.items()]


class Department(models.Model):
    """A bureau (the city's or a district's) or one of its sections (科室)."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("局")
        SECTION = "section", _("科室")

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    division_code = models.CharField(_("行政区划代码"), max_length=6)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("上级"),
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="department_section_has_parent",
                condition=Q(kind="bureau") | Q(parent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def bureau(self) -> Department:
        return self.parent or self


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类, every level (门类 A … 小类 0111)."""

    code = models.CharField(_("代码"), max_length=5, primary_key=True)
    level = models.PositiveSmallIntegerField(_("级别"))
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    domain = models.CharField(
        _("执法领域"), max_length=20, choices=DOMAIN_CHOICES, default="general"
    )
    high_risk = models.BooleanField(_("高危行业领域"), default=False)

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Enterprise(models.Model):
    class RiskLevel(models.TextChoices):
        MAJOR = "major", _("重大风险（红）")
        HIGH = "high", _("较大风险（橙）")
        GENERAL = "general", _("一般风险（黄）")
        LOW = "low", _("低风险（蓝）")

    class CreditLevel(models.TextChoices):
        A = "A", _("A 守信")
        B = "B", _("B 基本守信")
        C = "C", _("C 失信")
        D = "D", _("D 严重失信")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在营")
        SUSPENDED = "suspended", _("停产停业")
        CLOSED = "closed", _("注销")

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300)
    district_code = models.CharField(_("所在区县"), max_length=6, db_index=True)
    industry = models.ForeignKey(Industry, models.PROTECT, verbose_name=_("行业"))
    high_risk = models.BooleanField(_("高危行业领域"))
    high_risk_override_reason = models.CharField(
        _("高危认定调整理由"),
        max_length=300,
        blank=True,
        help_text=_("与行业分类推定不一致时必须说明理由"),
    )
    standardization_grade = models.PositiveSmallIntegerField(
        _("安全生产标准化等级"),
        null=True,
        blank=True,
        choices=[(1, _("一级")), (2, _("二级")), (3, _("三级"))],
    )
    grade_valid_from = models.DateField(_("定级有效期起"), null=True, blank=True)
    grade_valid_to = models.DateField(_("定级有效期止"), null=True, blank=True)
    risk_level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )
    credit_level = models.CharField(
        _("信用等级"), max_length=1, choices=CreditLevel.choices, default=CreditLevel.B
    )
    supervising_level = models.CharField(_("监管层级"), max_length=10, choices=Level.choices)
    main_person = models.CharField(_("主要负责人"), max_length=50, blank=True)
    main_person_phone = models.CharField(_("主要负责人电话"), max_length=20, blank=True)
    contact_name = models.CharField(_("安全联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # Incremented to revoke every QR code printed before; the token signs (id, generation).
    qr_generation = models.PositiveIntegerField(_("二维码版本"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"], name="enterprise_name_idx"),
            models.Index(fields=["district_code", "industry"], name="enterprise_district_ind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="enterprise_credit_code_len",
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
            ),
            models.CheckConstraint(
                name="enterprise_grade_range",
                condition=Q(standardization_grade__isnull=True)
                | Q(standardization_grade__in=[1, 2, 3]),
            ),
            models.CheckConstraint(
                name="enterprise_grade_validity_order",
                condition=Q(grade_valid_from__isnull=True)
                | Q(grade_valid_to__isnull=True)
                | Q(grade_valid_to__gte=models.F("grade_valid_from")),
            ),
            models.CheckConstraint(
                name="enterprise_supervising_level_valid",
                condition=Q(supervising_level__in=["city", "district"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Officer(models.Model):
    """A person of the bureau who may hold an enforcement certificate."""

    name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey(Department, models.PROTECT, verbose_name=_("所在部门"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        default=OfficerStatus.ON_DUTY,
        choices=[
            (s.value, lbl)
            for s, lbl in (
                (OfficerStatus.ON_DUTY, _("在岗")),
                (OfficerStatus.OFF_POST, _("离岗")),
                (OfficerStatus.LEFT, _("离职")),
                (OfficerStatus.RETIRED, _("退休")),
            )
        ],
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    post_domains = models.JSONField(_("岗位执法领域"), default=list, blank=True)
    user = models.OneToOneField(
        "User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("登录账号"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("执法人员")
        verbose_name_plural = _("执法人员")
        ordering = ["department__code", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """An administrative enforcement certificate (行政执法证)."""

    officer = models.ForeignKey(Officer, models.CASCADE, related_name="certificates")
    number = models.CharField(_("执法证号"), max_length=30, unique=True)
    issuer = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    scopes = models.JSONField(_("执法领域"), default=list)
    status = models.CharField(
        _("证件状态"),
        max_length=10,
        default=CertificateStatus.VALID,
        choices=[
            (CertificateStatus.VALID.value, _("有效")),
            (CertificateStatus.SUSPENDED.value, _("暂扣")),
            (CertificateStatus.REVOKED.value, _("注销")),
        ],
    )

    class Meta:
        verbose_name = _("执法证件")
        verbose_name_plural = _("执法证件")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                name="certificate_validity_order", condition=Q(valid_to__gte=models.F("valid_from"))
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Expert(models.Model):
    """A member of the expert pool (执法检查专家库): technical support, never an inspector."""

    class Status(models.TextChoices):
        APPOINTED = "appointed", _("在聘")
        SUSPENDED = "suspended", _("暂停")
        DISMISSED = "dismissed", _("解聘")

    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    specialties = models.JSONField(_("专业领域"), default=list)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    appointed_from = models.DateField(_("聘期起"))
    appointed_to = models.DateField(_("聘期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.APPOINTED
    )
    conflicts = models.ManyToManyField(
        Enterprise, blank=True, related_name="conflicted_experts", verbose_name=_("回避企业")
    )

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="expert_term_order", condition=Q(appointed_to__gte=models.F("appointed_from"))
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. Staff belong to a department; an enterprise user to exactly one enterprise."""

    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, verbose_name=_("所在部门")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属企业"),
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="user_staff_or_enterprise",
                condition=Q(department__isnull=True) | Q(enterprise__isnull=True),
            ),
        ]


class LoginAttempt(models.Model):
    """Every login attempt, kept to slow down password guessing (and for the audit)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="login_attempt_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.username} {'ok' if self.succeeded else 'failed'} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """One upload of enterprises or officers: validated whole, then written whole or not at all."""

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", _("企业")
        OFFICERS = "officers", _("执法人员")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        VALIDATING = "validating", _("校验中")
        WRITING = "writing", _("写入中")
        DONE = "done", _("已导入")
        REJECTED = "rejected", _("有错误，未导入")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField()
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [{"row": 7, "field": "credit_code", "column": "统一社会信用代码", "code": ..., "message": ...}]
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"
