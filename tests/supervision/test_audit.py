from fairinspect.supervision import audit
from fairinspect.supervision.models import AuditEvent


def _three(admin_user, tianshan_enterprise):
    for i in range(3):
        audit.record(
            actor=admin_user,
            action="update",
            obj=tianshan_enterprise,
            summary=f"第{i}次修改",
            data={"i": i},
        )


def test_r8_5_an_untouched_chain_verifies(admin_user, tianshan_enterprise):
    _three(admin_user, tianshan_enterprise)
    check = audit.verify_chain()
    assert check.ok and check.checked == 3


def test_r8_5_editing_a_stored_event_is_detected(admin_user, tianshan_enterprise):
    _three(admin_user, tianshan_enterprise)
    ev = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=ev.pk).update(summary="悄悄改过")
    check = audit.verify_chain()
    assert not check.ok and check.first_broken_id == ev.pk


def test_r8_5_deleting_an_event_is_detected(admin_user, tianshan_enterprise):
    _three(admin_user, tianshan_enterprise)
    _first, second, third = AuditEvent.objects.order_by("id")
    second.delete()
    check = audit.verify_chain()
    assert not check.ok and check.first_broken_id == third.pk


def test_r8_5_each_event_says_who_when_and_what(admin_user, tianshan_enterprise):
    ev = audit.record(
        actor=admin_user,
        action="update",
        obj=tianshan_enterprise,
        summary="改名",
        data={"name": ["甲", "乙"]},
    )
    assert ev.actor_name == "admin1" and ev.at is not None
    assert (ev.object_type, ev.object_id) == ("registry.enterprise", str(tianshan_enterprise.pk))


def test_r8_5_the_supervisor_checks_the_chain_on_the_page(
    login, supervisor, admin_user, tianshan_enterprise
):
    _three(admin_user, tianshan_enterprise)
    page = login(supervisor).get("/supervision/audit/?verify=1").content.decode()
    assert "审计链完整，共3条记录" in page
