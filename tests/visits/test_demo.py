"""The demo year of visits: deterministic, some enterprises at their cap, some with exempt
visits beyond it, open hazards and orders; and no enterprise over its cap by ordinary visits."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time

import pytest

from fairinspect.visits import queries
from fairinspect.visits.models import Hazard, RectificationOrder, Visit

pytestmark = pytest.mark.django_db

N = int(os.environ.get("VISITS_DEMO_ENTERPRISES", "400"))


def test_r3_2_the_demo_year_has_capped_and_exempt_enterprises_and_open_hazards():
    from fairinspect.catalog import demo as catalog_demo
    from fairinspect.registry import demo as registry_demo
    from fairinspect.visits import demo

    today = dt.date(2025, 9, 30)
    rng, out = random.Random(7), io.StringIO()
    registry_demo.build(rng=rng, today=today, enterprises=N, out=out)
    catalog_demo.build(rng=rng, today=today, enterprises=N, out=out)
    t0 = time.perf_counter()
    demo.build(rng=rng, today=today, enterprises=N, out=out)
    elapsed = time.perf_counter() - t0
    print(f"visits demo for {N} enterprises: {elapsed:.2f}s; {out.getvalue()}")
    assert Visit.objects.exists()
    assert Hazard.objects.filter(status="open").exists()
    assert RectificationOrder.objects.filter(status="issued").exists()
    at_cap = exempt_beyond = 0
    ents = {v.enterprise_id for v in Visit.objects.only("enterprise_id")}
    from fairinspect.registry.models import Enterprise

    for e in Enterprise.objects.filter(pk__in=ents):
        q = queries.quota_for(e, year=2025, today=today)
        assert q.used <= q.cap
        at_cap += q.used == q.cap
        exempt_beyond += q.used == q.cap and q.exempt_used > 0
    assert at_cap > 0 and exempt_beyond > 0
    approved = Visit.objects.filter(status="approved", planned_date=today)
    assert approved.count() == 1
