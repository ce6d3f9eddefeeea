"""文号 series (issue 12 item 5): each document type of each bureau counts on its own yearly
series, allocated race-safely; the notices never borrow the case's number."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from fairinspect.registry.models import Department
from fairinspect.rules.document_numbers import abbreviation, format_number
from fairinspect.visits.models import DocumentNumber
from fairinspect.visits.services.numbers import allocate

D = dt.date(2026, 3, 2)


def test_r7_5_the_number_format_and_the_bureaus_abbreviation():
    assert format_number("乌", "decision", 2026, 12) == "乌应急罚〔2026〕12号"
    assert format_number("乌", "notice", 2026, 1) == "乌应急告〔2026〕1号"
    assert abbreviation("650100") == "乌" and abbreviation("650102") == "乌天"
    assert abbreviation("") == "乌"
    with pytest.raises(ValueError):
        format_number("乌", "decision", 2026, 0)


@pytest.mark.django_db
def test_r7_5_each_type_bureau_and_year_has_its_own_series():
    city = Department.objects.get(code="650100-WH")  # a section: its bureau's series
    district = Department.objects.get(code="650102")  # 天山区应急管理局
    assert allocate("decision", department=city, on=D) == "乌应急罚〔2026〕1号"
    assert allocate("decision", department=city, on=D) == "乌应急罚〔2026〕2号"
    assert allocate("notice", department=city, on=D) == "乌应急告〔2026〕1号"
    assert allocate("decision", department=city, on=D.replace(year=2027)) == "乌应急罚〔2027〕1号"
    assert allocate("decision", department=district, on=D) == "乌天应急罚〔2026〕1号"
    # Without a department: the city bureau's series (one prefix, one series).
    assert allocate("decision", department=None, on=D) == "乌应急罚〔2026〕3号"


@pytest.mark.django_db
def test_r7_5_the_series_row_is_unique_per_bureau_type_and_year():
    DocumentNumber.objects.create(prefix="乌", kind="decision", year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(prefix="乌", kind="decision", year=2026)


@pytest.mark.django_db
def test_r7_5_a_case_s_notices_and_decision_are_numbered_on_their_own_series(new_case, walk, npl):
    first = walk(new_case(), "decide")
    second = walk(new_case(violation="AQSCF2021-97-5"), "decide")
    assert first.notice_number == "乌应急告〔2025〕1号"
    assert second.notice_number == "乌应急告〔2025〕2号"
    assert first.number == "乌应急立〔2025〕1号" and second.number == "乌应急立〔2025〕2号"
    assert {first.decision_number, second.decision_number} <= {
        "乌应急罚〔2025〕1号",
        "乌应急罚〔2025〕2号",
        "乌应急不罚〔2025〕1号",
    }
    assert first.notice_number != first.number


@pytest.mark.django_db(transaction=True)
def test_r7_5_concurrent_allocations_never_share_a_number():
    """Eight threads allocate at once (PostgreSQL: row lock; SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is in memory)")
    got: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(5):
                got.append(allocate("decision", department=None, on=D))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == len(set(got)) == 40
    assert DocumentNumber.objects.get(prefix="乌", kind="decision", year=2026).last == 40


@pytest.mark.django_db(transaction=True)
def test_r7_5_the_backfill_continues_each_series_after_the_numbers_already_issued(
    new_case, walk, npl
):
    """cases.0006: a decision numbered the old way (by case id) keeps its number, the series
    continues after it, and a case notified before the notices had numbers gets one."""
    from django.db.migrations.executor import MigrationExecutor

    from fairinspect.cases.models import Case

    case = walk(new_case(), "decide")
    Case.objects.filter(pk=case.pk).update(decision_number="乌应急罚〔2025〕7号")
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0004_duties_and_listing_due_process")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    case = Case.objects.get(pk=case.pk)
    assert case.decision_number == "乌应急罚〔2025〕7号"
    assert case.notice_number == "乌应急告〔2025〕1号"
    assert DocumentNumber.objects.get(prefix="乌", kind="decision", year=2025).last == 7
    assert allocate("decision", department=None, on=dt.date(2025, 9, 1)) == "乌应急罚〔2025〕8号"
    assert allocate("filing", department=None, on=dt.date(2025, 9, 1)) == "乌应急立〔2025〕2号"


@pytest.mark.django_db
def test_r7_5_the_inspection_documents_count_on_their_bureau_s_series_too():
    """A district bureau's 现场检查记录 and 整改指令 are its own, not the city's (issue 12)."""
    city = Department.objects.get(code="650100-WH")
    district = Department.objects.get(code="650102")
    assert allocate("record", department=district, on=D) == "乌天应急现记〔2026〕1号"
    assert allocate("record", department=city, on=D) == "乌应急现记〔2026〕1号"
    assert allocate("order", department=district, on=D) == "乌天应急责改〔2026〕1号"
    assert allocate("record", department=district, on=D) == "乌天应急现记〔2026〕2号"
    # An enterprise's application goes to the bureau that supervises it (its district's).
    assert allocate("application", department=None, division="650102", on=D) == (
        "乌天应急检申〔2026〕1号"
    )


@pytest.mark.django_db
def test_r7_5_a_bulk_issuer_takes_consecutive_numbers_and_moves_the_series_on():
    from fairinspect.visits.services.numbers import allocate_many

    assert allocate_many("plan", department=None, on=D, count=3) == [
        "乌应急检方〔2026〕1号",
        "乌应急检方〔2026〕2号",
        "乌应急检方〔2026〕3号",
    ]
    assert allocate("plan", department=None, on=D) == "乌应急检方〔2026〕4号"
