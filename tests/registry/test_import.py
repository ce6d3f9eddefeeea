import io

import pytest
from openpyxl import Workbook, load_workbook

from fairinspect.core.errors import ValidationFailed
from fairinspect.registry import services
from fairinspect.registry.inputs import ENTERPRISE_LABELS
from fairinspect.registry.models import Certificate, Enterprise, ImportJob, Officer
from fairinspect.rules.credit_code import make_credit_code

HEADER = list(ENTERPRISE_LABELS.values())


def row(n: int, **over):
    values = {
        "credit_code": make_credit_code(f"91650103{n:09d}"),
        "name": f"导入测试{n}有限公司",
        "address": "沙依巴克区示例路",
        "district_code": "650103",
        "industry_code": "3311",
        "high_risk": "",
        "high_risk_override_reason": "",
        "standardization_grade": "三级",
        "grade_valid_from": "2024-01-01",
        "grade_valid_to": "2026-12-31",
        "risk_level": "一般风险",
        "credit_level": "B",
        "supervising_level": "区（县）级",
        "main_person": "张三",
        "main_person_phone": "13800000000",
        "contact_name": "",
        "contact_phone": "",
        "status": "在营",
    }
    values.update(over)
    return [values.get(k, "") for k in ENTERPRISE_LABELS]


def csv_bytes(rows) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(actor, name, data, kind="enterprises"):
    job = services.start_import(actor=actor, kind=kind, file_name=name, data=data)
    return services.run_import_job(job.pk)


@pytest.mark.parametrize(("name", "make"), [("e.csv", csv_bytes), ("e.xlsx", xlsx_bytes)])
def test_r13_1_an_import_with_a_bad_row_in_the_middle_saves_nothing_and_reports_the_row(
    admin_user, name, make
):
    rows = [row(i) for i in range(1, 11)]
    rows[4] = row(5, credit_code="91650103000000005X", standardization_grade="四级")
    job = run(admin_user, name, make(rows))
    assert job.status == ImportJob.Status.REJECTED
    assert not Enterprise.objects.exists()
    errors = {(e["row"], e["field"]) for e in job.errors}
    # Row 6 of the file: the header is row 1, so the fifth data row is row 6.
    assert errors == {(6, "credit_code"), (6, "standardization_grade")}
    messages = [e["message"] for e in job.errors]
    assert any("校验位" in m for m in messages)
    assert all(e["column"] in HEADER for e in job.errors)


def test_r13_1_after_fixing_the_row_the_same_file_imports_whole(admin_user):
    rows = [row(i) for i in range(1, 11)]
    rows[4] = row(5, district_code="999999")
    assert run(admin_user, "e.csv", csv_bytes(rows)).status == "rejected"
    rows[4] = row(5)
    job = run(admin_user, "e.csv", csv_bytes(rows))
    assert job.status == "done" and job.created_count == 10
    assert Enterprise.objects.count() == 10
    assert job.data == b""  # the upload is not kept once imported


def test_r13_1_duplicate_codes_within_a_file_are_reported_with_both_rows(admin_user):
    job = run(admin_user, "e.csv", csv_bytes([row(1), row(2), row(1)]))
    assert job.status == "rejected"
    assert job.errors[0]["row"] == 4 and "第2行" in job.errors[0]["message"]


def test_r13_1_an_unknown_column_is_refused_before_anything_is_queued(admin_user):
    data = "统一社会信用代码,名字\n1,2\n".encode()
    with pytest.raises(ValidationFailed) as err:
        services.start_import(actor=admin_user, kind="enterprises", file_name="e.csv", data=data)
    assert err.value.code == "unknown_column" and "名字" in err.value.message
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("e.txt", b"x", "file_type"),
        ("e.csv", b"", "empty"),
        ("e.xlsx", b"not a zip", "file_broken"),
    ],
)
def test_r13_1_unreadable_files_are_refused_with_a_reason(admin_user, name, data, code):
    with pytest.raises(ValidationFailed) as err:
        services.start_import(actor=admin_user, kind="enterprises", file_name=name, data=data)
    assert err.value.code == code


