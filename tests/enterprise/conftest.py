"""Fixtures for the enterprise's side: visits' own fixtures (a team, visits in any state,
time frozen at 2025-06-18) and an enterprise with its user and a complete group."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from fairinspect.core.roles import Role
from tests.visits.conftest import (  # noqa: F401  (fixtures)
    TODAY,
    _complaint_records,
    _frozen,
    approved_visit,
    approver_user,
    city_enterprise,
    items,
    new_visit,
    nonce,
    started_visit,
    team,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name="photo.png", data=PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ctype = "application/pdf" if data.startswith(b"%PDF") else "image/png"
    return SimpleUploadedFile(name, data, content_type=ctype)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ent_user(make_user, city_enterprise):  # noqa: F811
    city_enterprise.main_person = "张建国"
    city_enterprise.save()
    return make_user("ent_a", Role.ENTERPRISE, enterprise=city_enterprise)


@pytest.fixture
def group(ent_user):
    """A complete internal inspection group, joined on 2025-01-02."""
    from fairinspect.enterprise import services
    from fairinspect.enterprise.inputs import EnterpriseMemberIn

    out = {}
    for name, role, cert in [
        ("李组长", "leader", ""),
        ("王安全", "safety_manager", ""),
        ("赵工会", "union", ""),
        ("钱职工", "worker_rep", ""),
        ("孙注安", "safety_engineer", "ZA-2020-001"),
    ]:
        out[role] = services.add_member(
            actor=ent_user,
            data=EnterpriseMemberIn(
                name=name, role=role, certificate=cert, joined_on=dt.date(2025, 1, 2)
            ),
        )
    return out


@pytest.fixture
def file_check(ent_user, group, items):  # noqa: F811
    """File a self-check; `hazards` maps a standard item to (place, inspection item code)."""
    from fairinspect.enterprise import services, standards
    from fairinspect.enterprise.inputs import EnterpriseSelfCheckIn

    def make(on=dt.date(2025, 6, 10), *, hazards=None, reported=True, main=True, user=None):
        user = user or ent_user
        std = standards.standard_for(user.enterprise.industry_id)
        hazards = hazards or {}
        answers = []
        for code in std.item_codes:
            if code in hazards:
                place, item = hazards[code]
                answers.append(
                    dict(
                        item=code,
                        result="hazard",
                        place=place,
                        note="紧急切断阀失效",
                        inspection_item=item,
                        measures="更换切断阀并联调",
                        deadline=on + dt.timedelta(days=30),
                    )
                )
            elif code != standards.OTHER:
                answers.append(dict(item=code, result="ok"))
        data = EnterpriseSelfCheckIn.model_validate(
            dict(
                checked_on=on.isoformat(),
                participant_ids=[m.pk for m in group.values()] if user == ent_user else [],
                main_person_took_part=main,
                reported_to_main_person_on=on.isoformat() if reported else None,
                answers=[
                    {**a, "deadline": a["deadline"].isoformat()} if "deadline" in a else a
                    for a in answers
                ],
            )
        )
        return services.file_self_check(actor=user, data=data, today=max(on, TODAY))

    return make


__all__ = ["PDF", "PNG", "io", "upload"]
