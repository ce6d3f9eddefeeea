"""Writes to the registry. Each validates through inputs.py, writes in one transaction and
records the change in the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed

from . import queries, tabular
from .inputs import (
    ENTERPRISE_LABELS,
    OFFICER_LABELS,
    FieldError,
    clean_enterprise,
    clean_officer,
)
from .models import Certificate, Department, Enterprise, ImportJob, Officer

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


# ---- imports -----------------------------------------------------------------------------

Progress = Callable[[int, int, str], None]


def start_import(*, actor, kind: str, file_name: str, data: bytes) -> ImportJob:
    """Store the upload and queue its processing. Refuses an unreadable file at once."""
    from django.conf import settings

    if kind not in ImportJob.Kind.values:
        raise ValidationFailed("invalid_choice", "导入类型应为企业或执法人员。", field="kind")
    if not data:
        raise ValidationFailed("empty", "请选择要导入的文件。", field="file")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationFailed(
            "file_too_large",
            f"文件过大（上限 {settings.IMPORT_MAX_BYTES // 1024 // 1024} MB）。",
            field="file",
        )
    labels = ENTERPRISE_LABELS if kind == "enterprises" else OFFICER_LABELS
    _, _, total = tabular.read_rows(file_name, data, labels)  # header and type errors now
    job = ImportJob.objects.create(
        kind=kind, file_name=file_name[:200], data=data, total_rows=total, created_by=actor
    )
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def run_import_job(job_id: int, progress: Progress | None = None) -> ImportJob:
    """Validate every row; if any is bad save nothing and keep the report; else write all."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.VALIDATING):
        return job  # already processed: running a queued task twice changes nothing
    job.status = ImportJob.Status.VALIDATING
    job.save(update_fields=["status"])
    importer = _ENTERPRISES if job.kind == "enterprises" else _OFFICERS
    labels = ENTERPRISE_LABELS if job.kind == "enterprises" else OFFICER_LABELS

    def report(done: int, phase: str) -> None:
        if progress:
            progress(done, job.total_rows, phase)
        if done % 2000 == 0 or done == job.total_rows:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)

    _, rows, total = tabular.read_rows(job.file_name, bytes(job.data), labels)
    job.total_rows = total
    valid, errors = importer.validate(rows, labels, report)
    if errors:
        job.status, job.errors = ImportJob.Status.REJECTED, errors[:1000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at", "total_rows"])
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.WRITING, processed_rows=total
    )
    if progress:
        progress(total, total, "writing")
    with transaction.atomic():
        created, updated = importer.write(valid)
        job.status, job.created_count, job.updated_count = ImportJob.Status.DONE, created, updated
        job.processed_rows, job.finished_at, job.data = total, timezone.now(), b""
        job.save(
            update_fields=[
                "status",
                "created_count",
                "updated_count",
                "processed_rows",
                "finished_at",
                "data",
                "total_rows",
            ]
        )
        # After the save, so the event's digest is of the finished job.
        trail.record(
            actor=job.created_by,
            action="import",
            obj=job,
            summary=f"导入{job.get_kind_display()} {job.file_name}：新增{created}，更新{updated}",
            data={"created": created, "updated": updated, "rows": total},
        )
    return job


def _error_rows(n: int, errs: list[FieldError], labels: Mapping[str, str]) -> list[dict]:
    return [
        {
            "row": n,
            "field": e.field,
            "column": labels.get(e.field, e.field),
            "code": e.code,
            "message": e.message,
        }
        for e in errs
    ]


class _Importer:
    """Shared row validation: clean each row, catch keys repeated within the file, report
    progress. Subclasses name the key and how a row is cleaned and written."""

    key: str
    key_label: str

    def prepare(self) -> None: ...

    def clean(self, raw) -> tuple[dict[str, Any], list[FieldError]]:
        raise NotImplementedError

    def validate(self, rows, labels, report):
        self.prepare()
        seen: dict[str, int] = {}
        valid, errors = [], []
        for done, (n, raw) in enumerate(rows, start=1):
            cleaned, errs = self.clean(raw)
            key = cleaned.get(self.key)
            if key and key in seen:
                errs.append(
                    FieldError(
                        self.key, "duplicate_in_file", f"{self.key_label}：与第{seen[key]}行重复。"
                    )
                )
            elif key:
                seen[key] = n
            if errs:
                errors.extend(_error_rows(n, errs, labels))
            else:
                valid.append(cleaned)
            report(done, "validating")
        return valid, errors


class _EnterpriseImporter(_Importer):
    key, key_label = "credit_code", "统一社会信用代码"

    def prepare(self) -> None:
        self.districts, self.industries = queries.district_codes(), queries.industry_map()

    def clean(self, raw):
        cleaned, errs = clean_enterprise(
            raw, district_codes=self.districts, industries=self.industries
        )
        return (_enterprise_values(cleaned) if not errs else cleaned), errs

    def write(self, valid):
        existing = dict(
            Enterprise.objects.filter(
                credit_code__in=[v["credit_code"] for v in valid]
            ).values_list("credit_code", "pk")
        )
        new = [Enterprise(**v) for v in valid if v["credit_code"] not in existing]
        Enterprise.objects.bulk_create(new, batch_size=1000)
        changed = []
        for v in valid:
            if v["credit_code"] in existing:
                changed.append(
                    Enterprise(pk=existing[v["credit_code"]], updated_at=timezone.now(), **v)
                )
        fields = [k for k in valid[0] if k != "credit_code"] + ["updated_at"] if changed else []
        if changed:
            Enterprise.objects.bulk_update(changed, fields, batch_size=500)
        return len(new), len(changed)


class _OfficerImporter(_Importer):
    key, key_label = "certificate_number", "执法证号"

    def prepare(self) -> None:
        self.departments = dict(Department.objects.values_list("code", "pk"))

    def clean(self, raw):
        cleaned, errs = clean_officer(raw, department_codes=set(self.departments))
        if not errs:
            cleaned["department_id"] = self.departments[cleaned["department_code"]]
        return cleaned, errs

    def write(self, valid):
        """An officer is matched by certificate number; without one a new officer is added."""
        certs = {
            c.number: c
            for c in Certificate.objects.select_related("officer").filter(
                number__in=[v["certificate_number"] for v in valid if v.get("certificate_number")]
            )
        }
        created = updated = 0
        for v in valid:
            cert = certs.get(v.get("certificate_number") or "")
            person = dict(
                name=v["name"],
                department_id=v["department_id"],
                status=v["status"],
                phone=v["phone"],
                post_domains=v["post_domains"],
            )
            if cert:
                Officer.objects.filter(pk=cert.officer_id).update(**person)
                officer_id = cert.officer_id
                updated += 1
            else:
                officer_id = Officer.objects.create(**person).pk
                created += 1
            if v.get("certificate_number"):
                Certificate.objects.update_or_create(
                    number=v["certificate_number"],
                    defaults=dict(
                        officer_id=officer_id,
                        issuer=v["issuer"],
                        valid_from=v["valid_from"],
                        valid_to=v["valid_to"],
                        scopes=v["scopes"],
                        status=v["certificate_status"],
                    ),
                )
        return created, updated


_ENTERPRISES = _EnterpriseImporter()
_OFFICERS = _OfficerImporter()


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
