"""Writing the trail (R8.5): who, when, what and the saved state; one chain per bureau and
day."""

from __future__ import annotations

import datetime as dt

import time_machine

from fairinspect.audit import trail
from fairinspect.audit.models import AuditEvent, Chain
from fairinspect.rules.audit_hashing import GENESIS, state_digest


def test_r8_5_each_event_says_who_when_what_and_the_state_as_saved(admin_user, tianshan_enterprise):
    ev = trail.record(
        actor=admin_user,
        action="update",
        obj=tianshan_enterprise,
        summary="改名",
        data={"name": ["甲", "乙"]},
    )
    ev.refresh_from_db()
    assert (ev.actor_id, ev.actor_name) == (admin_user.pk, "admin1") and ev.at is not None
    assert (ev.object_type, ev.object_id) == ("registry.enterprise", str(tianshan_enterprise.pk))
    assert ev.state["name"] == tianshan_enterprise.name
    assert ev.state["industry_id"] == tianshan_enterprise.industry_id  # foreign keys as ids
    assert ev.state_digest == state_digest(ev.state)
    assert (ev.seq, ev.prev_hash) == (1, GENESIS)


def test_r8_5_the_state_is_read_from_the_database_not_from_a_stale_object(
    admin_user, tianshan_enterprise
):
    from fairinspect.registry.models import Enterprise

    Enterprise.objects.filter(pk=tianshan_enterprise.pk).update(name="新名称有限公司")
    ev = trail.record(actor=admin_user, action="update", obj=tianshan_enterprise, summary="改名")
    assert ev.state["name"] == "新名称有限公司"


def test_r8_5_a_bureau_and_a_day_make_one_chain(make_user, tianshan_enterprise):
    city = make_user("c1", department="650100-WH")  # a section of the city bureau
    city2 = make_user("c2", department="650100-ZH")
    district = make_user("d1", department="650102")
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False):
        a = trail.record(actor=city, action="x", summary="a")
        b = trail.record(actor=city2, action="x", summary="b")
        c = trail.record(actor=district, action="x", summary="c")
        d = trail.record(actor=None, action="x", obj=tianshan_enterprise, summary="d")
    with time_machine.travel(dt.datetime(2026, 12, 1, 17, tzinfo=dt.UTC), tick=False):
        e = trail.record(actor=city, action="x", summary="e")  # 01:00 on the 2nd in Urumqi's zone
    assert a.chain_id == b.chain_id and (a.seq, b.seq) == (1, 2) and b.prev_hash == a.hash
    assert a.chain.key == "650100/2026-12-01"
    assert c.chain.key == "650102/2026-12-01" and c.seq == 1
    assert d.chain.key == "-/2026-12-01" and d.actor_name == "系统"
    assert e.chain.key == "650100/2026-12-02"
    head = Chain.objects.get(key="650100/2026-12-01")
    assert (head.length, head.head) == (2, b.hash)


def test_r8_5_a_deleted_record_is_a_state_of_its_own(admin_user, tianshan_enterprise):
    from fairinspect.planning import conflicts
    from fairinspect.planning.models import OfficerConflict
    from fairinspect.registry.models import Officer

    officer = Officer.objects.create(
        name="回避甲", department=admin_user.department, status="on_duty", post_domains=[]
    )
    c = OfficerConflict.objects.create(
        officer=officer, enterprise=tianshan_enterprise, kind="relative"
    )
    conflicts.withdraw(actor=admin_user, conflict_id=c.pk, reason="登记错误")
    ev = AuditEvent.objects.get(action="withdraw_conflict")
    assert ev.state is None and ev.state_digest == state_digest(None)


def test_r8_5_other_records_a_change_saved_get_their_own_event_in_the_same_chain(
    admin_user, tianshan_enterprise, make_user
):
    from fairinspect.audit.verify import verify
    from fairinspect.registry.models import User

    other = make_user("changed_too", department="650102")
    User.objects.filter(pk=other.pk).update(phone="13800000000")
    main = trail.record(
        actor=admin_user, action="update", obj=tianshan_enterprise, summary="改", also=[other]
    )
    extra = AuditEvent.objects.get(object_type="registry.user", object_id=str(other.pk))
    assert extra.chain_id == main.chain_id and extra.seq == main.seq + 1
    assert extra.data["with"] == f"registry.enterprise:{tianshan_enterprise.pk}"
    assert extra.state["phone"] == "13800000000"
    assert verify(checkpoint=False).ok
