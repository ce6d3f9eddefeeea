from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fairinspect.registry import services as registry
from fairinspect.rules.credit_code import make_credit_code


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    """Each test signs with a key file of its own, outside the database."""
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "audit-hmac.key"


@pytest.fixture
def run_verify():
    """`fairinspect audit-verify ...` as cron runs it: (exit code, output)."""

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        try:
            call_command("audit_verify", *args, stdout=out)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        return code, out.getvalue()

    return run


@pytest.fixture
def enterprise_history(admin_user):
    """An enterprise registered and changed twice through the registry services."""
    ent = registry.create_enterprise(
        actor=admin_user,
        data={
            "credit_code": make_credit_code("91650102MA7A1B2C3"),
            "name": "天山示例精细化工有限公司",
            "address": "天山区示例路8号",
            "district_code": "650102",
            "industry_code": "2614",
            "standardization_grade": "2",
            "supervising_level": "district",
        },
    )
    registry.update_enterprise(
        actor=admin_user, enterprise=ent, data={"address": "天山区示例路9号"}
    )
    registry.update_enterprise(actor=admin_user, enterprise=ent, data={"contact_name": "李四"})
    ent.refresh_from_db()
    return ent
