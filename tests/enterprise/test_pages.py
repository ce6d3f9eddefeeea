"""The pages as the enterprise and the officer use them: a self-check filed through its form,
a rectification reported with a photo and reviewed on the officer's follow-up page, and
self-inspection (R10.4) from the application to the draw that leaves the enterprise out."""

from __future__ import annotations

import datetime as dt

from fairinspect.enterprise.models import Evidence, RectificationReport, SelfCheck, SelfInspection
from fairinspect.enterprise.standards import standard_by_code
from fairinspect.visits import services as visit_services

from .conftest import PNG, upload


def test_r11_2_the_form_files_a_self_check_and_a_refused_one_keeps_what_was_typed(
    client, ent_user, group, items
):
    client.force_login(ent_user)
    page = client.get("/enterprise/self-checks/new/").content.decode()
    assert "安监总管三〔2017〕121号" in page and "第十五至第二十项未录入" in page
    form = {
        "checked_on": "2025-06-12",
        "participant_ids": [group["leader"].pk, group["union"].pk],
        "reported_to_main_person_on": "2025-06-13",
        "main_person_took_part": "on",
    }
    for item in standard_by_code("huagong-2017").items:
        form[f"result_{item['code']}"] = "ok"
    form["result_HG-03"] = "hazard"
    form["place_HG-03"] = "原料罐区"
    refused = client.post("/enterprise/self-checks/new/", form)
    assert refused.status_code == 200 and not SelfCheck.objects.exists()
    assert "原料罐区" in refused.content.decode()
    form.update(
        {
            "note_HG-03": "外部安全防护距离不足",
            "inspection_item_HG-03": items["onsite"][0].code,
            "measures_HG-03": "停用并迁移罐组",
            "deadline_HG-03": "2025-09-30",
        }
    )
    resp = client.post("/enterprise/self-checks/new/", form)
    sc = SelfCheck.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/enterprise/self-checks/{sc.pk}/"
    assert sc.main_person_took_part and sc.hazards.get().place == "原料罐区"
    assert {p["name"] for p in sc.participants} == {"李组长", "赵工会"}


def test_a_rectification_reported_with_a_photo_is_reviewed_on_the_officers_follow_up_page(
    client, ent_user, started_visit, team
):
    (u1, o1), (_u2, o2) = team
    v = started_visit()
    h = visit_services.record_hazard(actor=u1, visit=v, level="general", description="消防通道堵塞")
    order = visit_services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=dt.date(2025, 7, 1)
    )
    visit_services.check_out(actor=u1, visit=v)
    client.force_login(ent_user)
    home = client.get("/enterprise/").content.decode()
    assert f"report-order-{order.pk}" in home
    bad = client.post(
        f"/enterprise/rectification/new/?order={order.pk}",
        {"description": "已清理", "files": [upload("x.png", b"not an image")]},
    )
    assert bad.status_code == 200 and not RectificationReport.objects.exists()
    resp = client.post(
        f"/enterprise/rectification/new/?order={order.pk}",
        {"description": "已清理通道并划线", "files": [upload("通道.png", PNG)]},
    )
    r = RectificationReport.objects.get()
    assert resp.status_code == 302
    import hashlib

    ev = Evidence.objects.get()
    assert (
        ev.sha256 == hashlib.sha256(PNG).hexdigest() and ev.enterprise_id == ent_user.enterprise_id
    )
    follow = visit_services.create_follow_up(
        actor=u1, order=order, planned_date=dt.date(2025, 7, 2), officer_ids=[o1.pk, o2.pk]
    )
    client.force_login(u1)
    page = client.get(f"/visits/{follow.pk}/").content.decode()
    assert "已清理通道并划线" in page and ev.sha256 in page and f"accept-report-{r.pk}" in page
    resp = client.post(
        f"/enterprise/rectification/{r.pk}/review/",
        {"accepted": "1", "note": "", "next": f"/visits/{follow.pk}/"},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/visits/{follow.pk}/"
    r.refresh_from_db()
    assert r.review == "accepted" and r.reviewed_by == u1


def test_r10_4_an_eligible_enterprise_self_inspects_and_the_draw_leaves_it_out(
    client,
    ent_user,
    approver_user,
    city_officer,
    make_user,
    make_officer,
    make_enterprise,
    items,
    team,
):
    from fairinspect.cases.models import CreditRecord
    from fairinspect.planning import draws
    from fairinspect.rules import sampling

    ent = ent_user.enterprise
    client.force_login(ent_user)
    assert "暂不符合" in client.get("/enterprise/self-inspection/").content.decode()
    ent.credit_level, ent.registered_on, ent.standardization_grade = "A", dt.date(2010, 3, 1), 1
    ent.save()
    page = client.get("/enterprise/self-inspection/").content.decode()
    assert "符合企业自我检查的条件" in page
    client.post("/enterprise/self-inspection/", {"year": "2025", "report": "本年度自我检查报告……"})
    si = SelfInspection.objects.get()
    assert si.status == "submitted" and si.eligibility["eligible"]
    client.force_login(approver_user)
    client.post(f"/enterprise/bureau/self-inspections/{si.pk}/decide/", {"accept": "1"})
    si.refresh_from_db()
    assert si.status == "accepted"

    # The draw's enterprise pool lists it among the excluded, with the reason (R10.4).
    from fairinspect.core.roles import Role

    planner = make_user("planner", Role.OFFICER, department="650100-WH", first_name="计划员")
    make_officer("计划员", department="650100-WH", user=planner)
    other = make_enterprise(supervising_level="city", name="另一家化工有限公司")
    task = draws.create_task(
        actor=planner,
        data={
            "title": "2025年危险化学品储存安全“双随机”抽查",
            "items": [items["onsite"][0].code],
            "window_start": "2025-07-01",
            "window_end": "2025-07-31",
            "count": "1",
        },
    )
    task = draws.publish_pools(actor=planner, task=task)
    excluded = {e["id"]: e["reasons"] for e in task.pools.get(kind="enterprises").excluded}
    assert [r["code"] for r in excluded[ent.credit_code]] == ["self_inspecting_this_year"]
    assert other.credit_code not in excluded
    # The annual plan of the bureau lists it as self-inspecting (no routine planned visit).
    from fairinspect.planning import services as planning_services

    plan = planning_services.create_plan(actor=planner, data={"year": "2025"})
    client.force_login(planner)
    page = client.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "实行企业自我检查的企业（1家）" in page and ent.name in page and other.name not in page
    assert sampling.Code.SELF_INSPECTING.value == "self_inspecting_this_year"
    # An accident afterwards: eligibility is asked again, and a new report is refused.
    CreditRecord.objects.create(
        enterprise=ent, kind="accident", on=dt.date(2025, 6, 1), summary="一般事故"
    )
    client.force_login(ent_user)
    assert "近5年内有事故记录" in client.get("/enterprise/self-inspection/").content.decode()


def test_r11_2_a_refused_self_check_names_each_box_at_fault(client, ent_user, group, items):
    client.force_login(ent_user)
    form = {"checked_on": "2025-06-12", "reported_to_main_person_on": "abc"}
    for item in standard_by_code("huagong-2017").items:
        form[f"result_{item['code']}"] = "ok"
    form["deadline_HG-03"] = "abc"
    form["deadline_OTHER"] = "abc"
    refused = client.post("/enterprise/self-checks/new/", form)
    page = refused.content.decode()
    assert refused.status_code == 200 and not SelfCheck.objects.exists()
    for named in (
        "参加人员：",
        "报告主要负责人日期：",
        "整改期限（HG-03）：",
        "整改期限（OTHER）：",
    ):
        assert named in page, named
