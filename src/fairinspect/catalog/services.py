"""Writes to the inspection-item list: drafting, publishing, filing (R2.2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.rules.item_diff import diff_items

from .models import InspectionItem, ItemChange, ItemListVersion

DEFAULT_LIST = Path(__file__).resolve().parent / "data" / "items_2025.json"
ITEM_FIELDS = (
    "name",
    "domain",
    "legal_basis",
    "implementing_unit",
    "content",
    "method_on_site",
    "method_documents",
    "industries",
    "offsite_capable",
    "cross_department",
    "cross_departments",
)


def _item_values(raw: dict[str, Any]) -> dict[str, Any]:
    method = raw.get("method") or {}
    return dict(
        name=raw["name"],
        domain=raw["domain"],
        legal_basis=raw["legal_basis"],
        implementing_unit=raw["implementing_unit"],
        content=raw["content"],
        method_on_site=method.get("on_site", ""),
        method_documents=method.get("documents", ""),
        industries=raw.get("industries", []),
        offsite_capable=bool(raw.get("offsite_capable")),
        cross_department=bool(raw.get("cross_department")),
        cross_departments=raw.get("cross_departments", []),
    )


def load_default_list(*, actor=None, path: Path = DEFAULT_LIST) -> ItemListVersion:
    """Load the shipped default list as a published version, once (idempotent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = ItemListVersion.objects.filter(number=data["version"]).first()
    if existing:
        return existing
    with transaction.atomic():
        version = ItemListVersion.objects.create(
            number=data["version"],
            title=data["title"],
            notes=data.get("source", ""),
            created_by=actor,
        )
        InspectionItem.objects.bulk_create(
            InspectionItem(version=version, code=raw["code"], **_item_values(raw))
            for raw in data["items"]
        )
        publish_version(actor=actor, version=version)
    version.refresh_from_db()
    return version


def draft_from(*, actor, version: ItemListVersion, number: str, title: str) -> ItemListVersion:
    """A new draft holding a copy of every item of `version`, to be edited and published."""
    number, title = number.strip(), title.strip()
    if not number:
        raise ValidationFailed("required", "版本号：必填。", field="number")
    if not title:
        raise ValidationFailed("required", "标题：必填。", field="title")
    with transaction.atomic():
        if ItemListVersion.objects.filter(number=number).exists():
            raise Conflict("duplicate_version", f"版本号“{number}”已存在。", field="number")
        draft = ItemListVersion.objects.create(
            number=number, title=title, based_on=version, created_by=actor
        )
        InspectionItem.objects.bulk_create(
            InspectionItem(version=draft, code=i.code, **{f: getattr(i, f) for f in ITEM_FIELDS})
            for i in version.items.all()
        )
        trail.record(actor=actor, action="draft", obj=draft, summary=f"起草事项清单 {number}")
    return draft


def _snapshot(version: ItemListVersion | None) -> dict[str, dict[str, Any]]:
    if version is None:
        return {}
    return {i.code: {f: getattr(i, f) for f in ITEM_FIELDS} for i in version.items.all()}


def publish_version(*, actor, version: ItemListVersion) -> ItemListVersion:
    """Make a draft the version in force; supersede the current one; store the change log."""
    return publish_list(
        actor=actor,
        version=version,
        rows=version.items,
        snapshot=_snapshot,
        change=lambda c: ItemChange(
            version=version,
            kind=c.kind.value,
            item_code=c.code,
            item_name=c.name,
            fields=list(c.fields),
        ),
        label="事项清单",
        empty="清单中没有检查事项，不能发布。",
    )


def publish_list(*, actor, version, rows, snapshot, change, label: str, empty: str):
    """Publishing a versioned list (the item list, the compliance guidance list): the draft
    becomes the one in force, the current one is superseded (first: the database allows one
    published version at a time), the change log against it is stored, both are audited."""
    model = type(version)
    with transaction.atomic():
        if not rows.exists():
            raise ValidationFailed("empty_list", empty)
        current = (
            model.objects.select_for_update()
            .filter(status="published")
            .exclude(pk=version.pk)
            .first()
        )
        if current:
            model.objects.filter(pk=current.pk).update(
                status="superseded", superseded_at=timezone.now()
            )
        updated = model.objects.filter(pk=version.pk, status="draft").update(
            status="published", published_at=timezone.now()
        )
        if updated != 1:
            raise Conflict("not_draft", "只有草稿可以发布。")
        # The first version is not a change of anything: its log starts with the next one.
        changes = diff_items(snapshot(current), snapshot(version)) if current else ()
        if changes:
            log = [change(c) for c in changes]
            type(log[0]).objects.bulk_create(log)
        trail.record(
            actor=actor,
            action="publish",
            obj=version,
            summary=f"公布{label} {version.number}（变更{len(changes)}项）",
            data={"superseded": current.number if current else None, "changes": len(changes)},
            also=[current] if current else [],
        )
    version.refresh_from_db()
    return version


def record_filing(
    *, actor, version: ItemListVersion, filing_date: dt.date | None, doc_no: str
) -> ItemListVersion:
    """The Justice Bureau filing (报市司法局备案): date and document number, both required."""
    doc_no = (doc_no or "").strip()
    if filing_date is None:
        raise ValidationFailed("required", "备案日期：必填。", field="filing_date")
    if not doc_no:
        raise ValidationFailed("required", "备案文号：必填。", field="filing_doc_no")
    if version.status == "draft":
        raise ValidationFailed("not_published", "草稿尚未公布，不能登记备案。", field="version")
    if version.published_at and filing_date < timezone.localtime(version.published_at).date():
        raise ValidationFailed("date_order", "备案日期：不能早于公布日期。", field="filing_date")
    with transaction.atomic():
        ItemListVersion.objects.filter(pk=version.pk).update(
            filing_date=filing_date, filing_doc_no=doc_no[:100]
        )
        trail.record(
            actor=actor,
            action="file",
            obj=version,
            summary=f"登记事项清单 {version.number} 备案：{doc_no}",
            data={"filing_date": filing_date.isoformat(), "doc_no": doc_no},
        )
    version.refresh_from_db()
    return version


def save_item(
    *, actor, version: ItemListVersion, data: dict[str, Any], code: str | None = None
) -> InspectionItem:
    """Create an item in a draft (code=None) or change one (code = the item's code).

    Only drafts change: a published list is what enterprises and the public were told."""
    from fairinspect.registry.models import Industry

    from .inputs import clean_item

    if version.status != "draft":
        raise Conflict("not_draft", "只有草稿版本可以修改事项；请先基于现行版本起草新版本。")
    existing = version.items.filter(code=code).first() if code else None
    if code and existing is None:
        from fairinspect.core.errors import NotFound

        raise NotFound("该版本中没有此事项。")
    current = {f: getattr(existing, f) for f in ("code", *ITEM_FIELDS)} if existing else {}
    cleaned, errors = clean_item(
        {**current, **data}, industry_codes=set(Industry.objects.values_list("code", flat=True))
    )
    if errors:
        e = errors[0]
        raise ValidationFailed(
            e.code, e.message, field=e.field, extra={"errors": [x.__dict__ for x in errors]}
        )
    with transaction.atomic():
        clash = version.items.filter(code=cleaned["code"])
        if existing:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            raise Conflict("duplicate_item_code", "事项编码在本版本中已存在。", field="code")
        if existing:
            for k, v in cleaned.items():
                setattr(existing, k, v)
            existing.save()
            item = existing
        else:
            item = InspectionItem.objects.create(version=version, **cleaned)
        trail.record(
            actor=actor,
            action="update" if existing else "create",
            obj=item,
            summary=f"{'修改' if existing else '新增'}事项 {item.code}（草稿 {version.number}）",
            data={"code": item.code},
        )
    return item
