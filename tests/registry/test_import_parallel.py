"""A large import's rows cleaned in worker processes (issue 13 item 5, R13.1): the same
enterprises, the same notes and the same errors as the serial path, and still all or
nothing — a bad row in the last batch refuses the whole file."""

import pytest
from django.test import override_settings

from fairinspect.registry import imports
from fairinspect.registry.imports import EnterpriseImporter
from fairinspect.registry.inputs import ENTERPRISE_LABELS
from fairinspect.registry.models import Enterprise, ImportJob
from fairinspect.registry.tabular import read_rows

from .test_import import csv_bytes, row, run

ROWS = 2 * imports.CHUNK + 500  # three batches, the last one short
PARALLEL = override_settings(IMPORT_WORKERS=2, IMPORT_PARALLEL_ROWS=1)
SERIAL = override_settings(IMPORT_WORKERS=1)


class _Quiet:
    progress = None

    def beat(self, done: int, phase: str, *, force: bool = False) -> None:
        return None


def _validated(data: bytes):
    job = ImportJob(kind="enterprises", file_name="e.csv")
    _, rows, total = read_rows("e.csv", data, ENTERPRISE_LABELS)
    result = EnterpriseImporter(job).validate(rows, ENTERPRISE_LABELS, _Quiet(), total)
    return result.total, result.creates, result.errors, result.notes


def _mixed_file() -> bytes:
    rows = [row(i) for i in range(1, ROWS + 1)]
    rows[3] = row(4, credit_code=" 9165" + rows[3][0][4:].lower())  # a note, not an error
    rows[10] = row(11, standardization_grade="四级", district_code="999999")
    rows[1500] = row(1501, credit_code=rows[20][0])  # the same code in another batch
    rows[-1] = row(ROWS, grade_valid_to="2023-01-01")  # the last row of the last batch
    return csv_bytes(rows)


@pytest.mark.django_db
def test_r13_1_the_parallel_cleaning_gives_the_serial_result_row_for_row(monkeypatch):
    good = csv_bytes([row(i, name=f"（并行）测试·{i}有限公司") for i in range(1, ROWS + 1)])
    here = []  # the rows this process cleaned itself
    cleaner = imports.clean_enterprise
    monkeypatch.setattr(
        imports, "clean_enterprise", lambda *a, **k: here.append(1) or cleaner(*a, **k)
    )
    with SERIAL:
        serial = _validated(good)
    assert len(here) == ROWS
    with PARALLEL:
        parallel = _validated(good)
    assert len(here) == ROWS  # every row of the parallel run was cleaned by a worker
    assert serial[0] == parallel[0] == ROWS
    assert serial == parallel
    assert not parallel[2]


@pytest.mark.django_db
def test_r13_1_the_parallel_cleaning_reports_the_serial_errors_and_notes():
    data = _mixed_file()
    with SERIAL:
        serial = _validated(data)
    with PARALLEL:
        parallel = _validated(data)
    assert serial[2] == parallel[2]
    assert serial[3] == parallel[3]
    fields = {(e["row"], e["field"]) for e in parallel[2]}
    assert {(12, "standardization_grade"), (12, "district_code")} <= fields
    assert (1502, "credit_code") in fields  # duplicate of row 22
    assert (ROWS + 1, "grade_valid_to") in fields
    assert any(n["row"] == 5 and n["field"] == "credit_code" for n in parallel[3])


def test_r13_1_a_bad_row_in_the_last_batch_refuses_the_whole_parallel_import(admin_user):
    rows = [row(i) for i in range(1, ROWS + 1)]
    rows[-1] = row(ROWS, industry_code="0000")
    with PARALLEL:
        job = run(admin_user, "e.csv", csv_bytes(rows))
    assert job.status == ImportJob.Status.REJECTED
    assert not Enterprise.objects.exists()
    assert [(e["row"], e["field"], e["code"]) for e in job.errors] == [
        (ROWS + 1, "industry_code", "unknown_industry")
    ]


def test_r13_1_a_parallel_import_writes_what_the_serial_one_writes(admin_user):
    rows = [row(i) for i in range(1, ROWS + 1)]
    columns = [f.attname for f in Enterprise._meta.concrete_fields]
    columns = [c for c in columns if c not in ("id", "created_at", "updated_at")]
    written = []
    for setting in (SERIAL, PARALLEL):
        with setting:
            job = run(admin_user, "e.csv", csv_bytes(rows))
        assert job.status == ImportJob.Status.DONE and job.created_count == ROWS
        written.append(list(Enterprise.objects.order_by("credit_code").values_list(*columns)))
        Enterprise.objects.all().delete()
    assert written[0] == written[1]
