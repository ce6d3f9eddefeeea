"""A visit is fetched by id through `visits.access.get_visit` (on PostgreSQL its date first,
then the row by id and date: docs/scale.md). Every id in a URL answers: the visit, or 404 —
an id beyond the database's integer range too, never a 500 (issue 13)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_issue_13_an_unknown_or_out_of_range_visit_id_is_a_404(client, team, new_visit):
    from fairinspect.registry.auth import issue_token

    (u1, _o1), _ = team
    v = new_visit()
    client.force_login(u1)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(u1)}"}
    assert client.get(f"/visits/{v.pk}/").status_code == 200
    assert client.get(f"/api/v1/visits/{v.pk}/orders", **bearer).status_code == 200
    for pk in (v.pk + 1000, 2**31, 2**63, 10**30):
        for path in (f"/visits/{pk}/", f"/api/v1/visits/{pk}/orders"):
            r = client.get(path, **bearer)
            assert r.status_code == 404, (path, r.status_code)
