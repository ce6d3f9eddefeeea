"""A batch of visits (services.create_visits, what a published draw uses: issue 13) writes
exactly what one create_visit per enterprise writes — the visits, their items, officers,
plans and trail events, field by field — refuses what those calls refuse with the error the
first refused one gets and then saves nothing, and issues a number of statements that does
not grow with the number of visits."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fairinspect.audit.models import AuditEvent
from fairinspect.audit.verify import verify
from fairinspect.core.errors import DomainError
from fairinspect.core.roles import Role
from fairinspect.enterprise.models import SelfInspection
from fairinspect.visits import services
from fairinspect.visits.models import Finding, Hazard, InspectionPlan, Visit, VisitOfficer
from tests.visits.conftest import TODAY, complaint

pytestmark = pytest.mark.django_db

VOLATILE = {"id", "created_at", "updated_at"}


def _row(obj, skip=()) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in VOLATILE | set(skip)
    }


def _snapshot(visit_ids: list[int]) -> list[dict]:
    """Everything a new visit consists of, in creation order, less ids and timestamps (and
    so less the events' hashes and state digests, which cover them; audit-verify checks
    those)."""
    out = []
    for v in Visit.objects.filter(pk__in=visit_ids).order_by("pk"):
        events = AuditEvent.objects.filter(object_type="visits.visit", object_id=str(v.pk))
        out.append(
            {
                "visit": _row(v),
                "items": sorted(v.items.values_list("code", flat=True)),
                "experts": sorted(v.experts.values_list("pk", flat=True)),
                "joint": sorted(v.joint_departments.values_list("pk", flat=True)),
                "team": [_row(t, skip=("visit_id",)) for t in v.team.order_by("-is_lead", "pk")],
                "plan": _row(v.plan, skip=("visit_id",)),
                "events": [
                    {
                        **_row(
                            e,
                            skip=(
                                "chain_id",
                                "object_id",
                                "at",
                                "prev_hash",
                                "hash",
                                "state_digest",
                            ),
                        ),
                        "chain": e.chain.key,
                        "state": {k: x for k, x in e.state.items() if k not in VOLATILE},
                    }
                    for e in events.order_by("pk")
                ],
            }
        )
    return out


def _rolled_back(make):
    """Run `make` (returns visit ids), snapshot what it wrote, and undo it."""
    with transaction.atomic():
        ids = make()
        snap = _snapshot(ids)
        transaction.set_rollback(True)
    return ids, snap


def _done_visit(enterprise, department, items, *, day, findings=(), hazards=0):
    """A visit done earlier, with findings and open hazards (what a plan is drafted from)."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    v = Visit.objects.create(
        enterprise=enterprise,
        kind="on_site",
        trigger="annual_plan",
        status="done",
        planned_date=day,
        department=department,
        inspecting_level="city",
        checked_in_at=at,
        checked_out_at=at + dt.timedelta(hours=2),
    )
    for item, result, notes in findings:
        Finding.objects.create(visit=v, item=item, result=result, notes=notes)
    for n in range(hazards):
        Hazard.objects.create(
            visit=v,
            enterprise=enterprise,
            level="major" if n % 5 == 0 else "general",
            description=f"隐患{n}",
            place=f"{n}号罐区" if n % 2 else "",
        )
    return v


