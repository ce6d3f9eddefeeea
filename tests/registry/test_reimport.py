"""Importing the market regulator's export as it comes, re-importing it, and import jobs
that have exactly one runner and survive a dead one (issue 15 items 2–5, issue 8 item 9)."""

import csv
import datetime as dt
import io

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.registry import imports, mappings, services
from fairinspect.registry.models import Enterprise, ImportJob, ImportMapping
from fairinspect.rules.credit_code import make_credit_code

from .test_import import csv_bytes, row, run

GSXT_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "注册日期",
    "企业类型",
    "法定代表人",
    "注册资本",
    "经营范围",
    "登记机关",
    "住所",
    "核准日期",  # a column the mapping does not name: ignored
]


def gsxt_row(n: int, name: str | None = None, authority="乌鲁木齐市天山区市场监督管理局"):
    return [
        name or f"天山示例{n}商贸有限公司",
        make_credit_code(f"91650102{n:09d}"),
        "2016-05-04",
        "有限责任公司(自然人投资或控股)",
        "王伟",
        "500万元人民币",
        "日用百货销售",
        authority,
        f"新疆乌鲁木齐市天山区示例路{n}号",
        "2024-01-01",
    ]


def gsxt_csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(GSXT_HEADER)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def gsxt(admin_user):
    from fairinspect.registry.migrations import (
        __name__ as pkg,  # noqa: F401  (the mapping is the migration's, re-saved after a flush)
    )

    mod = __import__(
        "fairinspect.registry.migrations.0005_search_key_bigrams_national_mapping",
        fromlist=["NATIONAL_COLUMNS"],
    )
    return mappings.save_mapping(
        actor=admin_user,
        source="gsxt",
        name="国家企业信用信息公示系统导出",
        columns=mod.NATIONAL_COLUMNS,
        defaults={"industry_code": "5211", "supervising_level": "district"},
    )


def run_mapped(actor, rows, mapping, name="gsxt.csv"):
    job = services.start_import(
        actor=actor, kind="enterprises", file_name=name, data=gsxt_csv(rows), mapping=mapping
    )
    return services.run_import_job(job.pk)


def test_r3_1_the_regulators_export_imports_as_it_comes(admin_user, gsxt):
    job = run_mapped(admin_user, [gsxt_row(n) for n in range(1, 4)], gsxt)
    assert job.status == "done", job.errors
    assert (job.total_rows, job.created_count) == (3, 3)
    e = Enterprise.objects.get(credit_code=make_credit_code(f"91650102{1:09d}"))
    assert e.district_code == "650102"  # from 登记机关 天山区
    assert (e.industry_id, e.supervising_level) == ("5211", "district")  # the mapping's defaults
    assert e.registered_on == dt.date(2016, 5, 4) and e.registered_capital == "500万元人民币"
    assert e.legal_representative == "王伟" and e.source == "gsxt"


def test_r3_1_a_renamed_enterprise_keeps_its_old_name_and_a_vanished_one_is_flagged(
    admin_user, gsxt
):
    run_mapped(admin_user, [gsxt_row(n) for n in range(1, 4)], gsxt)
    e1 = Enterprise.objects.get(credit_code=make_credit_code(f"91650102{1:09d}"))
    e1.industry_id, e1.high_risk = "2614", True  # an officer's correction the export lacks
    e1.save()
    job = run_mapped(admin_user, [gsxt_row(1, name="天山新名称商贸有限公司"), gsxt_row(2)], gsxt)
    assert job.status == "done", job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert job.missing_count == 1
    e1.refresh_from_db()
    assert e1.name == "天山新名称商贸有限公司" and e1.former_names == ["天山示例1商贸有限公司"]
    assert e1.industry_id == "2614"  # kept: the source does not carry the industry
    gone = Enterprise.objects.get(credit_code=make_credit_code(f"91650102{3:09d}"))
    assert gone.missing_from_source_since is not None  # flagged, not deleted
    # Back in the next export: the flag goes.
    job = run_mapped(admin_user, [gsxt_row(n) for n in range(2, 4)], gsxt)
    gone.refresh_from_db()
    assert gone.missing_from_source_since is None


def test_r3_1_the_preview_shows_how_each_column_and_the_first_rows_will_be_read(admin_user, gsxt):
    run_mapped(admin_user, [gsxt_row(1)], gsxt)
    bad = gsxt_row(3)
    bad[1] = "650102000012345"  # a 15-digit registration number where the code belongs
    data = gsxt_csv([gsxt_row(1), gsxt_row(2), bad])
    p = mappings.preview(file_name="x.csv", data=data, mapping=gsxt)
    fields = {c["header"]: c["field"] for c in p["columns"]}
    assert fields["企业名称"] == "name" and fields["核准日期"] == ""
    assert [r["action"] for r in p["rows"]] == ["unchanged", "create", "refused"]
    err = p["rows"][2]["errors"][0]
    assert err["value"] == "650102000012345" and "15位工商注册号" in err["message"]
    assert not ImportJob.objects.filter(file_name="x.csv").exists()  # nothing stored


