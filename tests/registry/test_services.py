import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.registry import services
from fairinspect.registry.models import Enterprise
from fairinspect.rules.credit_code import make_credit_code

GOOD = {
    "credit_code": make_credit_code("91650102MA7A1B2C3"),
    "name": "天山示例精细化工有限公司",
    "address": "天山区示例路8号",
    "district_code": "650102",
    "industry_code": "2614",
    "standardization_grade": "2",
    "supervising_level": "district",
}


def test_r3_1_an_enterprise_is_registered_with_high_risk_derived_from_its_industry(admin_user):
    ent = services.create_enterprise(actor=admin_user, data=GOOD)
    assert ent.high_risk is True  # 2614 有机化学原料制造 is 危险化学品
    assert ent.standardization_grade == 2
    assert AuditEvent.objects.filter(object_id=str(ent.pk), action="create").exists()


def test_r3_1_a_trade_enterprise_is_not_high_risk(admin_user):
    ent = services.create_enterprise(actor=admin_user, data=GOOD | {"industry_code": "5212"})
    assert ent.high_risk is False


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("credit_code", "91650102MA7A1B2C3X", "credit_code_check_character"),
        ("credit_code", "", "required"),
        ("name", "", "required"),
        ("district_code", "110101", "unknown_district"),
        ("industry_code", "9999", "unknown_industry"),
        ("industry_code", "C", "unknown_industry"),
        ("standardization_grade", "四级", "invalid_choice"),
        ("supervising_level", "省级", "invalid_choice"),
        ("risk_level", "极高", "invalid_choice"),
        ("grade_valid_from", "2025-13-01", "invalid_date"),
        ("main_person_phone", "call me", "invalid_phone"),
    ],
)
def test_r3_1_bad_input_names_the_field_and_rule_and_saves_nothing(admin_user, field, value, code):
    with pytest.raises(ValidationFailed) as err:
        services.create_enterprise(actor=admin_user, data=GOOD | {field: value})
    assert err.value.field == field
    assert err.value.code == code
    assert err.value.message  # a Chinese sentence
    assert not Enterprise.objects.exists()
    assert not AuditEvent.objects.exists()


def test_r3_1_overriding_the_derived_high_risk_flag_needs_a_reason(admin_user):
    with pytest.raises(ValidationFailed) as err:
        services.create_enterprise(actor=admin_user, data=GOOD | {"high_risk": "false"})
    assert err.value.code == "override_needs_reason"
    ent = services.create_enterprise(
        actor=admin_user,
        data=GOOD
        | {"high_risk": "false", "high_risk_override_reason": "已停止危化品生产，仅剩办公"},
    )
    assert ent.high_risk is False and ent.high_risk_override_reason


def test_r3_1_grade_validity_must_be_in_order(admin_user):
    with pytest.raises(ValidationFailed) as err:
        services.create_enterprise(
            actor=admin_user,
            data=GOOD | {"grade_valid_from": "2025-06-01", "grade_valid_to": "2024-06-01"},
        )
    assert err.value.field == "grade_valid_to"


def test_r3_1_a_duplicate_credit_code_is_a_conflict(admin_user):
    services.create_enterprise(actor=admin_user, data=GOOD)
    with pytest.raises(Conflict):
        services.create_enterprise(actor=admin_user, data=GOOD | {"name": "另一家"})
    assert Enterprise.objects.count() == 1


def test_r3_1_update_changes_only_given_fields_and_keeps_the_credit_code(admin_user):
    ent = services.create_enterprise(actor=admin_user, data=GOOD)
    services.update_enterprise(actor=admin_user, enterprise=ent, data={"risk_level": "major"})
    ent.refresh_from_db()
    assert ent.risk_level == "major" and ent.name == GOOD["name"]
    with pytest.raises(ValidationFailed) as err:
        services.update_enterprise(
            actor=admin_user,
            enterprise=ent,
            data={"credit_code": make_credit_code("9165010200000000A")},
        )
    assert err.value.code == "credit_code_immutable"


def test_r8_5_an_update_records_what_changed(admin_user):
    ent = services.create_enterprise(actor=admin_user, data=GOOD)
    services.update_enterprise(actor=admin_user, enterprise=ent, data={"name": "新名称有限公司"})
    ev = AuditEvent.objects.get(action="update")
    assert ev.data["name"] == [GOOD["name"], "新名称有限公司"]
    assert ev.actor_id == admin_user.pk


def test_r6_1_revoking_the_qr_code_increments_its_generation(admin_user, tianshan_enterprise):
    before = tianshan_enterprise.qr_generation
    services.revoke_qr(actor=admin_user, enterprise=tianshan_enterprise)
    assert tianshan_enterprise.qr_generation == before + 1
