"""The compliance guidance list (R2.4): versioned like the item list, public, searchable,
printable, linked from the items; kept by the administrator only."""

from __future__ import annotations

import pytest

from fairinspect.catalog import guidance
from fairinspect.catalog.models import GuidanceChange, GuidanceEntry, GuidanceListVersion
from fairinspect.catalog.services import load_default_list as load_items
from fairinspect.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    load_items()
    return guidance.load_default_list()


def test_r2_4_the_shipped_list_is_published_once_with_its_source(published):
    assert published.status == "published" and published.published_at
    assert published.entries.count() == 19
    assert "草案" in published.notes
    assert guidance.load_default_list().pk == published.pk  # idempotent


def test_r2_4_every_shipped_entry_links_items_that_exist_and_has_a_legal_basis(published):
    from fairinspect.catalog.queries import items_in_force

    codes = set(items_in_force().values_list("code", flat=True))
    for e in published.entries.all():
        assert e.legal_basis and e.self_check_points and e.audiences, e.code
        assert set(e.item_codes) <= codes, e.code


def test_r2_4_a_new_version_is_drafted_edited_published_and_logged(published, admin_user):
    draft = guidance.draft_from(
        actor=admin_user, version=published, number="2026-01", title="2026年版"
    )
    guidance.save_entry(
        actor=admin_user,
        version=draft,
        data={
            "code": "GL-020",
            "name": "外包作业安全管理",
            "requirement": "发包单位统一协调、管理承包单位的安全生产工作。",
            "legal_basis": [{"law": "中华人民共和国安全生产法", "article": 49}],
            "audiences": ["safety_manager"],
        },
    )
    guidance.remove_entry(actor=admin_user, version=draft, code="GL-008")
    guidance.publish_version(actor=admin_user, version=draft)
    published.refresh_from_db()
    assert published.status == "superseded"
    changes = {(c.kind, c.entry_code) for c in GuidanceChange.objects.filter(version=draft)}
    assert changes == {("added", "GL-020"), ("removed", "GL-008")}
    assert guidance.version_in_force().number == "2026-01"


def test_r2_4_a_published_version_never_changes(published, admin_user):
    with pytest.raises(Conflict):
        guidance.save_entry(actor=admin_user, version=published, data={"code": "GL-001"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"legal_basis": [{"law": "安全生产法", "article": "四十一"}]}, "legal_basis"),
        ({"legal_basis": []}, "legal_basis"),
        ({"audiences": ["legal_representative"]}, "audiences"),
        ({"self_check_points": "一条"}, "self_check_points"),
    ],
)
def test_r2_4_a_bad_entry_is_refused_naming_the_field_and_nothing_is_saved(
    published, admin_user, change, field
):
    draft = guidance.draft_from(actor=admin_user, version=published, number="2026-02", title="草稿")
    before = GuidanceEntry.objects.count()
    data = {
        "code": "GL-030",
        "name": "事项",
        "requirement": "要求",
        "legal_basis": [{"law": "中华人民共和国安全生产法", "article": 41}],
        "audiences": ["key_post"],
        **change,
    }
    with pytest.raises(ValidationFailed) as e:
        guidance.save_entry(actor=admin_user, version=draft, data=data)
    assert e.value.field == field
    assert GuidanceEntry.objects.count() == before


def test_r2_4_the_public_list_is_searchable_by_words_and_industry_without_login(client, published):
    page = client.get("/items/guidance/").content.decode()
    assert "企业行政合规指导清单" in page and "GL-001" in page and "打印" in page
    page = client.get("/items/guidance/?q=燃气").content.decode()
    assert "GL-008" in page and "GL-001" not in page
    page = client.get("/items/guidance/?industry=6210").content.decode()
    assert "GL-008" in page and "GL-009" not in page  # catering, not chemicals
    r = client.get(f"/items/guidance/{published.number}/GL-009/")
    assert r.status_code == 200 and "YJ-WH-005" in r.content.decode()


def test_r2_4_an_item_page_links_the_guidance_that_concerns_it(client, published):
    from fairinspect.catalog.queries import version_in_force

    page = client.get(
        f"/items/versions/{version_in_force().number}/items/YJ-WH-005/"
    ).content.decode()
    assert "相关合规指导" in page and "GL-009" in page


def test_r2_4_drafts_are_not_public(client, published, admin_user):
    guidance.draft_from(actor=admin_user, version=published, number="2026-03", title="内部草稿")
    assert client.get("/items/guidance/2026-03/").status_code == 404


def test_r2_4_the_api_serves_the_list_in_force(client, published):
    r = client.get("/api/v1/guidance?industry=6210")
    assert r.status_code == 200
    codes = [e["code"] for e in r.json()]
    assert "GL-008" in codes and "GL-009" not in codes
    r = client.get("/api/v1/guidance-versions")
    assert [v["number"] for v in r.json()] == [published.number]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin_user", 200), ("supervisor", 403), ("city_officer", 403), ("enterprise_user", 403)],
)
def test_r2_4_only_the_administrator_keeps_the_list(request, client, published, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/items/guidance/manage/").status_code == status
    r = client.post(
        f"/items/guidance/manage/{published.number}/draft/", {"new_number": "X1", "title": "t"}
    )
    assert r.status_code == (302 if status == 200 else 403)
    assert GuidanceListVersion.objects.filter(number="X1").exists() == (status == 200)


def test_r2_4_the_manage_form_saves_an_entry_from_lines(client, published, admin_user):
    client.force_login(admin_user)
    draft = guidance.draft_from(actor=admin_user, version=published, number="2026-04", title="t")
    r = client.post(
        f"/items/guidance/manage/{draft.number}/save-entry/",
        {
            "code": "GL-021",
            "name": "检查维修作业",
            "requirement": "检维修作业前进行风险分析。",
            "legal_basis": "中华人民共和国安全生产法|43||危险作业现场安全管理",
            "item_codes": "YJ-ZH-012, YJ-WH-007",
            "self_check_points": "作业票证\n风险分析记录",
            "audiences": ["key_post"],
        },
    )
    assert r.status_code == 302
    e = draft.entries.get(code="GL-021")
    assert e.legal_basis == [
        {"law": "中华人民共和国安全生产法", "article": 43, "text_excerpt": "危险作业现场安全管理"}
    ]
    assert e.item_codes == ["YJ-ZH-012", "YJ-WH-007"]
    assert e.self_check_points == ["作业票证", "风险分析记录"]


def test_r2_4_a_violations_page_links_the_guidance_that_prevents_it(client, published):
    page = client.get("/cases/violations/AQSCF2021-101-2/").content.decode()
    assert "相关合规指导" in page and "GL-009" in page
