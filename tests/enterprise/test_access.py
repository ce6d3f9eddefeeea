"""Each enterprise sees only its own records (the access table across two enterprises), its
own served documents included (its 现场检查记录 was refused before), never the internal
plan or the bureau's pages."""

from __future__ import annotations

import pytest

from fairinspect.core.roles import Role
from fairinspect.enterprise import services
from fairinspect.visits import services as visit_services

from .conftest import upload


@pytest.fixture
def two(make_enterprise, make_user, ent_user, group, file_check, started_visit, team, items):
    """Enterprise A (with its group, a self-check, a done visit with an order and a
    rectification report with a photo) and enterprise B with the same."""
    from fairinspect.enterprise.inputs import EnterpriseMemberIn

    (u1, _), _ = team
    b = make_enterprise(
        name="乙企业有限公司", supervising_level="city", high_risk=True, standardization_grade=1
    )
    b_user = make_user("ent_b", Role.ENTERPRISE, enterprise=b)
    b_group = {
        role: services.add_member(
            actor=b_user,
            data=EnterpriseMemberIn(
                name=f"乙{role}", role=role, certificate="X1", joined_on="2025-01-02"
            ),
        )
        for role in ("leader", "safety_manager", "union", "worker_rep", "safety_engineer")
    }
    out = {}
    for key, user, g in (("a", ent_user, group), ("b", b_user, b_group)):
        from fairinspect.enterprise.inputs import EnterpriseSelfCheckIn
        from fairinspect.enterprise.standards import standard_for

        std = standard_for(user.enterprise.industry_id)
        sc = services.file_self_check(
            actor=user,
            data=EnterpriseSelfCheckIn.model_validate(
                {
                    "checked_on": "2025-06-10",
                    "participant_ids": [m.pk for m in g.values()],
                    "reported_to_main_person_on": "2025-06-11",
                    "answers": [
                        {"item": c, "result": "ok"} for c in std.item_codes if c != "OTHER"
                    ],
                }
            ),
        )
        v = started_visit(user.enterprise)
        h = visit_services.record_hazard(
            actor=u1, visit=v, level="general", description="灭火器过期"
        )
        order = visit_services.issue_order(
            actor=u1, visit=v, hazard_ids=[h.pk], deadline=v.planned_date.replace(month=7)
        )
        visit_services.check_out(actor=u1, visit=v)
        r = services.report_rectification(
            actor=user, description="已更换灭火器", files=[upload()], order_id=order.pk
        )
        out[key] = {
            "user": user,
            "urls": [
                f"/enterprise/self-checks/{sc.pk}/",
                f"/enterprise/rectification/{r.pk}/",
                f"/enterprise/evidence/{r.evidence.get().pk}/",
                f"/visits/{v.pk}/doc/record.docx",
                f"/visits/order/{order.pk}.docx",
            ],
            "plan": f"/visits/{v.pk}/doc/plan.docx",
        }
    return out


def test_each_enterprise_sees_its_own_records_and_documents_and_only_its_own(client, two):
    for me, other in (("a", "b"), ("b", "a")):
        client.force_login(two[me]["user"])
        for url in two[me]["urls"]:
            assert client.get(url).status_code == 200, url
        for url in two[other]["urls"]:
            assert client.get(url).status_code == 404, url
        # The bureau's internal plan stays with staff, even the enterprise's own.
        assert client.get(two[me]["plan"]).status_code == 403
        assert client.get("/enterprise/bureau/").status_code == 403


def test_staff_see_the_enterprise_records_of_their_territory(client, two, city_officer):
    client.force_login(city_officer)
    for key in ("a", "b"):
        for url in two[key]["urls"]:
            assert client.get(url).status_code == 200, url


def test_the_enterprise_home_is_its_landing_and_others_are_refused(client, two, city_officer):
    from fairinspect.core.worklist import landing_url

    assert landing_url(two["a"]["user"]) == "/enterprise/"
    client.force_login(city_officer)
    assert client.get("/enterprise/").status_code == 403
    client.force_login(two["a"]["user"])
    page = client.get("/enterprise/").content.decode()
    assert "现场检查记录" in page and "年度上限" in page and "已更换灭火器" not in page
    assert client.get("/enterprise/poster/", follow=True).status_code == 200
    code = two["a"]["user"].enterprise.credit_code
    assert client.get(f"/visits/enterprise/{code}/qr.svg").status_code == 200
    other = two["b"]["user"].enterprise.credit_code
    assert client.get(f"/visits/enterprise/{other}/qr.svg").status_code == 404


def test_the_home_lists_a_hazard_once_under_its_order_and_one_without_an_order_apart(
    client, ent_user, started_visit, team
):
    """Issue 10 item 1: open hazards and orders with their deadlines. A hazard on an order is
    shown under the order (with its deadline), not a second time among the hazards found."""
    (u1, _), _ = team
    v = started_visit()
    on_order = visit_services.record_hazard(
        actor=u1, visit=v, level="general", description="消防通道堆放杂物", place="仓库"
    )
    alone = visit_services.record_hazard(
        actor=u1, visit=v, level="general", description="配电箱未上锁", place="配电室"
    )
    visit_services.issue_order(
        actor=u1, visit=v, hazard_ids=[on_order.pk], deadline=v.planned_date.replace(month=7)
    )
    visit_services.check_out(actor=u1, visit=v)
    client.force_login(ent_user)
    html = client.get("/enterprise/").content.decode()
    assert html.count(on_order.description) == 1 and html.count(alone.description) == 1
    orders = html.split('id="orders"')[1].split("检查发现、尚未整改的隐患")
    assert on_order.description in orders[0] and alone.description in orders[1]