def test_r3_1_a_preview_page_then_start_runs_the_import(
    admin_user, gsxt, login, django_capture_on_commit_callbacks
):
    client = login(admin_user)
    upload = io.BytesIO(gsxt_csv([gsxt_row(1)]))
    upload.name = "gsxt.csv"
    resp = client.post(
        "/registry/import/", {"kind": "enterprises", "mapping": "gsxt", "file": upload}
    )
    assert resp.status_code == 302 and "/preview/" in resp["Location"]
    page = client.get(resp["Location"]).content.decode()
    assert "天山示例1商贸有限公司" in page and "新增" in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(resp["Location"])
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created_count == 1


def test_r3_1_pasted_codes_are_normalised_with_a_note_and_bad_values_are_reported(admin_user):
    code = make_credit_code(f"91650103{1:09d}")
    spaced = f"{code[:6]} {code[6:12]} {code[12:]}".lower()
    job = run(admin_user, "e.csv", csv_bytes([row(1, credit_code=spaced)]))
    assert job.status == "done"
    assert Enterprise.objects.filter(credit_code=code).exists()
    assert job.notes[0]["value"] == spaced and "已去除空格" in job.notes[0]["message"]
    job = run(admin_user, "bad.csv", csv_bytes([row(2, credit_code="12345678-9")]))
    assert job.status == "rejected"
    assert job.errors[0]["value"] == "12345678-9" and "组织机构代码" in job.errors[0]["message"]


def test_r3_1_the_error_csv_shows_the_refused_value(admin_user, login):
    job = run(admin_user, "bad.csv", csv_bytes([row(1, standardization_grade="四级")]))
    body = login(admin_user).get(f"/registry/import/{job.pk}/errors.csv").content.decode()
    assert "原值" in body and "四级" in body


def test_r3_1_re_import_counts_new_updated_and_unchanged(admin_user):
    run(admin_user, "a.csv", csv_bytes([row(n) for n in range(1, 5)]))
    rows = [row(n) for n in range(1, 4)] + [row(4, main_person="李四"), row(5)]
    job = run(admin_user, "b.csv", csv_bytes(rows))
    assert (job.total_rows, job.created_count, job.updated_count, job.unchanged_count) == (
        5,
        1,
        1,
        3,
    )
    assert Enterprise.objects.get(name="导入测试4有限公司").main_person == "李四"
    event = AuditEvent.objects.filter(action="import").order_by("-id").first()
    assert event.data["unchanged"] == 3


def test_r3_1_a_refresh_writes_only_what_changed_and_the_search_follows_a_new_name(
    admin_user,
):
    """The UPDATE sets only the columns that differ in some row (issue 15 item 4: the
    monthly refresh rewrites no index entry); a row whose name changed gets a new search
    key, a row that only changed its person keeps its key, and every other column stays."""
    from fairinspect.rules.search import key_grams

    run(admin_user, "a.csv", csv_bytes([row(n) for n in range(1, 4)]))
    before = {e.credit_code: e for e in Enterprise.objects.all()}
    rows = [row(1, main_person="李四"), row(2, name="更名后的企业有限公司"), row(3)]
    job = run(admin_user, "b.csv", csv_bytes(rows))
    assert (job.updated_count, job.unchanged_count) == (2, 1)
    after = {e.credit_code: e for e in Enterprise.objects.all()}
    one, two, three = (make_credit_code(f"91650103{n:09d}") for n in (1, 2, 3))
    assert after[one].main_person == "李四"
    assert after[one].search_key == before[one].search_key  # kept, not computed again
    assert after[two].name == "更名后的企业有限公司"
    assert after[two].former_names == ["导入测试2有限公司"]
    assert "更名后的企业有限公司" in after[two].search_key.split("\n")
    assert after[two].search_grams == key_grams(after[two].search_key)
    assert after[two].main_person == before[two].main_person  # not in the file's change
    for code in (one, two):
        for field in ("address", "district_code", "industry_id", "risk_level", "contact_phone"):
            assert getattr(after[code], field) == getattr(before[code], field), field
        assert after[code].updated_at > before[code].updated_at
    assert after[three].updated_at == before[three].updated_at  # unchanged: not written
    from .test_search import found

    assert found("更名后的企业") == ["更名后的企业有限公司"]
    assert found("导入测试2有限公司") == ["更名后的企业有限公司"]  # by its former name


