"""The compliance guidance list (企业行政合规指导清单, R2.4): reads and writes.

Versioned like the inspection-item list (services.py): a draft is edited, publishing makes it
the one in force, supersedes the previous one and stores the change log between them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, NotFound, ValidationFailed
from fairinspect.rules.guidance import GuidanceEntryFacts

from .models import Audience, GuidanceChange, GuidanceEntry, GuidanceListVersion
from .services import publish_list

DEFAULT_LIST = Path(__file__).resolve().parent / "data" / "guidance_2025.json"
ENTRY_FIELDS = (
    "name",
    "requirement",
    "legal_basis",
    "industries",
    "item_codes",
    "violation_codes",
    "common_violations",
    "self_check_points",
    "audiences",
)
LIST_FIELDS = ("industries", "item_codes", "violation_codes", "common_violations",
               "self_check_points", "audiences")  # fmt: skip


# ------------------------------------------------------------------------------ reads


def version_in_force() -> GuidanceListVersion | None:
    return GuidanceListVersion.objects.filter(status="published").first()


def public_versions() -> QuerySet[GuidanceListVersion]:
    return GuidanceListVersion.objects.exclude(status="draft").order_by("-published_at")


def search(version: GuidanceListVersion, *, q: str = "", industry: str = "") -> list[GuidanceEntry]:
    """Entries of `version` matching the words of `q` (name, requirement, violations, check
    points) and applying to the industry code `industry` (entries for every industry too)."""
    entries = version.entries.all()
    for word in q.split():
        entries = entries.filter(
            Q(name__icontains=word)
            | Q(code__icontains=word)
            | Q(requirement__icontains=word)
            | Q(common_violations__icontains=word)
            | Q(self_check_points__icontains=word)
        )
    rows = list(entries.order_by("code"))
    if industry:
        rows = [
            e for e in rows if not e.industries or any(industry.startswith(p) for p in e.industries)
        ]
    return rows


def entries_for_item(item_code: str) -> list[GuidanceEntry]:
    """Entries in force that concern an inspection item (linked from the item's page)."""
    return [
        e
        for e in GuidanceEntry.objects.filter(version__status="published").order_by("code")
        if item_code in e.item_codes
    ]


def entries_for_violation(violation_code: str) -> list[GuidanceEntry]:
    return [
        e
        for e in GuidanceEntry.objects.filter(version__status="published").order_by("code")
        if violation_code in e.violation_codes
    ]


def facts(entries) -> list[GuidanceEntryFacts]:
    return [
        GuidanceEntryFacts(
            code=e.code,
            name=e.name,
            industries=tuple(e.industries),
            item_codes=tuple(e.item_codes),
            violation_codes=tuple(e.violation_codes),
        )
        for e in entries
    ]


# ------------------------------------------------------------------------------ writes


def _basis_ok(b: Any) -> bool:
    """A legal basis as inspection items keep it: law, article (and clause) as numbers."""
    if not isinstance(b, dict) or not isinstance(b.get("law"), str) or not b["law"].strip():
        return False
    positive = [b.get("article"), b.get("clause", 1)]
    return all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in positive)


