from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import ENTERPRISE_LABELS
from .queries import district_names

GRADE_CHOICES = [("", _("未定级")), ("1", _("一级")), ("2", _("二级")), ("3", _("三级"))]
RISK_CHOICES = [
    ("major", _("重大风险（红）")),
    ("high", _("较大风险（橙）")),
    ("general", _("一般风险（黄）")),
    ("low", _("低风险（蓝）")),
]
LEVEL_CHOICES = [("district", _("区（县）级")), ("city", _("市级"))]
HIGH_RISK_CHOICES = [("", _("按行业推定")), ("true", _("是")), ("false", _("否"))]


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class EnterpriseForm(forms.Form):
    """Display and transport only: the rules live in inputs.clean_enterprise."""

    credit_code = forms.CharField(label=ENTERPRISE_LABELS["credit_code"], max_length=18)
    name = forms.CharField(label=ENTERPRISE_LABELS["name"], max_length=200)
    address = forms.CharField(label=ENTERPRISE_LABELS["address"], max_length=300)
    district_code = forms.ChoiceField(label=ENTERPRISE_LABELS["district_code"])
    industry_code = forms.CharField(
        label=ENTERPRISE_LABELS["industry_code"],
        max_length=5,
        help_text=_("GB/T 4754-2017 小类代码，如 2614"),
    )
    high_risk = forms.ChoiceField(
        label=ENTERPRISE_LABELS["high_risk"], choices=HIGH_RISK_CHOICES, required=False
    )
    high_risk_override_reason = forms.CharField(
        label=ENTERPRISE_LABELS["high_risk_override_reason"], required=False, max_length=300
    )
    standardization_grade = forms.ChoiceField(
        label=ENTERPRISE_LABELS["standardization_grade"], choices=GRADE_CHOICES, required=False
    )
    grade_valid_from = forms.DateField(
        label=ENTERPRISE_LABELS["grade_valid_from"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    grade_valid_to = forms.DateField(
        label=ENTERPRISE_LABELS["grade_valid_to"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    risk_level = forms.ChoiceField(
        label=ENTERPRISE_LABELS["risk_level"], choices=RISK_CHOICES, initial="general"
    )
    credit_level = forms.ChoiceField(
        label=ENTERPRISE_LABELS["credit_level"], choices=[(c, c) for c in "ABCD"], initial="B"
    )
    supervising_level = forms.ChoiceField(
        label=ENTERPRISE_LABELS["supervising_level"], choices=LEVEL_CHOICES
    )
    main_person = forms.CharField(label=ENTERPRISE_LABELS["main_person"], required=False)
    main_person_phone = forms.CharField(
        label=ENTERPRISE_LABELS["main_person_phone"], required=False
    )
    contact_name = forms.CharField(label=ENTERPRISE_LABELS["contact_name"], required=False)
    contact_phone = forms.CharField(label=ENTERPRISE_LABELS["contact_phone"], required=False)
    former_identifiers = forms.CharField(
        label=ENTERPRISE_LABELS["former_identifiers"],
        required=False,
        max_length=300,
        help_text=_("2015年以前的15位工商注册号或9位组织机构代码，多个用“、”分隔；可按其查找"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district_code"]).choices = [
            ("", "—"),
            *sorted(district_names().items()),
        ]

    def raw(self) -> dict:
        """The submitted values, unconverted, for the service to clean."""
        return {name: self.data.get(name, "") for name in self.fields}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"), choices=[("enterprises", _("企业")), ("officers", _("执法人员"))]
    )
    mapping = forms.ChoiceField(
        label=_("文件格式"),
        required=False,
        help_text=_("选择来源的导出格式时，先预览前几行的对应结果，确认后再导入。"),
    )
    file = forms.FileField(label=_("文件（.csv 或 .xlsx）"))

    def __init__(self, *args, **kwargs):
        from .models import ImportMapping

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mapping"]).choices = [
            ("", _("本系统的导入模板或导出文件"))
        ] + [(m.source, m.name) for m in ImportMapping.objects.all()]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False)
    days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=365,
        initial=30,
        error_messages={
            "invalid": _("有效天数（days）应为整数。"),
            "min_value": _("有效天数（days）至少为 1。"),
            "max_value": _("有效天数（days）最多为 365。"),
            "required": _("有效天数（days）：必填。"),
        },
    )
