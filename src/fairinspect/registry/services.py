"""Writes to the registry. Each validates through inputs.py, writes in one transaction and
records the change in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed

from . import queries
from .imports import (
    claim_import,
    queue_import,
    reap_stale_imports,
    rerun_import,
    run_import_job,
    start_import,
)
from .inputs import (
    ENTERPRISE_LABELS,
    FieldError,
    clean_enterprise,
    clean_officer,
)
from .models import Certificate, Department, Enterprise, Officer

ENTERPRISE_FIELDS = [f for f in ENTERPRISE_LABELS if f != "industry_code"] + ["industry_id"]


def _raise(errors: list[FieldError]) -> None:
    first = errors[0]
    raise ValidationFailed(
        first.code, first.message, field=first.field, extra={"errors": [e.__dict__ for e in errors]}
    )


def _enterprise_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in cleaned.items() if k != "industry_code"}
    values["industry_id"] = cleaned["industry_code"]
    return values


def create_enterprise(*, actor, data: Mapping[str, Any]) -> Enterprise:
    cleaned, errors = clean_enterprise(
        data, district_codes=queries.district_codes(), industries=queries.industry_map()
    )
    if errors:
        _raise(errors)
    with transaction.atomic():
        if Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exists():
            raise Conflict(
                "duplicate_credit_code", "该统一社会信用代码的企业已登记。", field="credit_code"
            )
        ent = Enterprise.objects.create(**_enterprise_values(cleaned))
        trail.record(
            actor=actor, action="create", obj=ent, summary=f"登记企业 {ent.name}", data=cleaned
        )
    return ent


def update_enterprise(*, actor, enterprise: Enterprise, data: Mapping[str, Any]) -> Enterprise:
    """Update with the given fields; the fields not given keep their values."""
    current = export_enterprise_row(enterprise, labels=False)
    merged = {**current, **{k: v for k, v in data.items() if k in ENTERPRISE_LABELS}}
    if merged["credit_code"] != enterprise.credit_code:
        raise ValidationFailed(
            "credit_code_immutable", "统一社会信用代码不能修改。", field="credit_code"
        )
    cleaned, errors = clean_enterprise(
        merged, district_codes=queries.district_codes(), industries=queries.industry_map()
    )
    if errors:
        _raise(errors)
    values = _enterprise_values(cleaned)
    with transaction.atomic():
        ent = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        changed = {
            k: [str(getattr(ent, k)), str(v)] for k, v in values.items() if getattr(ent, k) != v
        }
        for k in changed:
            setattr(ent, k, values[k])
        if changed:
            ent.save(update_fields=[*changed, "updated_at"])
            trail.record(
                actor=actor, action="update", obj=ent, summary=f"修改企业 {ent.name}", data=changed
            )
    return ent


def revoke_qr(*, actor, enterprise: Enterprise) -> Enterprise:
    """Invalidate every QR code printed so far; a new one must be printed."""
    with transaction.atomic():
        from django.db.models import F

        Enterprise.objects.filter(pk=enterprise.pk).update(qr_generation=F("qr_generation") + 1)
        enterprise.refresh_from_db(fields=["qr_generation"])
        trail.record(
            actor=actor,
            action="revoke_qr",
            obj=enterprise,
            summary=f"作废并重新生成 {enterprise.name} 的二维码",
            data={"generation": enterprise.qr_generation},
        )
    return enterprise


def export_enterprise_row(e: Enterprise, *, labels: bool = True) -> dict[str, Any]:
    """One enterprise as the import reads it. labels=True gives the Chinese values."""
    from .inputs import GRADE_LABEL, LEVEL_LABEL, RISK_LABEL, STATUS_LABEL

    return {
        "credit_code": e.credit_code,
        "name": e.name,
        "address": e.address,
        "district_code": e.district_code,
        "industry_code": e.industry_id,
        "high_risk": ("是" if e.high_risk else "否") if labels else str(e.high_risk).lower(),
        "high_risk_override_reason": e.high_risk_override_reason,
        "standardization_grade": GRADE_LABEL[e.standardization_grade]
        if labels
        else (str(e.standardization_grade) if e.standardization_grade else ""),
        "grade_valid_from": e.grade_valid_from.isoformat() if e.grade_valid_from else "",
        "grade_valid_to": e.grade_valid_to.isoformat() if e.grade_valid_to else "",
        "risk_level": RISK_LABEL[e.risk_level] if labels else e.risk_level,
        "credit_level": e.credit_level,
        "supervising_level": LEVEL_LABEL[e.supervising_level] if labels else e.supervising_level,
        "main_person": e.main_person,
        "main_person_phone": e.main_person_phone,
        "contact_name": e.contact_name,
        "contact_phone": e.contact_phone,
        "status": STATUS_LABEL[e.status] if labels else e.status,
        "registered_on": e.registered_on.isoformat() if e.registered_on else "",
        "enterprise_type": e.enterprise_type,
        "legal_representative": e.legal_representative,
        "registered_capital": e.registered_capital,
        "business_scope": e.business_scope,
        "registration_authority": e.registration_authority,
        "former_identifiers": "、".join(e.former_identifiers or []),
    }


def export_officer_row(o: Officer) -> dict[str, Any]:
    from .inputs import CERT_STATUS_LABEL, OFFICER_STATUS_LABEL

    cert = max(o.certificates.all(), key=lambda c: c.valid_to, default=None)
    row = {
        "name": o.name,
        "department_code": o.department.code,
        "status": OFFICER_STATUS_LABEL[o.status],
        "phone": o.phone,
        "post_domains": "、".join(o.post_domains or []),
    }
    if cert:
        row |= {
            "certificate_number": cert.number,
            "issuer": cert.issuer,
            "valid_from": cert.valid_from.isoformat(),
            "valid_to": cert.valid_to.isoformat(),
            "scopes": "、".join(cert.scopes),
            "certificate_status": CERT_STATUS_LABEL[cert.status],
        }
    return row


__all__ = [
    "add_certificate",
    "claim_import",
    "create_enterprise",
    "create_officer",
    "queue_import",
    "reap_stale_imports",
    "rerun_import",
    "run_import_job",
    "start_import",
    "update_enterprise",
    "update_officer",
]


def _certificate_from(officer: Officer, cleaned: Mapping[str, Any]) -> Certificate:
    return Certificate.objects.create(
        officer=officer,
        number=cleaned["certificate_number"],
        issuer=cleaned["issuer"],
        valid_from=cleaned["valid_from"],
        valid_to=cleaned["valid_to"],
        scopes=cleaned["scopes"],
        status=cleaned["certificate_status"],
    )


def create_officer(*, actor, data: Mapping[str, Any]) -> Officer:
    departments = dict(Department.objects.values_list("code", "pk"))
    cleaned, errors = clean_officer(data, department_codes=set(departments))
    if errors:
        _raise(errors)
    with transaction.atomic():
        number = cleaned.get("certificate_number")
        if number and Certificate.objects.filter(number=number).exists():
            raise Conflict(
                "duplicate_certificate", "该执法证号已登记。", field="certificate_number"
            )
        officer = Officer.objects.create(
            name=cleaned["name"],
            department_id=departments[cleaned["department_code"]],
            status=cleaned["status"],
            phone=cleaned["phone"],
            post_domains=cleaned["post_domains"],
        )
        if number:
            _certificate_from(officer, cleaned)
        trail.record(
            actor=actor,
            action="create",
            obj=officer,
            summary=f"登记执法人员 {officer.name}",
            data=cleaned,
        )
    return officer


def update_officer(*, actor, officer: Officer, data: Mapping[str, Any]) -> Officer:
    """Change the person's fields given (not the certificates: see add_certificate)."""
    current = {
        "name": officer.name,
        "department_code": officer.department.code,
        "status": officer.status,
        "phone": officer.phone,
        "post_domains": list(officer.post_domains or []),
    }
    merged = {**current, **{k: v for k, v in data.items() if k in current and v is not None}}
    departments = dict(Department.objects.values_list("code", "pk"))
    cleaned, errors = clean_officer(merged, department_codes=set(departments))
    if errors:
        _raise(errors)
    values = {
        "name": cleaned["name"],
        "department_id": departments[cleaned["department_code"]],
        "status": cleaned["status"],
        "phone": cleaned["phone"],
        "post_domains": cleaned["post_domains"],
    }
    with transaction.atomic():
        row = Officer.objects.select_for_update().get(pk=officer.pk)
        changed = {
            k: [str(getattr(row, k)), str(v)] for k, v in values.items() if getattr(row, k) != v
        }
        for k in changed:
            setattr(row, k, values[k])
        if changed:
            row.save(update_fields=list(changed))
            trail.record(
                actor=actor,
                action="update",
                obj=row,
                summary=f"修改执法人员 {row.name}",
                data=changed,
            )
    return row


def add_certificate(*, actor, officer: Officer, data: Mapping[str, Any]) -> Certificate:
    raw = {"name": officer.name, "department_code": officer.department.code, **data}
    cleaned, errors = clean_officer(raw, department_codes={officer.department.code})
    if not cleaned.get("certificate_number"):
        errors.append(FieldError("certificate_number", "required", "执法证号：必填。"))
    if errors:
        _raise(errors)
    with transaction.atomic():
        if Certificate.objects.filter(number=cleaned["certificate_number"]).exists():
            raise Conflict(
                "duplicate_certificate", "该执法证号已登记。", field="certificate_number"
            )
        cert = _certificate_from(officer, cleaned)
        trail.record(
            actor=actor,
            action="add_certificate",
            obj=officer,
            summary=f"为 {officer.name} 登记执法证 {cert.number}",
            data={"number": cert.number, "valid_to": cert.valid_to},
        )
    return cert
