"""Who may inspect: enforcement certificates (执法证) and the certificate audit (清查).

R1.1: only an officer on post whose certificate is valid on the day and whose scope covers
every domain of the matter may be assigned to, or check in for, an inspection.
R1.2: the audit lists people who left, retired or are off post but still hold a valid
certificate, certificates whose scope goes beyond what the officer's post covers, and
certificates about to expire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .domains import label as domain_label
from .results import Reason


class OfficerStatus(StrEnum):
    ON_DUTY = "on_duty"  # 在岗
    OFF_POST = "off_post"  # 离岗
    LEFT = "left"  # 离职
    RETIRED = "retired"  # 退休


class CertificateStatus(StrEnum):
    VALID = "valid"  # 有效
    SUSPENDED = "suspended"  # 暂扣
    REVOKED = "revoked"  # 注销


# A certificate scoped to the general domain (综合执法) covers every domain.
GENERAL_SCOPE = "general"

STATUS_LABEL = {
    OfficerStatus.ON_DUTY: "在岗",
    OfficerStatus.OFF_POST: "离岗",
    OfficerStatus.LEFT: "离职",
    OfficerStatus.RETIRED: "退休",
}


@dataclass(frozen=True)
class CertificateFact:
    number: str
    valid_from: date
    valid_to: date
    scopes: frozenset[str]
    status: CertificateStatus = CertificateStatus.VALID

    def in_force_on(self, day: date) -> bool:
        return self.status == CertificateStatus.VALID and self.valid_from <= day <= self.valid_to

    def covers(self, domains: Iterable[str]) -> bool:
        return GENERAL_SCOPE in self.scopes or set(domains) <= self.scopes


@dataclass(frozen=True)
class OfficerFact:
    id: str
    name: str
    status: OfficerStatus
    certificates: tuple[CertificateFact, ...]
    # The domains the officer's post (科室/岗位) works in; empty means not recorded.
    post_domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    certificate: str | None  # the number of the certificate that qualifies
    reasons: tuple[Reason, ...]


def check_eligibility(officer: OfficerFact, *, on: date, domains: Iterable[str]) -> Eligibility:
    """May this officer inspect these domains on this day? Says why not, in Chinese."""
    domains = frozenset(domains)
    reasons: list[Reason] = []
    if officer.status != OfficerStatus.ON_DUTY:
        reasons.append(
            Reason(
                "officer_not_on_duty",
                f"{officer.name}当前状态为“{STATUS_LABEL[officer.status]}”，不得参与行政检查。",
            )
        )
    in_force = [c for c in officer.certificates if c.in_force_on(on)]
    if not in_force:
        reasons.append(
            Reason(
                "no_valid_certificate",
                f"{officer.name}在{on:%Y年%-m月%-d日}没有有效的行政执法证件。",
            )
        )
    covering = [c for c in in_force if c.covers(domains)]
    if in_force and not covering:
        reasons.append(
            Reason(
                "certificate_out_of_scope",
                f"{officer.name}的执法证件范围不包含本次检查的执法领域。",
            )
        )
    if reasons:
        return Eligibility(False, None, tuple(reasons))
    return Eligibility(True, covering[0].number, ())


class AuditFinding(StrEnum):
    INACTIVE_WITH_VALID_CERTIFICATE = "inactive_with_valid_certificate"
    BEYOND_POST_SCOPE = "beyond_post_scope"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED_WHILE_ON_DUTY = "expired_while_on_duty"


FINDING_LABEL = {
    AuditFinding.INACTIVE_WITH_VALID_CERTIFICATE: "离岗、离职或退休人员仍持有有效执法证",
    AuditFinding.BEYOND_POST_SCOPE: "超范围持证",
    AuditFinding.EXPIRING_SOON: "执法证即将到期",
    AuditFinding.EXPIRED_WHILE_ON_DUTY: "在岗人员无有效执法证",
}


@dataclass(frozen=True)
class AuditRow:
    officer_id: str
    officer_name: str
    finding: AuditFinding
    certificate: str | None
    detail: str

    @property
    def finding_label(self) -> str:
        return FINDING_LABEL[self.finding]


def audit_certificates(
    officers: Sequence[OfficerFact], *, on: date, expiring_within_days: int = 60
) -> tuple[AuditRow, ...]:
    """The certificate audit (执法证件清查) of R1.2, one row per problem found."""
    rows: list[AuditRow] = []
    soon = on + timedelta(days=expiring_within_days)
    for o in officers:
        in_force = [c for c in o.certificates if c.in_force_on(on)]
        if o.status != OfficerStatus.ON_DUTY:
            for c in in_force:
                rows.append(
                    AuditRow(
                        o.id,
                        o.name,
                        AuditFinding.INACTIVE_WITH_VALID_CERTIFICATE,
                        c.number,
                        f"状态“{STATUS_LABEL[o.status]}”，证件有效至"
                        f"{c.valid_to:%Y年%-m月%-d日}，应收回或注销。",
                    )
                )
            continue
        if not in_force:
            rows.append(
                AuditRow(
                    o.id,
                    o.name,
                    AuditFinding.EXPIRED_WHILE_ON_DUTY,
                    None,
                    "在岗但没有有效执法证件，不得参与行政检查。",
                )
            )
        for c in in_force:
            if o.post_domains and GENERAL_SCOPE not in o.post_domains:
                extra = c.scopes - o.post_domains
                if extra:
                    rows.append(
                        AuditRow(
                            o.id,
                            o.name,
                            AuditFinding.BEYOND_POST_SCOPE,
                            c.number,
                            "证件范围超出岗位职责："
                            + "、".join(domain_label(d) for d in sorted(extra))
                            + "。",
                        )
                    )
            if c.valid_to <= soon:
                rows.append(
                    AuditRow(
                        o.id,
                        o.name,
                        AuditFinding.EXPIRING_SOON,
                        c.number,
                        f"证件将于{c.valid_to:%Y年%-m月%-d日}到期。",
                    )
                )
    return tuple(rows)
