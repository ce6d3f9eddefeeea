"""谁执法谁普法 at every visit (R2.4) and every entry counted (R8.6), through the services,
the pages and the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from fairinspect.catalog import guidance as guidance_list
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.visits import guidance, services
from fairinspect.visits.models import GuidanceGiven, Visit

from .conftest import TODAY
from .test_services import fill

ITEMS = ["YJ-WH-004", "YJ-WH-007"]  # hazchem storage, special operations: both on-site only


@pytest.fixture
def guidance_in_force(db):
    return guidance_list.load_default_list()


# ------------------------------------------------------------------ R8.6 every entry counts


def test_r8_6_a_supervision_visit_at_an_enterprise_at_its_cap_is_refused_like_any_other(
    make_enterprise, approved_visit, new_visit, team, approver_user
):
    ent = make_enterprise(supervising_level="city", high_risk=True, standardization_grade=1)
    fill(ent, 1)
    approved_visit(ent)  # the second and last slot of a grade-1 high-risk enterprise
    v = new_visit(ent, entry_kind="督导")
    assert v.entry_kind == "supervision"
    services.submit_plan(actor=team[0][0], visit=v)
    with pytest.raises(Conflict) as e:
        services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    assert e.value.code == "cap_reached"


@pytest.mark.parametrize("label", ["观摩", "督导", "考察", "调研", "帮扶"])
def test_r8_6_every_named_entry_needs_the_same_plan_team_and_check_in(label, started_visit):
    v = started_visit(entry_kind=label)
    assert v.status == "in_progress" and v.kind == "on_site"
    assert v.checkins.count() == 2 and hasattr(v, "plan")


def test_r8_6_a_named_entry_filed_as_off_site_is_refused_and_nothing_is_saved(new_visit):
    before = Visit.objects.count()
    with pytest.raises(ValidationFailed) as e:
        new_visit(kind="off_site", entry_kind="观摩")
    assert (e.value.code, e.value.field) == ("entry_is_on_site", "entry_kind")
    assert Visit.objects.count() == before


def test_r8_6_the_api_takes_the_entry_kind_and_refuses_an_unknown_one(
    client, api_token, team, city_enterprise, items
):
    (u1, o1), (_u2, o2) = team
    auth = api_token(u1)
    body = {
        "enterprise": city_enterprise.credit_code,
        "trigger": "annual_plan",
        "planned_date": TODAY.isoformat(),
        "item_codes": ITEMS,
        "officer_ids": [o1.pk, o2.pk],
    }
    r = client.post(
        "/api/v1/visits", {**body, "entry_kind": "参观"}, content_type="application/json", **auth
    )
    assert r.status_code == 422 and r.json()["field"] == "entry_kind"
    assert not Visit.objects.exists()
    r = client.post(
        "/api/v1/visits", {**body, "entry_kind": "考察"}, content_type="application/json", **auth
    )
    assert r.status_code == 201, r.content
    assert Visit.objects.get().entry_kind == "study"


def test_r8_6_nothing_asks_for_the_legal_representative_to_be_present():
    """不得刻意要求法定代表人到场: no field, form or template makes it a condition; the only
    mentions in the visit pages say that it is not required."""
    fields = {f.name for m in (Visit, GuidanceGiven) for f in m._meta.get_fields()}
    assert not {f for f in fields if "legal_rep" in f or "representative" in f}
    root = Path(services.__file__).resolve().parents[1] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for i in range(text.count("法定代表人")):
            at = text.index("法定代表人", i and text.index("法定代表人") + 1)
            assert "不要求法定代表人到场" in text[at - 3 : at + 10], path


# ------------------------------------------------------------------ R2.4 guidance at visits


def test_r2_4_the_plan_proposes_the_guidance_of_its_items_and_industry(
    guidance_in_force, new_visit
):
    v = new_visit(item_codes=ITEMS)  # a 2614 (chemicals) enterprise
    codes = [p.code for p in guidance.proposals_for(v)]
    assert codes == ["GL-012", "GL-019"]  # dangerous operations; hazchem storage
    assert "GL-008" not in codes  # the catering gas alarm is for industry 62 only


def test_r2_4_officers_record_what_they_explained_and_the_enterprise_sees_it(
    guidance_in_force, started_visit, team, client, make_user, make_enterprise
):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    rows = services.record_guidance(
        actor=u1,
        visit=v,
        entry_codes=["GL-012", "GL-019"],
        audiences=["main_person_in_charge", "key_post"],
    )
    assert [r.entry.code for r in rows] == ["GL-012", "GL-019"]
    owner = make_user("ent_guidance", Role.ENTERPRISE, enterprise=v.enterprise)
    client.force_login(owner)
    page = client.get("/visits/guidance/received/").content.decode()
    assert "GL-019" in page and "危险化学品储存安全管理" in page
    r = client.get(f"/visits/guidance/received/{v.pk}.docx")
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "安全生产合规指导告知书" in text and "主要负责人、关键岗位人员" in text
    assert "《危险化学品安全管理条例》第24条" in text and "{" not in text
    other = make_user("ent_other", Role.ENTERPRISE, enterprise=make_enterprise())
    client.force_login(other)
    assert client.get(f"/visits/guidance/received/{v.pk}.docx").status_code == 404
    assert "GL-019" not in client.get("/visits/guidance/received/").content.decode()


def test_r2_4_recording_again_replaces_the_visits_record(guidance_in_force, started_visit, team):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    services.record_guidance(actor=u1, visit=v, entry_codes=["GL-012"], audiences=["key_post"])
    services.record_guidance(actor=u1, visit=v, entry_codes=["GL-019"], audiences=["workers"])
    assert list(v.guidance_given.values_list("entry__code", "audiences")) == [
        ("GL-019", ["workers"])
    ]


@pytest.mark.parametrize(
    ("codes", "audiences", "field"),
    [
        ([], ["key_post"], "entry_codes"),
        (["GL-012"], [], "audiences"),
        (["GL-012"], ["legal_representative"], "audiences"),
        (["GL-999"], ["key_post"], "entry_codes"),
    ],
)
def test_r2_4_bad_guidance_input_is_refused_naming_the_field_and_saves_nothing(
    guidance_in_force, started_visit, team, codes, audiences, field
):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    with pytest.raises(ValidationFailed) as e:
        services.record_guidance(actor=u1, visit=v, entry_codes=codes, audiences=audiences)
    assert e.value.field == field
    assert not GuidanceGiven.objects.exists()


def test_r2_4_only_the_team_records_guidance_and_only_once_the_visit_has_started(
    guidance_in_force, approved_visit, started_visit, team, city_officer
):
    (u1, _), _ = team
    with pytest.raises(Conflict):
        services.record_guidance(
            actor=u1,
            visit=approved_visit(item_codes=ITEMS),
            entry_codes=["GL-012"],
            audiences=["key_post"],
        )
    with pytest.raises(Forbidden):
        services.record_guidance(
            actor=city_officer,
            visit=started_visit(item_codes=ITEMS),
            entry_codes=["GL-012"],
            audiences=["key_post"],
        )
    assert not GuidanceGiven.objects.exists()


def test_r2_4_the_visit_page_shows_the_proposal_and_records_the_form(
    guidance_in_force, started_visit, team, client
):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    client.force_login(u1)
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert "普法指导" in page and "GL-019" in page and "不要求法定代表人到场" in page
    r = client.post(
        f"/visits/{v.pk}/guidance/", {"entry_codes": ["GL-019"], "audiences": ["safety_manager"]}
    )
    assert r.status_code == 302
    assert list(v.guidance_given.values_list("entry__code", flat=True)) == ["GL-019"]
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert "下载合规指导告知书" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 200),
        ("admin_user", 200),
        ("city_officer", 403),
        ("approver", 403),
        ("enterprise_user", 403),
        (None, 302),
    ],
)
def test_r8_6_guidance_activity_is_shown_to_supervisors_only_and_never_per_officer(
    request, client, persona, status
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    r = client.get("/visits/guidance/activity/")
    assert r.status_code == status
    if status == 200:
        assert "不作为对执法人员的检查或普法考核指标" in r.content.decode()


def test_r2_4_the_activity_counts_visits_entries_and_enterprises_per_year(
    guidance_in_force, started_visit, team, supervisor, client
):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    services.record_guidance(
        actor=u1, visit=v, entry_codes=["GL-012", "GL-019"], audiences=["key_post"]
    )
    client.force_login(supervisor)
    r = client.get("/visits/guidance/activity/?year=2025")
    assert r.status_code == 200
    rows = r.context["rows"]
    assert rows == [
        {
            "enterprise__credit_code": v.enterprise.credit_code,
            "enterprise__name": v.enterprise.name,
            "entries": 2,
            "visits": 1,
        }
    ]
    assert r.context["years"][0] == {"year": 2025, "entries": 2, "visits": 1, "enterprises": 1}


def test_r2_4_the_api_records_guidance_and_refuses_a_wrong_type_naming_the_field(
    guidance_in_force, started_visit, team, client, api_token
):
    (u1, _), _ = team
    v = started_visit(item_codes=ITEMS)
    url = f"/api/v1/visits/{v.pk}/guidance"
    r = client.post(
        url,
        {"entry_codes": "GL-012", "audiences": ["key_post"]},
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 422 and r.json()["field"] == "entry_codes"
    r = client.post(
        url,
        {"entry_codes": ["GL-012"], "audiences": ["boss"]},
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 422 and r.json()["field"].startswith("audiences")
    assert not GuidanceGiven.objects.exists()
    r = client.post(
        url,
        {"entry_codes": ["GL-012"], "audiences": ["key_post"]},
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 200, r.content
    assert [g["entry_code"] for g in r.json()] == ["GL-012"]
    r = client.get(url, **api_token(u1))
    assert r.json()[0]["audiences"] == ["key_post"]