@pytest.fixture
def history(items, team, city_enterprise, make_enterprise, make_officer):
    """Five enterprises with different records, a third officer, and the batch's specs:
    teams in different orders (the arranging officer leads), a merge group, one enterprise
    twice."""
    from fairinspect.registry.models import Department

    wh = Department.objects.get(code="650100-WH")
    onsite = items["onsite"]
    (_u1, o1), (_u2, o2) = team
    o3 = make_officer("王强")
    e1 = city_enterprise
    _done_visit(
        e1,
        wh,
        onsite,
        day=dt.date(2024, 5, 6),
        findings=[
            (onsite[0], "non_compliant", "未设置可燃气体报警"),
            (onsite[1], "compliant", ""),
            (onsite[2], "non_compliant", "台账缺失"),
        ],
        hazards=2,
    )
    e2 = make_enterprise(supervising_level="city", standardization_grade=None, high_risk=False)
    _done_visit(e2, wh, onsite, day=dt.date(2024, 3, 1), hazards=23)  # more than a plan names
    e3 = make_enterprise(supervising_level="city", risk_level="major")
    _done_visit(
        e3, wh, onsite, day=dt.date(2023, 9, 1), findings=[(onsite[0], "non_compliant", "旧")]
    )
    _done_visit(
        e3, wh, onsite, day=dt.date(2024, 9, 1), findings=[(onsite[1], "non_compliant", "新")]
    )
    e4 = make_enterprise(supervising_level="city")
    specs = [
        services.NewVisit(enterprise=e1, officer_ids=[o1.pk, o2.pk]),
        services.NewVisit(enterprise=e2, officer_ids=[o2.pk, o1.pk], merge_group="MG-1"),
        services.NewVisit(enterprise=e3, officer_ids=[o2.pk, o3.pk]),
        services.NewVisit(enterprise=e4, officer_ids=[o3.pk, o1.pk, o2.pk]),
        services.NewVisit(enterprise=e1, officer_ids=[o3.pk, o2.pk]),
    ]
    return specs, [i.code for i in onsite]


def _one_by_one(actor, specs, codes, *, trigger="annual_plan"):
    return [
        services.create_visit(
            actor=actor,
            enterprise=s.enterprise,
            kind="on_site",
            trigger=trigger,
            planned_date=TODAY,
            item_codes=codes,
            officer_ids=s.officer_ids,
            justification=s.justification,
            merge_group=s.merge_group,
            today=TODAY,
        ).pk
        for s in specs
    ]


def _batch(actor, specs, codes, *, trigger="annual_plan"):
    return [
        v.pk
        for v in services.create_visits(
            actor=actor,
            visits=specs,
            kind="on_site",
            trigger=trigger,
            planned_date=TODAY,
            item_codes=codes,
            today=TODAY,
        )
    ]


def _with_complaints(specs):
    return [
        services.NewVisit(
            enterprise=s.enterprise,
            officer_ids=s.officer_ids,
            merge_group=s.merge_group,
            justification=complaint(s.enterprise, ref=f"TS-2025-{n:04d}"),
        )
        for n, s in enumerate(specs, 1)
    ]


@pytest.mark.parametrize("trigger", ["annual_plan", "complaint"])
def test_r6_2_r8_5_a_batch_writes_field_by_field_what_one_create_visit_per_enterprise_writes(
    history, team, trigger
):
    specs, codes = history
    if trigger == "complaint":  # R3.3: each visit rests on its own record
        specs = _with_complaints(specs)
    (u1, o1), _ = team
    before = Visit.objects.count()
    ids, one_by_one = _rolled_back(lambda: _one_by_one(u1, specs, codes, trigger=trigger))
    assert Visit.objects.count() == before and not Visit.objects.filter(pk__in=ids).exists()
    batch = _snapshot(_batch(u1, specs, codes, trigger=trigger))
    assert len(batch) == len(specs) == 5
    assert batch == one_by_one
    # What the rows say, so the comparison is not between two empty or equal-but-wrong sets.
    plans = [b["plan"] for b in batch]
    assert [b["team"][0]["officer_id"] for b in batch[:2]] == [o1.pk] * 2  # the arranger leads
    assert plans[1]["drafted_from"]["open_hazards"] == 20  # 23 open, the newest 20 named
    points = plans[1]["key_points"].split("\n")
    assert "复核未整改的一般隐患：隐患22" in points and "复核未整改的一般隐患：隐患2" not in points
    assert plans[2]["drafted_from"]["last_findings"] == [codes[1]]  # the latest done visit
    assert plans[0]["drafted_from"]["last_findings"] == [codes[0], codes[2]]
    assert batch[1]["visit"]["merge_group"] == "MG-1"
    assert all(b["events"][0]["action"] == "create" for b in batch)
    if trigger == "complaint":
        assert [b["visit"]["justification_reference"] for b in batch] == [
            f"TS-2025-{n:04d}" for n in range(1, 6)
        ]


