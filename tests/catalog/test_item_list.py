import datetime as dt

import pytest

from fairinspect.catalog import services
from fairinspect.catalog.models import InspectionItem, ItemChange, ItemListVersion
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.rules.item_diff import ChangeKind, diff_items


@pytest.fixture
def published(db):
    return services.load_default_list()


def test_r2_1_the_default_list_is_published_with_at_least_thirty_items(published):
    assert published.status == "published"
    assert published.items.count() >= 30
    item = published.items.get(code=published.items.first().code)
    assert item.legal_basis and item.content and item.implementing_unit


def test_r2_1_loading_the_default_list_twice_changes_nothing(published):
    again = services.load_default_list()
    assert again.pk == published.pk and ItemListVersion.objects.count() == 1


def test_r2_2_publishing_a_new_version_supersedes_the_old_and_logs_the_changes(
    published, admin_user
):
    draft = services.draft_from(
        actor=admin_user, version=published, number="2025-2", title="2025年第二版"
    )
    first = draft.items.order_by("code").first()
    first.name = first.name + "（修订）"
    first.save()
    removed = draft.items.order_by("code").last()
    removed.delete()
    InspectionItem.objects.create(
        version=draft,
        code="YJ-NEW-001",
        name="新增事项",
        domain="general",
        legal_basis=[{"law": "安全生产法"}],
        implementing_unit="执法支队",
        content=["要点"],
    )
    services.publish_version(actor=admin_user, version=draft)
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == ("superseded", "published")
    kinds = {(c.kind, c.item_code) for c in ItemChange.objects.filter(version=draft)}
    assert kinds == {("modified", first.code), ("removed", removed.code), ("added", "YJ-NEW-001")}


def test_r2_2_only_one_version_is_in_force_even_when_the_database_is_asked_directly(published):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        ItemListVersion.objects.create(
            number="x", title="x", status="published", published_at=timezone.now()
        )


def test_r2_2_a_published_version_cannot_be_published_again(published, admin_user):
    with pytest.raises(Conflict):
        services.publish_version(actor=admin_user, version=published)


def test_r2_2_the_justice_bureau_filing_needs_a_date_and_a_number(published, admin_user):
    with pytest.raises(ValidationFailed) as err:
        services.record_filing(actor=admin_user, version=published, filing_date=None, doc_no="x")
    assert err.value.field == "filing_date"
    with pytest.raises(ValidationFailed) as err:
        services.record_filing(
            actor=admin_user, version=published, filing_date=dt.date.today(), doc_no=" "
        )
    assert err.value.field == "filing_doc_no"
    services.record_filing(
        actor=admin_user,
        version=published,
        filing_date=dt.date.today(),
        doc_no="乌司备〔2025〕12号",
    )
    published.refresh_from_db()
    assert published.filing_doc_no == "乌司备〔2025〕12号"


def test_r2_2_the_public_page_shows_the_version_in_force_and_past_versions(
    client, published, admin_user
):
    draft = services.draft_from(
        actor=admin_user, version=published, number="2025-2", title="2025年第二版"
    )
    services.publish_version(actor=admin_user, version=draft)
    page = client.get("/items/").content.decode()
    assert "2025年第二版" in page and "现行有效" in page and published.title in page
    old = client.get(f"/items/versions/{published.number}/").content.decode()
    assert "已废止" in old


def test_r2_2_drafts_are_not_public(client, published, admin_user):
    services.draft_from(actor=admin_user, version=published, number="d1", title="草稿")
    assert client.get("/items/versions/d1/").status_code == 404
    assert "d1" not in [v["number"] for v in client.get("/api/v1/item-versions").json()]


def test_r2_1_items_are_served_by_the_public_api(client, published):
    items = client.get("/api/v1/items").json()
    assert len(items) == published.items.count()
    offsite = client.get("/api/v1/items?offsite_capable=true").json()
    assert offsite and all(i["offsite_capable"] for i in offsite)


def test_r2_2_diff_reports_added_removed_and_modified_fields():
    old = {"A": {"name": "a", "x": 1}, "B": {"name": "b"}}
    new = {"A": {"name": "a", "x": 2}, "C": {"name": "c"}}
    changes = diff_items(old, new)
    assert [(c.kind, c.code, c.fields) for c in changes] == [
        (ChangeKind.MODIFIED, "A", ("x",)),
        (ChangeKind.REMOVED, "B", ()),
        (ChangeKind.ADDED, "C", ()),
    ]


def test_r2_2_items_are_drafted_changed_published_and_filed_over_the_api(
    client, published, admin_user, api_token
):
    import json

    h = api_token(admin_user)

    def call(method, path, body=None):
        return getattr(client, method)(
            path, json.dumps(body or {}), content_type="application/json", **h
        )

    assert (
        call("post", "/api/v1/item-versions", {"number": "2025-2", "title": "二版"}).status_code
        == 201
    )
    item = {
        "code": "YJ-ZH-999",
        "name": "安全生产标准化达标情况",
        "domain": "general",
        "legal_basis": [{"law": "中华人民共和国安全生产法", "version": "2021", "article": 4}],
        "implementing_unit": "安全生产综合协调科",
        "content": ["标准化自评报告"],
        "industries": ["2614"],
    }
    resp = call("post", "/api/v1/item-versions/2025-2/items", item | {"legal_basis": []})
    assert resp.status_code == 422 and resp.json()["field"] == "legal_basis"
    resp = call("post", "/api/v1/item-versions/2025-2/items", item | {"industries": ["99"]})
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_industry"
    assert call("post", "/api/v1/item-versions/2025-2/items", item).status_code == 201
    resp = call("patch", "/api/v1/item-versions/2025-2/items/YJ-ZH-999", {"offsite_capable": True})
    assert resp.status_code == 200 and resp.json()["offsite_capable"] is True
    # The version in force cannot be edited.
    resp = call("patch", f"/api/v1/item-versions/{published.number}/items/YJ-ZH-999", {"name": "x"})
    assert resp.status_code == 409 and resp.json()["code"] == "not_draft"
    assert call("post", "/api/v1/item-versions/2025-2/publish").json()["status"] == "published"
    resp = call(
        "post",
        "/api/v1/item-versions/2025-2/filing",
        {"filing_date": dt.date.today().isoformat(), "filing_doc_no": "乌司备〔2025〕3号"},
    )
    assert resp.status_code == 200 and resp.json()["filing_doc_no"] == "乌司备〔2025〕3号"
    assert client.get("/api/v1/items/YJ-ZH-999").json()["offsite_capable"] is True


def test_r2_2_only_the_administrator_changes_the_list(client, published, city_officer, api_token):
    import json

    resp = client.post(
        "/api/v1/item-versions",
        json.dumps({"number": "x", "title": "x"}),
        content_type="application/json",
        **api_token(city_officer),
    )
    assert resp.status_code == 403