# ---- one job, one runner; a dead runner --------------------------------------------------


def _pending(actor, n=3):
    return services.start_import(
        actor=actor,
        kind="enterprises",
        file_name="e.csv",
        data=csv_bytes([row(i) for i in range(1, n + 1)]),
        enqueue=False,
    )


def test_r13_1_only_one_of_two_runners_claims_a_job(admin_user):
    job = _pending(admin_user)
    assert imports.claim_import(job.pk, "worker") is True
    assert imports.claim_import(job.pk, "cli") is False
    job.refresh_from_db()
    assert job.runner == "worker" and job.attempts == 1


def test_r13_1_a_job_run_twice_writes_once_with_one_audit_record(admin_user):
    job = _pending(admin_user)
    first = services.run_import_job(job.pk, runner="cli")
    second = services.run_import_job(job.pk, runner="worker")
    assert first.status == second.status == "done"
    assert AuditEvent.objects.filter(action="import", object_id=str(job.pk)).count() == 1
    assert Enterprise.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_r13_1_two_runners_racing_for_one_job_process_it_once(admin_user):
    import threading

    from django.db import connection

    job = _pending(admin_user, n=50)
    barrier = threading.Barrier(2)
    out = []

    def go(name):
        try:
            barrier.wait()
            out.append(services.run_import_job(job.pk, runner=name).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(n,)) for n in ("worker", "cli")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 50
    assert AuditEvent.objects.filter(action="import", object_id=str(job.pk)).count() == 1
    assert Enterprise.objects.count() == 50


def test_r13_1_an_import_that_dies_while_writing_ends_failed_and_can_run_again(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    job = _pending(admin_user)

    def die(*args, **kwargs):
        raise MemoryError("worker killed")

    monkeypatch.setattr(imports.EnterpriseImporter, "write", die)
    job = services.run_import_job(job.pk)
    assert job.status == "failed" and "中断" in job.errors[0]["message"]
    assert not Enterprise.objects.exists()  # the write was rolled back whole
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):  # the immediate task backend
        services.rerun_import(actor=admin_user, job=job)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 3


def test_r13_1_a_job_left_writing_by_a_killed_worker_is_reaped_and_re_runnable(
    admin_user, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2025, 6, 18, 9, 0, tzinfo=dt.UTC))
    job = _pending(admin_user)
    assert imports.claim_import(job.pk, "host:4242:1")
    # The process was killed (SIGKILL) in the write: its transaction rolled back, the job's
    # status row says `writing` and nobody renews the lease.
    ImportJob.objects.filter(pk=job.pk).update(status="writing")
    assert imports.reap_stale_imports() == 0  # the lease has not run out yet
    time_machine.move_to(dt.datetime(2025, 6, 18, 9, 6, tzinfo=dt.UTC))
    assert imports.reap_stale_imports() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "host:4242:1" in job.errors[0]["message"]
    with django_capture_on_commit_callbacks(execute=True):
        services.rerun_import(actor=admin_user, job=job)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2


def test_r13_1_a_reaped_runner_that_wakes_up_writes_nothing(admin_user, monkeypatch):
    job = _pending(admin_user)
    real = imports.EnterpriseImporter.write

    def reaped_meanwhile(self, result):
        ImportJob.objects.filter(pk=job.pk).update(status="failed")
        return real(self, result)

    monkeypatch.setattr(imports.EnterpriseImporter, "write", reaped_meanwhile)
    services.run_import_job(job.pk)
    assert not Enterprise.objects.exists()  # its writes were undone with the lost lease


def test_r13_1_the_command_line_claims_its_own_job_and_reports_counts(admin_user, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "e.csv"
    path.write_bytes(csv_bytes([row(i) for i in range(1, 4)]))
    out = io.StringIO()
    call_command("import_enterprises", str(path), as_user=admin_user.username, stdout=out)
    job = ImportJob.objects.get()
    assert job.status == "done" and job.runner  # claimed by the command, never queued
    assert "新增 3" in out.getvalue() and "未变 0" in out.getvalue()


def test_r13_1_the_mapping_refuses_unknown_fields_and_defaults(admin_user):
    from fairinspect.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        mappings.save_mapping(
            actor=admin_user, source="x", name="x", columns={"名称": "nonsense"}, defaults={}
        )
    assert err.value.code == "unknown_field"
    with pytest.raises(ValidationFailed) as err:
        mappings.save_mapping(
            actor=admin_user,
            source="x",
            name="x",
            columns={"名称": "name", "代码": "credit_code"},
            defaults={"industry_code": "A"},
        )
    assert err.value.field == "defaults.industry_code"
    assert not ImportMapping.objects.filter(source="x").exists()