def _clean_entry(raw: dict[str, Any]) -> dict[str, Any]:
    """One entry's values, or ValidationFailed naming the field."""
    code = str(raw.get("code") or "").strip()
    if not code:
        raise ValidationFailed("required", "条目编码：必填。", field="code")
    values: dict[str, Any] = {"code": code[:30]}
    for f in ("name", "requirement"):
        v = raw.get(f)
        if not isinstance(v, str) or not v.strip():
            raise ValidationFailed("required", f"{f}：必填，须为文字。", field=f)
        values[f] = v.strip()
    basis = raw.get("legal_basis")
    if not isinstance(basis, list) or not basis or not all(_basis_ok(b) for b in basis):
        raise ValidationFailed(
            "legal_basis_invalid",
            "法律依据：至少一条，每条须有法律名称和条（正整数），款为正整数或不填。",
            field="legal_basis",
        )
    values["legal_basis"] = basis
    for f in LIST_FIELDS:
        v = raw.get(f, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise ValidationFailed("list_of_text", f"{f}：须为文字列表。", field=f)
        values[f] = [x.strip() for x in v]
    unknown = sorted(set(values["audiences"]) - set(Audience.values))
    if unknown:
        raise ValidationFailed(
            "audience_unknown", f"指导对象不在允许范围内：{'、'.join(unknown)}。", field="audiences"
        )
    return values


def load_default_list(*, actor=None, path: Path = DEFAULT_LIST) -> GuidanceListVersion:
    """The shipped list as a published version, once (idempotent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = GuidanceListVersion.objects.filter(number=data["version"]).first()
    if existing:
        return existing
    with transaction.atomic():
        version = GuidanceListVersion.objects.create(
            number=data["version"],
            title=data["title"],
            notes=data.get("source", ""),
            created_by=actor,
        )
        GuidanceEntry.objects.bulk_create(
            GuidanceEntry(version=version, **_clean_entry(raw)) for raw in data["entries"]
        )
        publish_version(actor=actor, version=version)
    version.refresh_from_db()
    return version


def draft_from(
    *, actor, version: GuidanceListVersion, number: str, title: str
) -> GuidanceListVersion:
    number, title = number.strip(), title.strip()
    if not number:
        raise ValidationFailed("required", "版本号：必填。", field="number")
    if not title:
        raise ValidationFailed("required", "标题：必填。", field="title")
    with transaction.atomic():
        if GuidanceListVersion.objects.filter(number=number).exists():
            raise Conflict("duplicate_version", f"版本号“{number}”已存在。", field="number")
        draft = GuidanceListVersion.objects.create(
            number=number, title=title, based_on=version, created_by=actor
        )
        GuidanceEntry.objects.bulk_create(
            GuidanceEntry(version=draft, code=e.code, **{f: getattr(e, f) for f in ENTRY_FIELDS})
            for e in version.entries.all()
        )
        trail.record(actor=actor, action="draft", obj=draft, summary=f"起草合规指导清单 {number}")
    return draft


def save_entry(*, actor, version: GuidanceListVersion, data: dict[str, Any]) -> GuidanceEntry:
    """Create or replace (by code) an entry of a draft; published lists never change."""
    if version.status != "draft":
        raise Conflict("not_draft", "只有草稿版本可以修改；请先基于现行版本起草新版本。")
    values = _clean_entry(data)
    with transaction.atomic():
        entry, created = GuidanceEntry.objects.update_or_create(
            version=version, code=values.pop("code"), defaults=values
        )
        trail.record(
            actor=actor,
            action="create" if created else "update",
            obj=entry,
            summary=f"{'新增' if created else '修改'}合规指导条目 {entry.code}（草稿 {version.number}）",
        )
    return entry


def remove_entry(*, actor, version: GuidanceListVersion, code: str) -> None:
    if version.status != "draft":
        raise Conflict("not_draft", "只有草稿版本可以修改。")
    with transaction.atomic():
        entry = version.entries.filter(code=code).first()
        if entry is None:
            raise NotFound("该版本中没有此条目。")
        pk = entry.pk
        entry.delete()
        trail.record(
            actor=actor,
            action="delete",
            object_type="catalog.guidanceentry",
            object_id=pk,
            summary=f"删除合规指导条目 {code}（草稿 {version.number}）",
            data={"version": version.number, "code": code},
        )


def _snapshot(version: GuidanceListVersion | None) -> dict[str, dict[str, Any]]:
    if version is None:
        return {}
    return {e.code: {f: getattr(e, f) for f in ENTRY_FIELDS} for e in version.entries.all()}


def publish_version(*, actor, version: GuidanceListVersion) -> GuidanceListVersion:
    return publish_list(
        actor=actor,
        version=version,
        rows=version.entries,
        snapshot=_snapshot,
        change=lambda c: GuidanceChange(
            version=version,
            kind=c.kind.value,
            entry_code=c.code,
            entry_name=c.name,
            fields=list(c.fields),
        ),
        label="合规指导清单",
        empty="清单中没有条目，不能发布。",
    )