def test_r8_5_each_visit_of_a_batch_has_its_creation_in_its_history_and_the_trail_verifies(
    history, team
):
    from fairinspect.audit.queries import events_of

    specs, codes = history
    (u1, _o1), _ = team
    visits = Visit.objects.filter(pk__in=_batch(u1, specs, codes)).order_by("pk")
    for v in visits:
        (event,) = events_of(v)
        assert event.action == "create" and event.actor_id == u1.pk
        assert event.data["officers"] == list(
            v.team.order_by("-is_lead", "pk").values_list("officer_id", flat=True)
        )
    seqs = [events_of(v).get().seq for v in visits]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # one run of the chain
    report = verify(checkpoint=False)
    assert report.ok, [b.line() for b in report.breaks]
    assert report.records >= len(specs)


def test_r9_2_a_drawn_team_keeps_its_drawn_order_even_when_the_arranger_is_drawn(history, team):
    """The arranging officer leads a team they name; a drawn team is the published result,
    so its first drawn officer leads even when the planner who publishes it was drawn
    second."""
    specs, codes = history
    (u1, o1), (_u2, o2) = team
    drawn = [
        services.NewVisit(enterprise=s.enterprise, officer_ids=[o2.pk, o1.pk]) for s in specs[:2]
    ]
    for trigger, lead in (("annual_plan", o1.pk), ("random_draw", o2.pk)):
        _ids, snap = _rolled_back(lambda t=trigger: _batch(u1, drawn, codes, trigger=t))
        assert [[t["officer_id"] for t in s["team"]] for s in snap] == [
            [lead, o1.pk + o2.pk - lead]
        ] * 2
        assert [s["events"][0]["data"]["officers"][0] for s in snap] == [lead] * 2


def _self_inspecting(enterprise, make_user):
    user = make_user(f"ent_si_{enterprise.pk}", Role.ENTERPRISE, enterprise=enterprise)
    SelfInspection.objects.create(
        enterprise=enterprise,
        year=TODAY.year,
        report="本年度自我检查报告",
        submitted_by=user,
        submitted_at=timezone.now(),
        status="accepted",
    )


def _counts() -> tuple[int, ...]:
    from fairinspect.audit.models import Chain

    return (
        Visit.objects.count(),
        VisitOfficer.objects.count(),
        InspectionPlan.objects.count(),
        Visit.items.through.objects.count(),
        AuditEvent.objects.count(),
        sum(Chain.objects.values_list("length", flat=True)),
    )


def _error(fn) -> tuple:
    with pytest.raises(DomainError) as e:
        fn()
    return type(e.value), e.value.code, e.value.message, e.value.field, e.value.extra


@pytest.mark.parametrize("bad", ["expired", "alone", "unknown", "self_inspecting"])
def test_r1_3_r10_4_one_refused_visit_refuses_the_whole_batch_with_its_error_and_saves_nothing(
    history, team, make_officer, make_user, bad
):
    specs, codes = history
    (u1, o1), (_u2, o2) = team
    middle = specs[2]
    if bad == "expired":
        expired = make_officer("过期", valid_to=dt.date(2025, 1, 31))
        middle = services.NewVisit(enterprise=middle.enterprise, officer_ids=[o1.pk, expired.pk])
    elif bad == "alone":
        middle = services.NewVisit(enterprise=middle.enterprise, officer_ids=[o2.pk])
    elif bad == "unknown":
        middle = services.NewVisit(enterprise=middle.enterprise, officer_ids=[o1.pk, 999_999])
    else:
        _self_inspecting(middle.enterprise, make_user)
    batch = [specs[0], middle, specs[3]]
    alone = _error(lambda: _one_by_one(u1, [middle], codes))
    before = _counts()
    assert _error(lambda: _batch(u1, batch, codes)) == alone
    assert _counts() == before
    expected = {
        "expired": "no_valid_certificate",
        "alone": "too_few_officers",
        "unknown": "officer_not_found",
        "self_inspecting": "self_inspecting_this_year",
    }[bad]
    assert alone[1] == expected


