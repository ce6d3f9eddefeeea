# ruff: noqa: F811 (the visits fixtures are imported by name and then used as arguments)
"""Off-site inspections (R4.1): document review, remote video and data comparison recorded as
their own method on an off-site visit, which never counts against the cap; a serious warning
is the record such an inspection rests on."""

from __future__ import annotations

import pytest
import time_machine

from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.monitoring import services
from fairinspect.monitoring.models import EarlyWarning, OffsiteInspection
from tests.visits.conftest import (  # noqa: F401  (fixtures shared with the visits tests)
    approved_visit,
    approver_user,
    city_enterprise,
    items,
    new_visit,
    team,
)

from .conftest import T0, at


@pytest.fixture
def serious(client, city_enterprise, make_user):
    from fairinspect.core.roles import Role

    admin = make_user("mon_admin", Role.ADMIN, department="650100-ZH")
    services.create_point(
        actor=admin,
        enterprise=city_enterprise,
        code="PT-1",
        name="反应釜压力",
        kind="pressure",
        unit="MPa",
        range_low=0,
        range_high=4,
        high=2.5,
        high_high=3.0,
    )
    _cred, key = services.issue_credential(actor=admin, enterprise=city_enterprise, gateway="DCS")
    with time_machine.travel(T0, tick=False):
        body = client.post(
            "/api/v1/monitoring/ingest",
            {"message_id": "o-1", "readings": [{"point": "PT-1", "at": at(-60), "value": 3.2}]},
            content_type="application/json",
            HTTP_X_GATEWAY_KEY=key,
        ).json()
    return EarlyWarning.objects.get(number__in=body["warnings_opened"], rule_kind="high_high")


def test_r4_1_a_data_comparison_is_recorded_on_an_off_site_visit_linked_to_its_warning(
    approved_visit, team, serious, client, api_token
):
    (u1, _o1), _ = team
    visit = approved_visit(kind="off_site", item_codes=None)
    r = client.post(
        "/api/v1/monitoring/offsite",
        {
            "visit_id": visit.pk,
            "method": "data_comparison",
            "material": "比对 PT-1 近 24 小时压力曲线与联锁记录",
            "warning_number": serious.number,
        },
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 200, r.content
    row = OffsiteInspection.objects.get(visit=visit)
    assert row.method == "data_comparison" and row.warning == serious
    # A second method for the same visit is refused (one method per inspection).
    again = client.post(
        "/api/v1/monitoring/offsite",
        {"visit_id": visit.pk, "method": "remote_video", "material": "远程视频连线检查"},
        content_type="application/json",
        **api_token(u1),
    )
    assert again.status_code == 409


def test_r4_1_an_on_site_visit_has_no_off_site_method_and_a_stranger_records_none(
    approved_visit, team, make_user
):
    from fairinspect.core.roles import Role

    (u1, _o1), _ = team
    onsite = approved_visit()
    with pytest.raises(ValidationFailed):
        services.record_offsite_method(
            actor=u1, visit=onsite, method="document_review", material="安全生产台账"
        )
    offsite = approved_visit(kind="off_site")
    stranger = make_user("stranger", Role.OFFICER, department="650100-WH")
    with pytest.raises(Forbidden):
        services.record_offsite_method(
            actor=stranger, visit=offsite, method="document_review", material="安全生产台账"
        )
