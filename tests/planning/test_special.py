"""Special and key-period inspections (R9.3): one request per matter, approved by the unit
head, a yearly quota, a ledger in XLSX, announced before they start."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.planning import access, queries, services
from fairinspect.planning.models import SpecialInspection
from fairinspect.registry.tabular import write_xlsx

DATA = {
    "kind": "key_period",
    "title": "国庆节前危险化学品重点时段检查",
    "targets": "全市危险化学品经营（带储存）企业",
    "content": "储存场所、重大危险源包保责任落实",
    "reason": "节日期间危险化学品运输和储存量增大",
    "start_date": "2025-09-20",
    "end_date": "2025-09-30",
}


@pytest.fixture
def quota(approver, city_bureau):
    return services.set_special_quota(
        actor=approver,
        department=city_bureau,
        data={"year": "2025", "quota": "1", "source": "市局党委会议纪要"},
    )


def test_r9_3_a_request_is_approved_by_the_unit_head_numbered_and_announced_before_it_starts(
    city_planner, approver, quota
):
    s = services.create_special(actor=city_planner, data=DATA)
    s = services.submit_special(actor=city_planner, special=s)
    with pytest.raises(Forbidden):
        services.decide_special(actor=city_planner, special=s, approve=True)
    s = services.decide_special(actor=approver, special=s, approve=True)
    assert s.status == "approved" and s.number == 1
    assert s not in access.public_specials()
    with pytest.raises(Conflict) as exc:
        services.announce_special(actor=city_planner, special=s, today=dt.date(2025, 9, 20))
    assert exc.value.code == "announce_too_late"
    s = services.announce_special(actor=city_planner, special=s, today=dt.date(2025, 9, 10))
    assert s in access.public_specials()


def test_r9_3_requests_beyond_the_yearly_quota_are_refused(city_planner, approver, quota):
    first = services.submit_special(
        actor=city_planner, special=services.create_special(actor=city_planner, data=DATA)
    )
    second = services.submit_special(
        actor=city_planner,
        special=services.create_special(actor=city_planner, data={**DATA, "title": "第二项"}),
    )
    services.decide_special(actor=approver, special=first, approve=True)
    with pytest.raises(Conflict) as exc:
        services.decide_special(actor=approver, special=second, approve=True)
    assert exc.value.code == "special_quota_exhausted"
    third = services.create_special(actor=city_planner, data={**DATA, "title": "第三项"})
    with pytest.raises(Conflict):
        services.submit_special(actor=city_planner, special=third)
    second.refresh_from_db()
    assert second.status == "submitted" and second.number is None


def test_r9_3_without_a_quota_nothing_can_be_submitted(city_planner):
    s = services.create_special(actor=city_planner, data=DATA)
    with pytest.raises(Conflict) as exc:
        services.submit_special(actor=city_planner, special=s)
    assert exc.value.code == "special_quota_missing"


def test_r9_3_a_refusal_needs_a_reason(city_planner, approver, quota):
    s = services.submit_special(
        actor=city_planner, special=services.create_special(actor=city_planner, data=DATA)
    )
    with pytest.raises(ValidationFailed):
        services.decide_special(actor=approver, special=s, approve=False)
    s = services.decide_special(actor=approver, special=s, approve=False, note="与专项整治重复")
    assert s.status == "rejected" and queries.special_used(s.department, 2025) == 0


def test_r9_3_bad_requests_name_the_field_and_save_nothing(city_planner):
    for change, field in [
        ({"title": ""}, "title"),
        ({"kind": "x"}, "kind"),
        ({"end_date": "2025-09-01"}, "end_date"),
        ({"start_date": "2025/09/20"}, "start_date"),
        ({"enterprises": ["91650102XXXXXXXXXX"]}, "enterprises"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.create_special(actor=city_planner, data={**DATA, **change})
        assert exc.value.field == field
    assert not SpecialInspection.objects.exists()


def test_r9_3_the_ledger_exports_to_xlsx(city_planner, approver, quota):
    s = services.submit_special(
        actor=city_planner, special=services.create_special(actor=city_planner, data=DATA)
    )
    services.decide_special(actor=approver, special=s, approve=True)
    data = write_xlsx(
        queries.LEDGER_LABELS, queries.special_ledger(SpecialInspection.objects.all()), "台账"
    )
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "台账编号" and rows[1][0] == "2025-001" and rows[1][3] == DATA["title"]


def test_r9_3_the_quota_cannot_drop_below_what_is_approved(
    city_planner, approver, quota, city_bureau
):
    s = services.submit_special(
        actor=city_planner, special=services.create_special(actor=city_planner, data=DATA)
    )
    services.decide_special(actor=approver, special=s, approve=True)
    with pytest.raises(Conflict):
        services.set_special_quota(
            actor=approver,
            department=city_bureau,
            data={"year": "2025", "quota": "0", "source": "x"},
        )