def test_r13_1_a_gb18030_csv_from_excel_is_read(admin_user):
    data = csv_bytes([row(1)]).decode("utf-8").encode("gb18030")
    assert run(admin_user, "e.csv", data).status == "done"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_r13_1_export_then_import_round_trips(admin_user, login, fmt):
    run(admin_user, "e.csv", csv_bytes([row(i) for i in range(1, 6)]))
    before = list(Enterprise.objects.order_by("credit_code").values())
    resp = login(admin_user).get(f"/registry/enterprises/export.{fmt}")
    assert resp.status_code == 200
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    job = run(admin_user, f"back.{fmt}", data)
    assert job.status == "done", job.errors
    # Re-importing the system's own export reports its rows: all five, none changed.
    assert (job.total_rows, job.created_count, job.updated_count, job.unchanged_count) == (
        5,
        0,
        0,
        5,
    )
    after = list(Enterprise.objects.order_by("credit_code").values())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


def test_r13_1_export_neutralises_spreadsheet_formulas(admin_user, login, make_enterprise):
    make_enterprise(name='=HYPERLINK("http://x")')
    resp = login(admin_user).get("/registry/enterprises/export.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    names = [c.value for c in ws["B"]]
    assert '\'=HYPERLINK("http://x")' in names


def test_r13_1_progress_is_reported_row_by_row(admin_user):
    seen = []
    job = services.start_import(
        actor=admin_user,
        kind="enterprises",
        file_name="e.csv",
        data=csv_bytes([row(i) for i in range(1, 4)]),
    )
    services.run_import_job(
        job.pk, progress=lambda done, total, phase: seen.append((done, total, phase))
    )
    assert seen[:3] == [(1, 3, "validating"), (2, 3, "validating"), (3, 3, "validating")]
    assert seen[-1] == (3, 3, "writing")


def test_r13_1_running_a_finished_job_again_changes_nothing(admin_user):
    job = run(admin_user, "e.csv", csv_bytes([row(1)]))
    again = services.run_import_job(job.pk)
    assert again.status == "done" and Enterprise.objects.count() == 1


OFFICER_CSV = (
    "姓名,部门编码,状态,电话,岗位执法领域,执法证号,发证机关,有效期起,有效期止,执法领域,证件状态\n"
    "王一,650100-WH,在岗,13900000001,危险化学品,65010001,乌鲁木齐市人民政府,2024-01-01,2028-12-31,危险化学品,有效\n"
    "李二,650102,退休,,综合,65020002,乌鲁木齐市人民政府,2023-01-01,2027-12-31,综合,有效\n"
)


def test_r1_1_officers_import_with_their_certificates(admin_user):
    job = run(admin_user, "o.csv", OFFICER_CSV.encode(), kind="officers")
    assert job.status == "done", job.errors
    assert Officer.objects.count() == 2
    cert = Certificate.objects.get(number="65010001")
    assert cert.scopes == ["hazchem"] and cert.officer.status == "on_duty"


def test_r1_1_an_officer_row_with_bad_dates_and_scope_is_reported(admin_user):
    bad = OFFICER_CSV.replace("2028-12-31,危险化学品", "2020-12-31,化学")
    job = run(admin_user, "o.csv", bad.encode(), kind="officers")
    assert job.status == "rejected"
    assert {e["field"] for e in job.errors} == {"valid_to", "scopes"}
    assert not Officer.objects.exists()


def test_r13_1_the_command_line_import_reports_progress_and_errors(admin_user, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "e.csv"
    bad.write_bytes(csv_bytes([row(1), row(2, name="")]))
    with pytest.raises(CommandError, match="整批 2 行均未导入"):
        call_command("import_enterprises", str(bad), "--as-user", "admin1")
    out = capsys.readouterr()
    assert "第3行 [企业名称]" in out.out
    assert not Enterprise.objects.exists()
    good = tmp_path / "g.csv"
    good.write_bytes(csv_bytes([row(1), row(2)]))
    call_command("import_enterprises", str(good), "--as-user", "admin1")
    out = capsys.readouterr()
    assert "导入成功：2 行" in out.out and "校验 2/2 (100%)" in out.err