def test_r1_3_r10_4_the_error_is_the_first_refused_visits_as_calls_in_turn_would_give(
    history, team, make_officer, make_user
):
    """The first visit fails late in its checks (its officer), the second early (R10.4):
    calls one after the other stop at the first visit, and so does the batch."""
    specs, codes = history
    (u1, o1), _ = team
    expired = make_officer("过期", valid_to=dt.date(2025, 1, 31))
    first = services.NewVisit(enterprise=specs[0].enterprise, officer_ids=[o1.pk, expired.pk])
    second = specs[2]
    _self_inspecting(second.enterprise, make_user)
    in_turn = _error(lambda: _one_by_one(u1, [first, second], codes))
    assert in_turn[1] == "no_valid_certificate"
    before = _counts()
    assert _error(lambda: _batch(u1, [first, second], codes)) == in_turn
    assert _counts() == before
    # A common refusal (no item in force) comes after a visit's own earlier check, as alone.
    assert _error(lambda: _batch(u1, [second, specs[0]], ["NO-SUCH"]))[1] == (
        "self_inspecting_this_year"
    )
    assert _error(lambda: _batch(u1, [specs[0], second], ["NO-SUCH"]))[1] == "item_not_in_force"


def test_r3_3_two_visits_of_a_batch_on_one_record_are_refused_as_the_second_call_would_be(
    history, team
):
    specs, codes = history
    (u1, _o1), _ = team
    j = complaint(specs[0].enterprise, ref="TS-2025-0100")
    twice = [
        services.NewVisit(
            enterprise=specs[0].enterprise, officer_ids=s.officer_ids, justification=j
        )
        for s in specs[:2]
    ]
    before = _counts()
    assert _error(lambda: _batch(u1, twice, codes, trigger="complaint"))[1] == (
        "justification_used_up"
    )
    assert _counts() == before


def insert_statements(model, n: int) -> int:
    """INSERT statements for n rows of `model` (the backend's parameter limit splits them)."""
    from fairinspect.visits.services.creation import INSERT_BATCH

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    size = min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, [None] * n) or n)
    return math.ceil(n / size)


def test_issue_13_the_statements_of_a_batch_do_not_grow_with_its_visits(
    items, team, make_enterprise, make_officer
):
    (u1, o1), (_u2, o2) = team
    officers = [o1, o2, make_officer("王强")]
    enterprises = [make_enterprise(supervising_level="city") for _ in range(56)]
    codes = [i.code for i in items["onsite"][:2]]

    def statements(n: int, offset: int) -> int:
        specs = [
            services.NewVisit(
                enterprise=e, officer_ids=[officers[k % 3].pk, officers[(k + 1) % 3].pk]
            )
            for k, e in enumerate(enterprises[offset : offset + n])
        ]
        with CaptureQueriesContext(connection) as ctx:
            assert len(_batch(u1, specs, codes)) == n
        return len(ctx.captured_queries)

    statements(1, 55)  # once: the day's chain row, the actor's officer, the bureau's code
    small, large = statements(5, 0), statements(50, 5)
    # The rows a batch inserts: visits, items, officers, plans and trail events (on
    # PostgreSQL one INSERT each; SQLite's 999 parameters split the wide ones).
    from fairinspect.audit.models import AuditEvent as Event

    tables = [
        (Visit, 1),
        (Visit.items.through, 2),
        (VisitOfficer, 2),
        (InspectionPlan, 1),
        (Event, 1),
    ]
    growth = sum(insert_statements(m, 50 * k) - insert_statements(m, 5 * k) for m, k in tables)
    assert large <= small + growth, (small, large, growth)
    if connection.vendor == "postgresql":
        assert large == small
    assert large < 50  # far from one statement per visit (create_visit took ~20 each)
