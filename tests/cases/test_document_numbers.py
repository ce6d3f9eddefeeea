"""文号 series (issue 12 item 5): each document type of each bureau counts on its own yearly
series, allocated race-safely; the notices never borrow the case's number."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from fairinspect.cases.models import DocumentSeries
from fairinspect.cases.services.numbers import allocate
from fairinspect.registry.models import Department
from fairinspect.rules.document_numbers import abbreviation, format_number

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
    DocumentSeries.objects.create(prefix="乌", kind="decision", year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentSeries.objects.create(prefix="乌", kind="decision", year=2026)


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
    assert DocumentSeries.objects.get(prefix="乌", kind="decision", year=2026).last == 40


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
    assert DocumentSeries.objects.get(prefix="乌", kind="decision", year=2025).last == 7
    assert allocate("decision", department=None, on=dt.date(2025, 9, 1)) == "乌应急罚〔2025〕8号"
    assert allocate("filing", department=None, on=dt.date(2025, 9, 1)) == "乌应急立〔2025〕2号"
