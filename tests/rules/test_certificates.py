import datetime as dt

import pytest

from fairinspect.rules.certificates import (
    AuditFinding,
    CertificateFact,
    CertificateStatus,
    OfficerFact,
    OfficerStatus,
    audit_certificates,
    check_eligibility,
)

DAY = dt.date(2025, 6, 18)


def cert(
    number="C1",
    start=dt.date(2024, 1, 1),
    end=dt.date(2026, 12, 31),
    scopes=("hazchem",),
    status=CertificateStatus.VALID,
):
    return CertificateFact(number, start, end, frozenset(scopes), status)


def officer(*certs, status=OfficerStatus.ON_DUTY, post=()):
    return OfficerFact("1", "王城", status, tuple(certs), frozenset(post))


def test_r1_1_an_officer_on_post_with_a_covering_certificate_is_eligible():
    result = check_eligibility(officer(cert()), on=DAY, domains={"hazchem"})
    assert result.eligible and result.certificate == "C1" and result.reasons == ()


@pytest.mark.parametrize(
    ("o", "code"),
    [
        (officer(cert(end=dt.date(2025, 6, 17))), "no_valid_certificate"),
        (officer(cert(start=dt.date(2025, 6, 19))), "no_valid_certificate"),
        (officer(cert(status=CertificateStatus.SUSPENDED)), "no_valid_certificate"),
        (officer(cert(status=CertificateStatus.REVOKED)), "no_valid_certificate"),
        (officer(), "no_valid_certificate"),
        (officer(cert(scopes=("mining",))), "certificate_out_of_scope"),
        (officer(cert(), status=OfficerStatus.RETIRED), "officer_not_on_duty"),
        (officer(cert(), status=OfficerStatus.OFF_POST), "officer_not_on_duty"),
        (officer(cert(), status=OfficerStatus.LEFT), "officer_not_on_duty"),
    ],
)
def test_r1_1_an_officer_is_refused_with_the_reason(o, code):
    result = check_eligibility(o, on=DAY, domains={"hazchem"})
    assert not result.eligible
    assert code in {r.code for r in result.reasons}


def test_r1_1_validity_dates_are_inclusive():
    o = officer(cert(start=DAY, end=DAY))
    assert check_eligibility(o, on=DAY, domains={"hazchem"}).eligible


def test_r1_1_a_general_scope_covers_every_domain():
    o = officer(cert(scopes=("general",)))
    assert check_eligibility(o, on=DAY, domains={"hazchem", "mining"}).eligible


def test_r1_1_a_matter_of_two_domains_needs_both_in_scope():
    o = officer(cert(scopes=("hazchem",)))
    assert not check_eligibility(o, on=DAY, domains={"hazchem", "mining"}).eligible


def test_r1_2_audit_lists_retired_and_off_post_people_still_holding_valid_certificates():
    rows = audit_certificates(
        [
            officer(cert(), status=OfficerStatus.RETIRED),
            officer(cert(end=dt.date(2024, 12, 31)), status=OfficerStatus.LEFT),
        ],
        on=DAY,
    )
    assert [r.finding for r in rows] == [AuditFinding.INACTIVE_WITH_VALID_CERTIFICATE]


def test_r1_2_audit_lists_holdings_beyond_the_post_scope():
    rows = audit_certificates(
        [officer(cert(scopes=("hazchem", "mining")), post=("hazchem",))], on=DAY
    )
    assert [r.finding for r in rows] == [AuditFinding.BEYOND_POST_SCOPE]
    assert "非煤矿山" in rows[0].detail


def test_r1_2_audit_lists_on_duty_officers_without_a_valid_certificate_and_expiring_ones():
    rows = audit_certificates(
        [officer(cert(end=dt.date(2025, 1, 1))), officer(cert(end=dt.date(2025, 7, 1)))], on=DAY
    )
    assert [r.finding for r in rows] == [
        AuditFinding.EXPIRED_WHILE_ON_DUTY,
        AuditFinding.EXPIRING_SOON,
    ]


def test_r1_2_a_clean_registry_gives_an_empty_audit():
    assert audit_certificates([officer(cert(), post=("hazchem",))], on=DAY) == ()
