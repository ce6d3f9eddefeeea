"""The demo's accounts as the login page lists them (only in demo mode, settings.DEMO), with
one line on what to try as each. The accounts themselves are made by registry/demo.py."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .demo import PASSWORD
from .models import User

DEMO_ACCOUNTS = [
    ("officer", _("执法人员：今天的检查，扫码入企前的预检结论，现场记录隐患和整改指令")),
    ("ts_officer", _("天山区执法人员：只看得到本区企业；和 ts_officer2 两人在各自手机上确认入企")),
    ("approver", _("审批负责人：待我审批的检查方案、年度计划、专项检查和处罚案件")),
    ("legal", _("法制审核人员：待法制审核的处罚案件，审核意见与裁量理由")),
    ("supervisor", _("监督人员：审计记录与防篡改校验")),
    ("enterprise", _("企业用户：本企业的检查公示，核验执法人员、评价检查，本企业的处罚案件")),
    ("admin", _("管理员：企业与执法人员名录，批量导入，执法证件清查")),
    ("expert", _("专家：随执法人员参加检查，只提供技术意见")),
]


def demo_accounts() -> list[dict]:
    """The demo accounts that exist in this database, or none outside demo mode."""
    if not settings.DEMO:
        return []
    existing = set(
        User.objects.filter(
            username__in=[u for u, _h in DEMO_ACCOUNTS], is_active=True
        ).values_list("username", flat=True)
    )
    return [
        {"username": u, "hint": hint, "password": PASSWORD}
        for u, hint in DEMO_ACCOUNTS
        if u in existing
    ]
