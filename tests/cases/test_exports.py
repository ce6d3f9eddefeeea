"""The exchange files built from real records (R6.5 national supervision system, R8.2 信用中国)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from openpyxl import load_workbook

from fairinspect.cases import services
from fairinspect.exchange import services as exchange
from fairinspect.exchange.fields import credit_china_fields, national_fields
from fairinspect.exchange.models import ExportRun

pytestmark = pytest.mark.django_db

CODE = "11650100MB0000000X"


@pytest.fixture
def decided(new_case, walk, approver):
    c = walk(new_case(), "serve")
    services.publish_disclosure(actor=approver, disclosure=c.disclosure, on=c.decided_on)
    return c


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
def test_r8_2_the_credit_china_file_has_the_standard_fields_in_order(decided):
    data = exchange.credit_china_file(today=decided.decided_on, fmt="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.values)
    assert list(rows[0]) == [f.code for f in credit_china_fields()]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["cf_wsh"] == decided.decision_number
    assert row["cf_xdr_shxym"] == decided.enterprise.credit_code
    assert row["cf_cfjgdm"] == CODE and row["cf_nr_fk"] == f"{decided.fine_amount / 10000:.6f}"


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
def test_r8_2_a_decision_past_its_publication_end_is_left_out(decided):
    later = decided.decided_on + dt.timedelta(days=366)
    assert exchange.credit_china_rows(today=later) == []


def test_r8_2_without_the_bureaus_code_the_export_refuses_naming_the_setting(decided, tmp_path):
    with (
        override_settings(AUTHORITY_CREDIT_CODE=""),
        pytest.raises(CommandError, match="AUTHORITY_CREDIT_CODE"),
    ):
        call_command("export_credit_china", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
def test_r6_5_the_national_export_writes_checked_files_with_a_manifest(decided, tmp_path):
    out = tmp_path / "export-1"
    call_command("export_national", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["cases.jsonl"]["rows"] == 1
    lines = (out / "cases.jsonl").read_text().splitlines()
    case = json.loads(lines[0])
    assert set(case) == {f.code for f in national_fields("cases")}
    assert case["decision_number"] == decided.decision_number
    import hashlib

    for name, meta in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == meta["sha256"]
    ws = load_workbook(out / "cases.xlsx").active
    assert [c.value for c in next(ws.iter_rows(max_row=1))] == [
        f.code for f in national_fields("cases")
    ]
    # The next export starts where this one ended: nothing has changed since.
    run = ExportRun.objects.get()
    out2 = tmp_path / "export-2"
    call_command("export_national", str(out2))
    second = json.loads((out2 / "manifest.json").read_text())
    assert second["since"] == run.until.isoformat()
    assert second["files"]["cases.jsonl"]["rows"] == 0


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
def test_r6_5_an_export_into_a_used_folder_is_refused_and_records_nothing(decided, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("export_national", str(tmp_path / "used"))
    assert not ExportRun.objects.exists()


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
def test_r8_2_every_row_validates_persons_are_redacted_and_units_name_their_representative(
    new_case, walk, approver, ent
):
    """Both kinds of row against the field list: the unit's with its code and legal
    representative, the person's with the masked name, no company's code, and no identity or
    mobile number even when the officer typed them into the facts."""
    from fairinspect.rules.exports import check_row

    ent.legal_representative = "周立新"
    ent.save(update_fields=["legal_representative"])
    unit = walk(new_case(), "serve")
    person = new_case(
        violation="AQSCF2021-94", party="person", person_name="张建国", person_role="主要负责人"
    )
    person = walk(person, "serve")
    person.facts_text = (
        "张建国（身份证号650102198001011234，手机13912345678）未履行安全生产管理职责。"
    )
    person.save(update_fields=["facts_text"])
    for c in (unit, person):
        services.publish_disclosure(actor=approver, disclosure=c.disclosure, on=c.decided_on)
    rows = exchange.credit_china_rows(today=unit.decided_on)
    assert len(rows) == 2
    for n, row in enumerate(rows, 1):
        assert list(row) == [f.code for f in credit_china_fields()]
        assert check_row(row, credit_china_fields(), line=n) == []
    by_number = {r["cf_wsh"]: r for r in rows}
    u, p = by_number[unit.decision_number], by_number[person.decision_number]
    assert u["cf_xdr_lb"] == "法人及非法人组织" and u["cf_xdr_shxym"] == ent.credit_code
    assert u["cf_frdb"] == "周立新"
    assert p["cf_xdr_lb"] == "自然人" and p["cf_xdr_mc"] == "张**"
    assert p["cf_xdr_shxym"] == p["cf_frdb"] == p["cf_xdr_zjhm"] == ""
    published = json.dumps(p, ensure_ascii=False)
    for secret in ("张建国", "650102198001011234", "13912345678", ent.credit_code):
        assert secret not in published, secret
    # One year on, both leave the file at their 公示截止期.
    end = dt.date.fromisoformat(u["cf_gsjzq"])
    assert exchange.credit_china_rows(today=end) != []
    assert exchange.credit_china_rows(today=end + dt.timedelta(days=1)) == []
