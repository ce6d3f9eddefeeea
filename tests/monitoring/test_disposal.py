"""The disposal loop (R4.3): the enterprise acknowledges and reports its action within a
deadline, the bureau reviews, nobody acting escalates; offline sensors raise warnings."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from fairinspect.audit.models import AuditEvent
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.monitoring import services
from fairinspect.monitoring.models import EarlyWarning

from .conftest import T0, at


@pytest.fixture
def orange(send, gas_point):
    with time_machine.travel(T0, tick=False):
        body = send(
            "d-1",
            [
                {"point": "GT-101", "at": at(-120), "value": 45.0},
                {"point": "GT-101", "at": at(-60), "value": 55.0},
            ],
        ).json()
    return EarlyWarning.objects.get(number__in=body["warnings_opened"], rule_kind="high_high")


def test_r4_3_the_enterprise_acknowledges_reports_and_the_bureau_closes_the_warning(
    orange, enterprise_user, tianshan_officer
):
    services.acknowledge(actor=enterprise_user, warning=orange)
    with pytest.raises(Conflict):
        services.acknowledge(actor=enterprise_user, warning=orange)
    with pytest.raises(ValidationFailed):
        services.report_action(actor=enterprise_user, warning=orange, text="好")
    services.report_action(
        actor=enterprise_user, warning=orange, text="关闭泄漏阀门，通风处理，复测 2%LEL"
    )
    services.review(actor=tianshan_officer, warning=orange, decision="accepted", note="处置到位")
    orange.refresh_from_db()
    assert orange.stage == "closed" and orange.reviewed_by == tianshan_officer
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(orange.pk), object_type="monitoring.earlywarning"
        ).values_list("action", flat=True)
    )
    assert {
        "monitoring.warning_opened",
        "monitoring.warning_acknowledged",
        "monitoring.warning_reported",
        "monitoring.warning_reviewed",
    } <= actions


def test_r4_3_only_the_enterprise_itself_acknowledges_and_only_staff_review(
    orange, other_enterprise_user, tianshan_officer, enterprise_user
):
    with pytest.raises(Forbidden):
        services.acknowledge(actor=other_enterprise_user, warning=orange)
    with pytest.raises(Forbidden):
        services.acknowledge(actor=tianshan_officer, warning=orange)
    services.acknowledge(actor=enterprise_user, warning=orange)
    services.report_action(actor=enterprise_user, warning=orange, text="更换探头并校准")
    with pytest.raises(Forbidden):
        services.review(actor=enterprise_user, warning=orange, decision="accepted")


def test_r4_3_a_returned_report_goes_back_to_the_enterprise_with_a_fresh_deadline(
    orange, enterprise_user, tianshan_officer
):
    services.acknowledge(actor=enterprise_user, warning=orange)
    services.report_action(actor=enterprise_user, warning=orange, text="已关闭阀门处理")
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        services.review(
            actor=tianshan_officer, warning=orange, decision="returned", note="请附复测记录"
        )
    orange.refresh_from_db()
    assert orange.stage == "acknowledged"
    assert orange.report_by == T0 + dt.timedelta(hours=5 + 24)


def test_r4_3_nobody_acting_escalates_once_per_missed_step_and_the_sweep_is_idempotent(orange):
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        call_command("monitor_sweep")
        call_command("monitor_sweep")
    orange.refresh_from_db()
    assert orange.escalation_level == 1  # not acknowledged within 2 hours
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        assert services.escalate_overdue() >= 1
        assert services.escalate_overdue() == 0
    orange.refresh_from_db()
    assert orange.escalation_level == 2


def test_r4_3_an_offline_sensor_raises_a_stale_warning_that_the_next_reading_clears(
    send, gas_point
):
    with time_machine.travel(T0, tick=False):
        send("s-1", [{"point": "GT-101", "at": at(-10), "value": 1.0}])
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert services.sweep_stale() == 1
        assert services.sweep_stale() == 0
    w = EarlyWarning.objects.get(point=gas_point, rule_kind="stale")
    assert w.grade == "blue" and w.cleared_at is None
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        send("s-2", [{"point": "GT-101", "at": at(660), "value": 1.0}])
    w.refresh_from_db()
    assert w.cleared_at is not None


def test_r4_3_a_gateway_key_is_issued_by_territory_staff_and_printed_once(
    tianshan_enterprise, tianshan_officer, other_enterprise_user
):
    import io

    from django.core.management import CommandError

    from fairinspect.monitoring.models import IngestCredential

    out = io.StringIO()
    call_command(
        "monitor_credential",
        tianshan_enterprise.credit_code,
        "DCS-2",
        by=tianshan_officer.username,
        stdout=out,
    )
    key = out.getvalue().split("X-Gateway-Key: ")[1].strip()
    cred = IngestCredential.objects.get(gateway="DCS-2")
    assert services.credential_for_key(key) == cred and key not in cred.key_hash
    with pytest.raises(CommandError):
        call_command(
            "monitor_credential",
            tianshan_enterprise.credit_code,
            "DCS-3",
            by=other_enterprise_user.username,
        )
