"""Former identifiers (issue 15 item 2): a pre-2015 15-digit 工商注册号 or a 9-character
organisation code found in an import, typed in the form or sent to the API is kept as a
former identifier of the enterprise, named as such in the import's notes, and found by
the search however it is typed."""

import json

from fairinspect.registry import queries, services
from fairinspect.registry.models import Enterprise
from fairinspect.rules.credit_code import (
    legacy_identifier,
    looks_like_legacy_identifier,
    make_credit_code,
    organisation_check,
)
from fairinspect.rules.search import parse_query

from .test_import import csv_bytes, row, run

ORG = "12345678" + organisation_check("12345678")  # a valid GB 11714 organisation code
REG = "650102000012347"  # fifteen digits


def found(q: str) -> list[str]:
    results = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter(q=q))
    return [e.credit_code for e in results]


def test_r3_1_legacy_identifiers_are_recognised_as_people_type_them():
    assert legacy_identifier("6501 0200 0012 347") == ("registration_number", REG)
    assert legacy_identifier(f"{ORG[:8]}-{ORG[8]}".lower()) == ("organisation_code", ORG)
    assert legacy_identifier("91650102MA7XXXXXXX") is None
    assert looks_like_legacy_identifier(f"{ORG[:8]}－{ORG[8]}") == "organisation_code"
    assert looks_like_legacy_identifier("12345678-0" if ORG[8] != "0" else "12345678-1") == ""
    assert parse_query(f"{ORG[:8]}-{ORG[8]}").text == ORG.lower()


def test_r3_1_an_imported_former_identifier_is_kept_named_and_searchable(admin_user):
    rows = [
        row(1, former_identifiers=f"{REG}、{ORG[:8]}-{ORG[8]}"),
        row(2),
    ]
    job = run(admin_user, "ids.csv", csv_bytes(rows))
    assert job.status == "done", job.errors
    code = make_credit_code(f"91650103{1:09d}")
    e = Enterprise.objects.get(credit_code=code)
    assert e.former_identifiers == [REG, ORG]
    note = next(n for n in job.notes if n["field"] == "former_identifiers")
    assert "15位工商注册号" in note["message"] and "组织机构代码" in note["message"]
    assert note["row"] == 2
    assert found(REG) == [code]
    assert found(f"{ORG[:8]}-{ORG[8]}") == [code]  # with its hyphen, as printed
    assert found(ORG.lower()) == [code]
    # A re-import without them keeps them (they are only ever added) and changes nothing.
    job = run(admin_user, "again.csv", csv_bytes([row(1), row(2)]))
    assert (job.updated_count, job.unchanged_count) == (0, 2)
    e.refresh_from_db()
    assert e.former_identifiers == [REG, ORG]
    # An export of the system re-imports them unchanged.
    assert services.export_enterprise_row(e)["former_identifiers"] == f"{REG}、{ORG}"


def test_r3_1_a_value_that_is_no_former_identifier_is_refused_with_the_value(admin_user):
    job = run(admin_user, "bad.csv", csv_bytes([row(1, former_identifiers="ABC-12")]))
    assert job.status == "rejected"
    err = job.errors[0]
    assert err["field"] == "former_identifiers" and err["value"] == "ABC-12"
    assert "不是15位工商注册号或9位组织机构代码" in err["message"]


def test_r3_1_a_registration_number_in_the_credit_code_column_is_named_as_such(admin_user):
    job = run(admin_user, "old.csv", csv_bytes([row(1, credit_code=REG)]))
    assert job.status == "rejected"
    err = job.errors[0]
    assert err["value"] == REG and "15位工商注册号" in err["message"]


def test_r3_1_a_former_identifier_typed_through_the_service_is_kept(admin_user, make_enterprise):
    e = make_enterprise()
    e = services.update_enterprise(
        actor=admin_user, enterprise=e, data={"former_identifiers": f"{ORG[:8]}-{ORG[8]}"}
    )
    e.refresh_from_db()
    assert e.former_identifiers == [ORG]
    assert found(ORG) == [e.credit_code]


def test_r3_1_the_api_takes_and_shows_former_identifiers(
    client, admin_user, api_token, make_enterprise
):
    e = make_enterprise()
    resp = client.patch(
        f"/api/v1/enterprises/{e.credit_code}",
        json.dumps({"former_identifiers": [REG]}),
        content_type="application/json",
        **api_token(admin_user),
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["former_identifiers"] == [REG]
