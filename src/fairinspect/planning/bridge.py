"""What planning reads from, and asks of, the visits app (issue 3), in one place.

visits owns its tables: planning never writes them directly. Every function here either
reads visits through a query, or calls one of visits' own services. While the visits app
has no models yet, the reads answer "no visits" and ``create_draw_visits`` creates none,
so planning works on its own and the numbers become real when visits lands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fairinspect.rules.caps import DEFAULT_2025, CapTable, Grade, VisitFact


def visits_ready() -> bool:
    try:
        from fairinspect.visits import models as vm
    except ImportError:  # pragma: no cover - visits always importable in this repo
        return False
    return hasattr(vm, "Visit")


def cap_table(year: int) -> CapTable:
    """The year's cap table from visits' CapTableSetting when there is one, else 2025's."""
    if visits_ready():
        from fairinspect.visits import models as vm

        setting_model = getattr(vm, "CapTableSetting", None)
        to_table = getattr(setting_model, "to_table", None)
        if setting_model is not None and to_table is not None:
            row = setting_model.objects.filter(year__lte=year).order_by("-year").first()
            if row is not None:
                return row.to_table()
    return DEFAULT_2025


def effective_grade(
    standardization_grade: int | None, valid_to: dt.date | None, on: dt.date
) -> Grade:
    """The grade that decides the cap: a lapsed grade counts as none (未定级)."""
    if standardization_grade is None or (valid_to is not None and valid_to < on):
        return Grade.NONE
    return Grade(str(standardization_grade))


def visit_facts(enterprise_ids: Iterable[int] | None, year: int) -> dict[int, list[VisitFact]]:
    """enterprise pk → its visits of the year, as cap facts; None asks for every enterprise
    that has one (the draw over a whole territory). Empty until visits lands."""
    return {}


def visited_items(enterprise_ids: Iterable[int] | None, year: int) -> dict[int, set[str]]:
    """enterprise pk → item codes already inspected this year by any unit (R5.4)."""
    return {}


def last_inspectors(items: Iterable[str]) -> dict[int, set[int]]:
    """officer pk → credit codes of enterprises it inspected last time for these items (回避)."""
    return {}


def last_year_visits(department_id: int, year: int) -> dict[tuple[bool, Grade], int]:
    """(high_risk, grade) → on-site visits the bureau made in ``year`` (for R3.5)."""
    return {}


def create_draw_visits(*, draw, actor) -> int:
    """Create the visits of a published draw through visits' own service; returns how many."""
    return 0


def cancel_draw_visits(*, draw, actor, reason: str) -> int:
    """Cancel the not-yet-started visits of a superseded draw through visits' service."""
    return 0
