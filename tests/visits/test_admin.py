"""The administrator edits the year's cap table; bad values are refused with the field named
(R3.2)."""

from __future__ import annotations

import pytest

from fairinspect.visits.admin import CapTableSettingForm
from fairinspect.visits.models import CAP_FIELDS, CapTableSetting

pytestmark = pytest.mark.django_db


def _data(**over):
    data = {"year": 2026, "source": "2026年方案", "exempt_consumes_cap": False}
    data.update({f: 3 for f in CAP_FIELDS})
    data.update(over)
    return data


def test_r3_2_a_valid_table_is_saved():
    form = CapTableSettingForm(data=_data())
    assert form.is_valid(), form.errors
    form.save()
    assert CapTableSetting.objects.get(year=2026).high_risk_grade_1 == 3


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"high_risk_grade_2": 400}, "high_risk_grade_2", "不能超过365次"),
        ({"source": "  "}, "source", "依据来源不能为空"),
        ({"year": 1999}, "year", "2000至2100"),
    ],
)
def test_r3_2_bad_values_are_refused_with_the_field_named(over, field, words):
    form = CapTableSettingForm(data=_data(**over))
    assert not form.is_valid()
    assert words in " ".join(str(e) for e in form.errors.get(field, []))


def test_r3_2_the_admin_page_shows_the_table(client, admin_user):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    r = client.post("/admin/visits/captablesetting/add/", _data(non_high_risk_grade_1=-1))
    assert r.status_code == 200 and not CapTableSetting.objects.exists()
    r = client.post("/admin/visits/captablesetting/add/", _data())
    assert r.status_code == 302 and CapTableSetting.objects.filter(year=2026).exists()
