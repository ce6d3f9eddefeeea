"""Fixtures for visits: the item list in force, a team of two certified officers, visits in
any state, made through the services (so the tests walk the same path a user does)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from fairinspect.core.roles import Role

TODAY = dt.date(2025, 6, 18)
_nonce = itertools.count(1)


def nonce() -> str:
    return f"nonce-{next(_nonce):06d}"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2025, 6, 18, 9, 30, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def items(db):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list

    load_default_list()
    hz = InspectionItem.objects.filter(version__status="published", domain="hazchem")
    return {
        "onsite": list(hz.filter(offsite_capable=False).order_by("code")[:3]),
        "offsite": list(hz.filter(offsite_capable=True).order_by("code")[:1]),
    }


@pytest.fixture
def city_enterprise(make_enterprise):
    return make_enterprise(
        name="乌市示例石化有限公司",
        supervising_level="city",
        high_risk=True,
        standardization_grade=1,
    )


@pytest.fixture
def team(make_user, make_officer):
    """Two city officers with logins and valid hazchem certificates."""
    u1 = make_user("wh_officer1", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("wh_officer2", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    return (u1, o1), (u2, o2)


@pytest.fixture
def approver_user(make_user):
    return make_user("approver_wh", Role.APPROVER, department="650100-WH", first_name="赵科长")


@pytest.fixture
def new_visit(items, team, city_enterprise):
    from fairinspect.visits import services

    (u1, o1), (_u2, o2) = team

    def make(
        enterprise=None,
        *,
        trigger="annual_plan",
        justification=None,
        officers=None,
        item_codes=None,
        planned_date=TODAY,
        kind="on_site",
        **kw,
    ):
        return services.create_visit(
            actor=u1,
            enterprise=enterprise or city_enterprise,
            kind=kind,
            trigger=trigger,
            planned_date=planned_date,
            item_codes=item_codes or [i.code for i in items["onsite"][:2]],
            officer_ids=officers or [o1.pk, o2.pk],
            justification=justification,
            today=TODAY,
            **kw,
        )

    return make


@pytest.fixture
def approved_visit(new_visit, team, approver_user):
    from fairinspect.visits import services

    (u1, _o1), _ = team

    def make(*args, **kw):
        v = new_visit(*args, **kw)
        services.submit_plan(actor=u1, visit=v)
        return services.approve_plan(actor=approver_user, visit=v, today=TODAY)

    return make


@pytest.fixture
def started_visit(approved_visit, team):
    from fairinspect.visits import services

    (u1, _o1), (u2, _o2) = team

    def make(*args, **kw):
        v = approved_visit(*args, **kw)
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
        out = services.confirm_check_in(actor=u2, visit_id=v.pk, nonce=nonce())
        assert out.started
        return out.visit

    return make


# Complaints are supervision's records; until that app registers its resolver, the visits
# tests stand one in through the same interface (visits/justifications.register), backed by
# the complaints a test files with `complaint(enterprise, ...)`.
_FILED: dict[str, tuple[int, dt.date, str]] = {}


def complaint(enterprise, ref="TS-2025-0001", day=dt.date(2025, 6, 1)):
    """File a complaint about `enterprise` (in the stand-in registry) and return the
    justification a visit names it with."""
    _FILED[ref] = (enterprise.pk, day, "群众举报储罐区违规动火")
    return {
        "kind": "complaint_record",
        "reference": ref,
        "date": day.isoformat(),
        "summary": "群众举报储罐区违规动火",
    }


@pytest.fixture(autouse=True)
def _complaint_records():
    from fairinspect.rules.caps import JustificationKind
    from fairinspect.visits import justifications

    def resolve(reference: str):
        if reference not in _FILED:
            return None
        ent, day, summary = _FILED[reference]
        return justifications.JustifyingRecord(
            JustificationKind.COMPLAINT_RECORD, reference, ent, day, summary
        )

    saved = dict(justifications._RESOLVERS)
    justifications.register(JustificationKind.COMPLAINT_RECORD, resolve)
    yield
    _FILED.clear()
    justifications._RESOLVERS.clear()
    justifications._RESOLVERS.update(saved)


@pytest.fixture
def records(db, city_enterprise, make_user, settings, tmp_path):
    """Real records of visits' own kinds that justify exempt visits (R3.3)."""
    settings.MEDIA_ROOT = tmp_path
    return Records(city_enterprise, make_user)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Records:
    def __init__(self, enterprise, make_user):
        self.enterprise = enterprise
        self.make_user = make_user
        self._n = itertools.count(1)

    def _staff(self):
        from fairinspect.registry.models import User

        u = User.objects.filter(username="records_staff").first()
        return u or self.make_user(
            "records_staff", Role.OFFICER, department="650100-WH", first_name="登记员"
        )

    def application(self, enterprise=None, *, day=dt.date(2025, 6, 1), accept=True):
        from fairinspect.visits.records import InspectionApplication
        from fairinspect.visits.services import records as rs

        ent = enterprise or self.enterprise
        user = self.make_user(f"ent_user_{next(self._n)}", Role.ENTERPRISE, enterprise=ent)
        with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)):
            app = rs.apply_for_inspection(actor=user, reason="新建装置投产前申请检查", today=day)
            if accept:
                rs.decide_application(actor=self._staff(), application=app, accept=True)
        app = InspectionApplication.objects.get(pk=app.pk)
        return app, {"kind": "enterprise_application", "reference": app.number}

    def referral(self, enterprise=None, *, day=dt.date(2025, 6, 1), number=None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from fairinspect.visits.services import records as rs

        ent = enterprise or self.enterprise
        number = number or f"乌政办转〔2025〕{next(self._n)}号"
        ref = rs.register_referral(
            actor=self._staff(),
            enterprise=ent,
            issuing_body="乌鲁木齐市人民政府办公厅",
            document_number=number,
            document_date=day,
            received_on=day,
            summary="转办群众反映的储罐区安全问题",
            upload=SimpleUploadedFile("交办函.pdf", PDF),
            today=max(day, TODAY),
        )
        return ref, {"kind": "referral_document", "reference": ref.document_number}

    def order(self, enterprise=None, *, day=dt.date(2025, 5, 1), deadline=None):
        from fairinspect.catalog.models import InspectionItem
        from fairinspect.registry.models import Department
        from fairinspect.visits.models import Hazard, RectificationOrder, Visit

        ent = enterprise or self.enterprise
        at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        v = Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger="annual_plan",
            status="done",
            planned_date=day,
            department=Department.objects.get(code="650100-WH"),
            inspecting_level=ent.supervising_level,
            checked_in_at=at,
            checked_out_at=at + dt.timedelta(hours=2),
        )
        v.items.set(
            InspectionItem.objects.filter(
                version__status="published", domain="hazchem", offsite_capable=False
            ).order_by("code")[:2]
        )
        deadline = deadline or max(day + dt.timedelta(days=30), dt.date(2025, 6, 10))
        h = Hazard.objects.create(
            visit=v, enterprise=ent, level="general", description="消防通道堵塞"
        )
        o = RectificationOrder.objects.create(
            visit=v,
            enterprise=ent,
            number=f"(乌)应急责改〔2025〕{900 + next(self._n)}号",
            issued_on=day,
            deadline=deadline,
        )
        o.hazards.set([h])
        return o, {"kind": "rectification_order", "reference": o.number}

    def warning(self, enterprise=None, *, day=dt.date(2025, 6, 1), grade="orange"):
        """A monitoring warning of `grade` at a gas detector of the enterprise, stored as the
        ingestion service opens one (orange and red are serious: they justify a visit)."""
        from fairinspect.monitoring.models import EarlyWarning, MonitoringPoint

        ent = enterprise or self.enterprise
        n = next(self._n)  # one point each: a point has one live warning of a rule kind
        point = MonitoringPoint.objects.create(
            enterprise=ent,
            code=f"GT-{100 + n}",
            name="罐区可燃气体探测器",
            kind="gas",
            unit="%LEL",
            range_low=0,
            range_high=100,
            high=25,
            high_high=50,
        )
        at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        w = EarlyWarning.objects.create(
            number=f"YJ{day:%Y%m%d}-{n:07d}",
            enterprise=ent,
            point=point,
            rule_kind="high_high",
            rule_set="default",
            rule_version="1",
            grade=grade,
            base_grade=grade,
            message="可燃气体浓度超过二级报警值",
            value=55.0,
            limit=50.0,
            started_at=at,
            last_seen_at=at,
            acknowledge_by=at + dt.timedelta(minutes=30),
            report_by=at + dt.timedelta(hours=2),
            review_by=at + dt.timedelta(hours=24),
        )
        return w, {"kind": "monitoring_warning", "reference": w.number}
