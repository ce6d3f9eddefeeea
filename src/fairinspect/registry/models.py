"""Registries: departments, industries, enterprises, officers and their certificates, experts,
and the people who log in. Invariants are database constraints, not only form checks."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairinspect.rules.certificates import CertificateStatus, OfficerStatus
from fairinspect.rules.domains import DOMAIN_LABELS
from fairinspect.rules.search import key_grams, search_key


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
    # From the market regulator's registration records (国家企业信用信息公示系统), as exported.
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    enterprise_type = models.CharField(_("企业类型"), max_length=100, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    registered_capital = models.CharField(_("注册资本"), max_length=100, blank=True)
    business_scope = models.TextField(_("经营范围"), blank=True)
    registration_authority = models.CharField(_("登记机关"), max_length=100, blank=True)
    # Names the enterprise had before (a re-import that changes the name appends the old one).
    former_names = models.JSONField(_("曾用名"), default=list, blank=True)
    # Identifiers that are not credit codes (15-digit 工商注册号, organisation code), kept.
    former_identifiers = models.JSONField(_("原注册号/组织机构代码"), default=list, blank=True)
    # The import source that last carried the enterprise, and since when it no longer does:
    # an enterprise missing from its source's newest export is flagged, never deleted.
    source = models.CharField(_("数据来源"), max_length=50, blank=True)
    missing_from_source_since = models.DateTimeField(
        _("来源中已无此企业（起）"), null=True, blank=True
    )
    # rules.search.search_key of the name, former names, code and address (what search reads).
    search_key = models.TextField(_("检索键"), blank=True, default="", editable=False)
    # rules.search.key_grams of the key: the two-character pieces the GIN index reads on
    # PostgreSQL (migration 0006), computed by the application, never by the database.
    search_grams = models.TextField(blank=True, default="", editable=False)
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

    def save(self, *args, **kwargs):
        # search_key is derived from the row's own columns (a denormalised index column, no
        # rule): kept right on every save; the importer, which bulk-writes, computes it too.
        self.set_search_key()
        fields = kwargs.get("update_fields")
        if fields is not None and self.KEY_SOURCES & set(fields):
            kwargs["update_fields"] = {*fields, "search_key", "search_grams"}
        super().save(*args, **kwargs)

    KEY_SOURCES = frozenset(
        {"name", "former_names", "former_identifiers", "credit_code", "address"}
    )

    def computed_search_key(self) -> str:
        return search_key(
            name=self.name,
            former_names=self.former_names or (),
            credit_code=self.credit_code,
            address=self.address,
            former_identifiers=self.former_identifiers or (),
        )

    def set_search_key(self) -> None:
        self.search_key = self.computed_search_key()
        self.search_grams = key_grams(self.search_key)


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
    """Login attempts recorded before django-axes kept them (axes' AccessAttempt/AccessLog
    now decide the lock-out); kept so that earlier history is not lost."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="login_attempt_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.username} {'ok' if self.succeeded else 'failed'} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once.

    It dies when it expires, when its owner or an administrator revokes it, and when the
    owner's password changes (`password_mark` is a digest of the password hash it was
    issued under; auth.user_for_token compares it)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("令牌开头"), max_length=8, blank=True)
    password_mark = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d}"


class ImportMapping(models.Model):
    """How one source's export names its columns: header → registry field, and the values a
    new enterprise takes for fields the source does not carry (industry, supervising level).
    Saved per source; the national enterprise credit publicity export is the first."""

    source = models.SlugField(_("来源标识"), max_length=50, unique=True)
    name = models.CharField(_("来源名称"), max_length=100)
    columns = models.JSONField(_("列对应"), default=dict)  # {"企业名称": "name", ...}
    defaults = models.JSONField(_("新企业默认值"), default=dict)  # {"industry_code": "…"}
    # Whether an enterprise of this source that is missing from a complete export is flagged.
    flags_missing = models.BooleanField(_("标记来源中消失的企业"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        ordering = ["source"]

    def __str__(self) -> str:
        return self.name


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
        FAILED = "failed", _("中断，未导入（可重新运行）")

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
    unchanged_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)
    mapping = models.ForeignKey(
        ImportMapping, models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    # The one runner that claimed the job (services.claim_import) and its lease: a runner
    # renews heartbeat_at while it works; a job whose lease ran out is failed by the reaper.
    runner = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Values normalised with a note (a code pasted with spaces …): [{"row", "field", "message"}]
    notes = models.JSONField(default=list)
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
