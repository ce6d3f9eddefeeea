"""Pages and API of planning: who may open what (access table), the public pages without
login, and the journey through the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fairinspect.planning import draws, services
from fairinspect.planning.models import Draw, SpecialInspection

from .test_special import DATA as SPECIAL


@pytest.fixture
def world(published_task, city_planner, approver):
    """A plan, a task with a published draw, an announced special inspection."""
    import datetime as dt

    plan = services.create_plan(actor=city_planner, data={"year": "2025"})
    draw = draws.live_draw(published_task)
    draw = draws.record_seed(
        actor=city_planner, draw=draw, seed="31415926", entered_by="群众代表甲、乙"
    )
    draw = draws.publish_result(actor=city_planner, draw=draws.run(actor=city_planner, draw=draw))
    services.set_special_quota(
        actor=approver,
        department=plan.department,
        data={"year": "2025", "quota": "3", "source": "会议纪要"},
    )
    special = services.create_special(actor=city_planner, data=SPECIAL)
    return {"plan": plan, "task": published_task, "draw": draw, "special": special, "dt": dt}


STAFF_PAGES = [
    ("planning:index", {}),
    ("planning:plan_list", {}),
    ("planning:plan_detail", {"plan_id": "plan"}),
    ("planning:task_list", {}),
    ("planning:task_detail", {"task_id": "task"}),
    ("planning:special_list", {}),
    ("planning:special_detail", {"special_id": "special"}),
    ("planning:special_ledger", {}),
    ("planning:joint", {}),
]
PUBLIC_PAGES = [
    ("planning:public_index", {}),
    ("planning:public_task", {"task_id": "task"}),
    ("planning:public_draw", {"draw_id": "draw"}),
    ("planning:public_specials", {}),
    ("planning:public_cross_items", {}),
]


def _url(world, name, kwargs):
    return reverse(name, kwargs={k: world[v].pk for k, v in kwargs.items()})


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("city_planner", True),
        ("approver", True),
        ("supervisor", True),
        (
            "tianshan_officer",
            "own",
        ),  # district staff: pages open, the city's records are not theirs
        ("enterprise_user", False),
        ("expert_user", False),
    ],
)
def test_r9_staff_pages_access_table(world, client, request, persona, allowed):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for name, kwargs in STAFF_PAGES:
        status = client.get(_url(world, name, kwargs)).status_code
        if allowed is True:
            assert status == 200, (persona, name)
        elif allowed == "own":
            assert status == (404 if kwargs else 200), (persona, name)
        else:
            assert status == 403, (persona, name)


def test_r9_staff_pages_send_the_anonymous_to_login(world, client):
    for name, kwargs in STAFF_PAGES:
        response = client.get(_url(world, name, kwargs))
        assert response.status_code == 302 and "/login/" in response["Location"], name


def test_r9_public_pages_need_no_login(world, client):
    for name, kwargs in PUBLIC_PAGES:
        assert client.get(_url(world, name, kwargs)).status_code == 200, name
    page = client.get(_url(world, "planning:public_draw", {"draw_id": "draw"})).content.decode()
    assert "验证通过" in page and world["draw"].seed in page


def test_r9_1_a_plan_is_not_public_before_publication(world, client):
    assert client.get(reverse("planning:public_plan", args=[world["plan"].pk])).status_code == 404


def test_r9_2_a_draft_task_and_an_undrawn_draw_are_not_public(
    items, city_planner, city_enterprises, city_officers, task_data, client
):
    task = draws.create_task(actor=city_planner, data=task_data)
    assert client.get(reverse("planning:public_task", args=[task.pk])).status_code == 404
    task = draws.publish_pools(actor=city_planner, task=task)
    assert client.get(reverse("planning:public_task", args=[task.pk])).status_code == 200
    draw = draws.live_draw(task)
    assert client.get(reverse("planning:public_draw", args=[draw.pk])).status_code == 404


def test_r9_2_the_public_pool_file_is_the_published_text(world, client):
    response = client.get(
        reverse("planning:public_pool_file", args=[world["task"].pk, "enterprises"])
    )
    # Streamed (issue 13): the bytes, joined, are the published text.
    body = b"".join(response.streaming_content).decode()
    assert body == world["task"].pools.get(kind="enterprises").text


def test_r9_2_anyone_can_recompute_with_a_seed_and_count(world, client):
    url = reverse("planning:public_task", args=[world["task"].pk])
    page = client.get(url, {"seed": world["draw"].seed, "count": "4"}).content.decode()
    for code in world["draw"].selected:
        assert code in page
    bad = client.get(url, {"seed": "abc", "count": "4"}).content.decode()
    assert "随机种子必须是6至64位数字" in bad


def test_r9_2_the_seed_form_refuses_bad_input_and_saves_nothing(
    published_task, city_planner, client
):
    client.force_login(city_planner)
    draw = draws.live_draw(published_task)
    response = client.post(
        reverse("planning:draw_action", args=[draw.pk, "seed"]),
        {"seed": "12ab56", "entered_by": "张三"},
        follow=True,
    )
    assert "随机种子必须是6至64位数字" in response.content.decode()
    draw.refresh_from_db()
    assert draw.seed == "" and draw.status == Draw.Status.AWAITING_SEED


def test_r9_3_the_ledger_downloads_as_xlsx(world, client, city_planner):
    client.force_login(city_planner)
    response = client.get(reverse("planning:special_ledger"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_r9_3_only_the_unit_head_sees_approve_buttons_and_can_approve(
    world, client, city_planner, approver
):
    s = services.submit_special(actor=city_planner, special=world["special"])
    client.force_login(city_planner)
    url = reverse("planning:special_action", args=[s.pk, "approve"])
    client.post(url, follow=True)
    s.refresh_from_db()
    assert s.status == SpecialInspection.Status.SUBMITTED
    client.force_login(approver)
    client.post(url, follow=True)
    s.refresh_from_db()
    assert s.status == SpecialInspection.Status.APPROVED


# ---- API --------------------------------------------------------------------------------


API_READS = [
    "/api/v1/plans",
    "/api/v1/sampling-tasks",
    "/api/v1/special-inspections",
    "/api/v1/joint-plans",
    "/api/v1/merge-proposals",
]


@pytest.mark.parametrize(
    "persona, status", [("city_planner", 200), ("supervisor", 200), ("enterprise_user", 403)]
)
def test_r9_api_reads_access_table(world, client, api_token, request, persona, status):
    headers = api_token(request.getfixturevalue(persona))
    for url in API_READS:
        assert client.get(url, **headers).status_code == status, url


def test_r9_api_needs_a_token_except_public_routes(world, client):
    assert client.get("/api/v1/plans").status_code == 401
    assert client.get(f"/api/v1/public/draws/{world['draw'].pk}").json()["verified"] is True
    assert client.get("/api/v1/public/plans").status_code == 200
    assert client.get("/api/v1/public/special-inspections").status_code == 200
    assert client.get("/api/v1/cross-department-items").status_code == 200
    r = client.get(
        f"/api/v1/public/sampling-tasks/{world['task'].pk}/recompute",
        {"seed": world["draw"].seed, "count": 4},
    )
    assert r.json()["selected"] == world["draw"].selected


def test_r9_2_api_runs_a_whole_draw_and_refuses_bad_seeds_with_a_field(
    items, city_planner, city_enterprises, city_officers, task_data, client, api_token
):
    h = api_token(city_planner)
    r = client.post(
        "/api/v1/sampling-tasks", {**task_data, "count": 3}, content_type="application/json", **h
    )
    assert r.status_code == 201, r.content
    task_id = r.json()["id"]
    r = client.post(f"/api/v1/sampling-tasks/{task_id}/publish-pools", **h)
    assert r.status_code == 200 and len(r.json()["pools"][0]["sha256"]) == 64
    draw_id = r.json()["draws"][0]["id"]
    bad = client.post(
        f"/api/v1/draws/{draw_id}/seed",
        {"seed": "１２３４５６", "entered_by": "甲"},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "seed"
    ok = client.post(
        f"/api/v1/draws/{draw_id}/seed",
        {"seed": "123456789", "entered_by": "甲"},
        content_type="application/json",
        **h,
    )
    assert ok.status_code == 200
    r = client.post(f"/api/v1/draws/{draw_id}/run", **h)
    assert r.status_code == 200 and len(r.json()["selected"]) == 3


def test_r3_5_api_refuses_approval_with_the_reasons(
    world, client, api_token, city_planner, approver
):
    plan = world["plan"]
    client.put(
        f"/api/v1/plans/{plan.pk}/lines",
        {
            "lines": [
                {
                    "high_risk": False,
                    "grade": "none",
                    "last_year_visits": 10,
                    "last_year_override_reason": "台账补录",
                    "planned_visits": 10,
                }
            ]
        },
        content_type="application/json",
        **api_token(city_planner),
    )
    r = client.post(f"/api/v1/plans/{plan.pk}/submit", **api_token(city_planner))
    assert r.status_code == 409
    assert r.json()["code"] == "plan_breaks_rules"
    assert "reduction_insufficient" in {x["code"] for x in r.json()["reasons"]}


def test_r9_api_writes_are_refused_to_enterprise_users(world, client, api_token, enterprise_user):
    h = api_token(enterprise_user)
    assert (
        client.post(
            "/api/v1/plans", {"year": 2026}, content_type="application/json", **h
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/draws/{world['draw'].pk}/run", **h).status_code in (403, 404)
    assert (
        client.post(
            "/api/v1/merges",
            {"visit_ids": [1, 2], "planned_date": "2025-06-01"},
            content_type="application/json",
            **h,
        ).status_code
        == 403
    )


def test_r9_2_a_draw_by_industry_runs_over_the_api_and_draws_only_that_industry(
    items,
    city_planner,
    city_enterprises,
    city_officers,
    task_data,
    client,
    api_token,
    make_enterprise,
):
    """Issue 8 item 10: filtering the pool by industry answered a 500 (a `startswith` lookup
    on the industry foreign key)."""
    refinery = [make_enterprise(supervising_level="city", industry_id="2511") for _ in range(3)]
    h = api_token(city_planner)
    body = {**task_data, "count": 2, "industry_prefix": "251"}
    r = client.post("/api/v1/sampling-tasks", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    task_id = r.json()["id"]
    r = client.post(f"/api/v1/sampling-tasks/{task_id}/publish-pools", **h)
    assert r.status_code == 200, r.content
    draw_id = r.json()["draws"][0]["id"]
    seed = {"seed": "20250401", "entered_by": "群众代表"}
    client.post(f"/api/v1/draws/{draw_id}/seed", seed, content_type="application/json", **h)
    r = client.post(f"/api/v1/draws/{draw_id}/run", **h)
    assert r.status_code == 200, r.content
    assert set(r.json()["selected"]) <= {e.credit_code for e in refinery}
    assert len(r.json()["selected"]) == 2
