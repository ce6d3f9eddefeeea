"""The officers' import: rows matched by certificate number (a row without one adds a new
officer). Validation and writing as for enterprises (imports.py), on a smaller table."""

from __future__ import annotations

from .imports import FieldError, Validated, error_rows
from .inputs import clean_officer
from .models import Certificate, Department, Officer


class OfficerImporter:
    def validate(self, rows, labels, run) -> Validated:
        out = Validated()
        departments = dict(Department.objects.values_list("code", "pk"))
        seen: dict[str, int] = {}
        for n, raw in rows:
            out.total += 1
            cleaned, errs = clean_officer(raw, department_codes=set(departments))
            if not errs:
                cleaned["department_id"] = departments[cleaned["department_code"]]
            key = cleaned.get("certificate_number")
            if key and key in seen:
                errs.append(
                    FieldError(
                        "certificate_number",
                        "duplicate_in_file",
                        f"执法证号：与第{seen[key]}行重复。",
                    )
                )
            elif key:
                seen[key] = n
            if errs:
                out.errors.extend(error_rows(n, errs, labels, raw))
            else:
                out.officers.append(cleaned)
            run.beat(out.total, "validating")
        run.beat(out.total, "validating", force=True)
        return out

    def stage(self, result: Validated) -> None:
        """Officers are few (hundreds): written directly in the transaction."""

    def write(self, result: Validated) -> dict[str, int]:
        valid = result.officers
        certs = {
            c.number: c
            for c in Certificate.objects.select_related("officer").filter(
                number__in=[v["certificate_number"] for v in valid if v.get("certificate_number")]
            )
        }
        created = updated = unchanged = 0
        for v in valid:
            cert = certs.get(v.get("certificate_number") or "")
            person = dict(
                name=v["name"],
                department_id=v["department_id"],
                status=v["status"],
                phone=v["phone"],
                post_domains=v["post_domains"],
            )
            cert_values = dict(
                issuer=v.get("issuer"),
                valid_from=v.get("valid_from"),
                valid_to=v.get("valid_to"),
                scopes=v.get("scopes"),
                status=v.get("certificate_status"),
            )
            if cert:
                officer = cert.officer
                same_person = all(getattr(officer, k) == val for k, val in person.items())
                same_cert = all(getattr(cert, k) == val for k, val in cert_values.items())
                if same_person and same_cert:
                    unchanged += 1
                    continue
                Officer.objects.filter(pk=cert.officer_id).update(**person)
                officer_id = cert.officer_id
                updated += 1
            else:
                officer_id = Officer.objects.create(**person).pk
                created += 1
            if v.get("certificate_number"):
                Certificate.objects.update_or_create(
                    number=v["certificate_number"],
                    defaults=dict(officer_id=officer_id, **cert_values),
                )
        return {"created": created, "updated": updated, "unchanged": unchanged}
