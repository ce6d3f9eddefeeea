"""Creating visits and their drafted plans (R6.2): one (`create_visit`) or a batch
(`create_visits`, what a published draw uses: issue 13, "draws that stream").

A batch writes what the same number of `create_visit` calls would write — the visits, their
items, experts, joint departments, officers (VisitOfficer with the certificate that
qualified each), the drafted plans and one trail event per visit — and refuses what they
would refuse: the error of the first visit that one of those calls would refuse, and
nothing saved (all-or-nothing). `create_visit` is a batch of one, so there is one set of
checks and one way of writing.

What is the same for every visit of a batch is checked once, at the place where the first
visit's checks reach it (so a single visit meets its checks in the order they always had):
the actor's role, kind, trigger and date, the entry kind, the items in force, the
department, the joint departments. The officers of the whole batch are read in one query and
each officer's certificate is checked once (rules.certificates: it depends only on the
officer, the date and the items' domains). Per visit only what differs: R10.4 (the
self-inspecting enterprises read in one query), the justification, the team (its size and
its officers' eligibility), the experts. The rows are written with bulk inserts (a bounded
number of statements per batch, not per visit), the plans drafted from one read of the
batch's open hazards and last visits, and the trail appended under one chain lock
(`audit.trail.record_many`).

Neither create_visit nor a batch checks the cap: the cap holds at approval and at
check-in (R3.4), where an approved plan holds a slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.catalog.models import InspectionItem
from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Department, Enterprise, Expert, Officer
from fairinspect.rules.caps import (
    EXEMPT_TRIGGERS,
    REQUIRED_JUSTIFICATION,
    Justification,
    JustificationKind,
    Reason,
    Trigger,
    check_exemption,
)
from fairinspect.rules.certificates import Eligibility
from fairinspect.rules.exemptions import JustifyingRecord, RecordDecision
from fairinspect.rules.guidance import EntryKind, clean_entry_kind
from fairinspect.rules.sampling import lead_order

from .. import queries
from ..guidance import entry_kinds
from ..models import (
    InspectionPlan,
    RectificationOrder,
    Visit,
    VisitOfficer,
)
from .common import _reasons, officer_of
from .drafts import draft_plans

# Rows per INSERT: a batch of 2,000 visits is two statements per table on PostgreSQL (SQLite's
# 999-parameter limit cuts the wider tables smaller; Django does that itself).
INSERT_BATCH = 1000


def _clean_justification(
    trigger: Trigger,
    data: Mapping[str, Any] | None,
    *,
    today: dt.date,
    day: dt.date,
    enterprise_id: int,
) -> tuple[Justification | None, JustifyingRecord | None]:
    """The justification of a new visit. For an exempt trigger it is the record the reference
    names, checked by rules.exemptions (exists, same enterprise, right kind, dated on or before
    the visit, not used up); its kind, number and date come from the record, never typed."""
    if not data or not any(data.get(k) for k in ("kind", "reference", "date", "summary")):
        if trigger in EXEMPT_TRIGGERS:
            d = check_exemption(trigger, None, today=today, visit_date=day)
            raise ValidationFailed(
                d.reasons[0].code,
                d.reasons[0].message,
                field="justification",
                extra={"reasons": _reasons(d.reasons)},
            )
        return None, None
    kind_raw = data.get("kind") or (
        REQUIRED_JUSTIFICATION[trigger].value if trigger in EXEMPT_TRIGGERS else ""
    )
    try:
        kind = JustificationKind(kind_raw)
    except ValueError:
        raise ValidationFailed(
            "justification_kind_invalid", "依据类型不在允许范围内。", field="justification.kind"
        ) from None
    reference = str(data.get("reference") or "").strip()[:100]
    summary = str(data.get("summary") or "").strip()
    if trigger in EXEMPT_TRIGGERS:
        decision = queries.justification_decision(
            trigger=trigger.value,
            kind=kind.value,
            reference=reference,
            enterprise_id=enterprise_id,
            day=day,
        )
        _raise_unless_justified(decision)
        record = decision.record
        assert record is not None
        j = Justification(
            kind=kind,
            reference=record.reference,
            date=record.dated,
            summary=summary or record.summary,
        )
        d = check_exemption(trigger, j, today=today, visit_date=day)
        if not d.exempt:
            r = d.reasons[0]
            raise ValidationFailed(
                r.code, r.message, field="justification", extra={"reasons": _reasons(d.reasons)}
            )
        return j, record
    when = data.get("date")
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when)
        except ValueError:
            raise ValidationFailed(
                "justification_date_invalid",
                "依据日期格式应为 YYYY-MM-DD。",
                field="justification.date",
            ) from None
    if not isinstance(when, dt.date):
        raise ValidationFailed(
            "justification_date_missing", "依据日期未填写。", field="justification.date"
        )
    return Justification(kind=kind, reference=reference, date=when, summary=summary), None


def _raise_unless_justified(decision: RecordDecision | None) -> None:
    """A 422 naming the field when the record does not justify the visit (R3.3)."""
    if decision is None or decision.ok:
        return
    r = decision.reasons[0]
    raise ValidationFailed(
        r.code, r.message, field=decision.field, extra={"reasons": _reasons(decision.reasons)}
    )


@contextmanager
def _record_used_up_on_race():
    """Two visits racing for the same record: the database's unique constraint
    (visit_justification_record_once) lets one through; the other is told why."""
    try:
        yield
    except IntegrityError as exc:
        if "visit_justification_record_once" not in str(exc) and "justification" not in str(exc):
            raise
        raise ValidationFailed(
            "justification_used_up",
            "该依据已作为另一次检查的依据；一件依据只支持一次不受频次上限限制的检查。",
            field="justification.reference",
        ) from None


def _items_in_force(codes: Iterable[str]) -> list[InspectionItem]:
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationFailed(
            "no_items", "请至少选择一项检查事项：无清单不检查（R2.3）。", field="item_codes"
        )
    items = list(InspectionItem.objects.filter(version__status="published", code__in=codes))
    missing = sorted(set(codes) - {i.code for i in items})
    if missing:
        raise ValidationFailed(
            "item_not_in_force",
            f"检查事项 {'、'.join(missing)} 不在现行有效的检查事项清单中，不得检查。",
            field="item_codes",
        )
    return sorted(items, key=lambda i: i.code)


@dataclass(frozen=True)
class NewVisit:
    """One visit of a batch: what may differ between the visits of one `create_visits`."""

    enterprise: Enterprise
    officer_ids: Sequence[int]
    expert_ids: Sequence[int] = ()
    justification: Mapping[str, Any] | None = None
    merge_group: str | None = None
    parent_visit: Visit | None = None
    follow_up_order: RectificationOrder | None = None


@dataclass(frozen=True)
class _Checked:
    """A visit that passed its checks, with what its rows are made of."""

    spec: NewVisit
    justification: Justification | None
    record: JustifyingRecord | None
    team: list[Officer]
    experts: list[Expert]


class _Batch:
    """The checks of one batch. What is common is computed on first use (by the first visit,
    at the point of its checks where create_visit always made it) and kept for the others."""

    def __init__(
        self,
        *,
        actor,
        visits: Sequence[NewVisit],
        kind: str,
        trigger: Trigger,
        planned_date: dt.date,
        item_codes: Iterable[str],
        department: Department | None,
        joint_department_ids: Iterable[int],
        entry_kind: str,
        today: dt.date,
    ) -> None:
        self.actor, self.visits, self.kind, self.trigger = actor, visits, kind, trigger
        self.planned_date, self.today = planned_date, today
        self._item_codes, self._department = item_codes, department
        self._joint_ids, self._entry_kind = joint_department_ids, entry_kind
        self._eligibility: dict[int, Eligibility] = {}

    # ---- common to the batch

    @cached_property
    def self_inspecting(self) -> set[int]:
        """R10.4: an accepted self-inspection report stands in for the year's routine planned
        visits (the draws leave the enterprise out the same way, rules.sampling)."""
        if self.trigger is not Trigger.ANNUAL_PLAN:
            return set()
        from fairinspect.enterprise.queries import self_inspecting_enterprise_ids

        ids = {v.enterprise.pk for v in self.visits}
        return set(
            self_inspecting_enterprise_ids(self.planned_date.year).filter(enterprise_id__in=ids)
        )

    @cached_property
    def entry(self) -> EntryKind:
        entry, bad = clean_entry_kind(self._entry_kind, entry_kinds(), visit_kind=self.kind)
        if bad is not None:
            raise ValidationFailed(bad.code, bad.message, field=bad.field)
        assert entry is not None  # clean_entry_kind returns a kind or an error
        return entry

    @cached_property
    def items(self) -> list[InspectionItem]:
        return _items_in_force(self._item_codes)

    @cached_property
    def domains(self) -> set[str]:
        return {i.domain for i in self.items}

    @cached_property
    def officers(self) -> dict[int, Officer]:
        """Every officer the batch names, with their certificates: one read."""
        ids = {int(i) for v in self.visits for i in v.officer_ids}
        return {
            o.pk: o for o in Officer.objects.filter(pk__in=ids).prefetch_related("certificates")
        }

    @cached_property
    def me(self) -> Officer | None:
        return officer_of(self.actor)

    @cached_property
    def department(self) -> Department:
        department = self._department or self.actor.department
        if department is None:
            raise ValidationFailed("department_missing", "请选择检查单位。", field="department")
        return department

    @cached_property
    def experts(self) -> list[Expert]:
        ids = {int(i) for v in self.visits for i in v.expert_ids}
        return list(Expert.objects.filter(pk__in=ids)) if ids else []

    @cached_property
    def joint(self) -> list[Department]:
        return list(Department.objects.filter(pk__in=list(self._joint_ids)))

    def eligibility(self, officer: Officer) -> Eligibility:
        e = self._eligibility.get(officer.pk)
        if e is None:
            e = queries.eligibility(officer, on=self.planned_date, domains=self.domains)
            self._eligibility[officer.pk] = e
        return e

    # ---- per visit, in create_visit's order

    def check(self, spec: NewVisit) -> _Checked:
        enterprise = spec.enterprise
        if enterprise.pk in self.self_inspecting:
            year = self.planned_date.year
            raise ValidationFailed(
                "self_inspecting_this_year",
                f"该企业{year}年度实行企业自我检查（报告已经认可），"
                "不安排年度计划例行检查（R10.4）；投诉举报、整改复查等检查请选择相应的检查来源。",
                field="trigger",
            )
        self.entry  # noqa: B018  (refused here, before the justification, as always)
        j, record = _clean_justification(
            self.trigger,
            spec.justification,
            today=self.today,
            day=self.planned_date,
            enterprise_id=enterprise.pk,
        )
        self.items  # noqa: B018
        by_pk = {o.pk: o for o in self._team(spec.officer_ids)}
        me = self.me
        drawn = self.trigger is Trigger.RANDOM_DRAW
        team = [by_pk[i] for i in lead_order(list(by_pk), me.pk if me else None, drawn=drawn)]
        self.department  # noqa: B018
        wanted = {int(i) for i in spec.expert_ids}
        experts = [e for e in self.experts if e.pk in wanted]
        if experts:  # R12.2: appointed, no conflict of interest, never alone (experts app)
            from fairinspect.experts.services import refuse_unfit_experts

            refuse_unfit_experts(
                experts, enterprise_id=enterprise.pk, day=self.planned_date, officers=len(team)
            )
        return _Checked(spec, j, record, team, experts)

    def visit_row(self, c: _Checked) -> Visit:
        j, record, spec, department = c.justification, c.record, c.spec, self.department
        return Visit(
            enterprise=spec.enterprise,
            kind=self.kind,
            trigger=self.trigger.value,
            planned_date=self.planned_date,
            department=department,
            inspecting_level=department.bureau.level,
            justification_kind=j.kind.value if j else "",
            justification_reference=j.reference if j else "",
            justification_date=j.date if j else None,
            justification_summary=j.summary if j else "",
            justification_round=record.round if record else None,
            justification_enterprise_id=record.enterprise_id if record else None,
            merge_group=(spec.merge_group or None),
            parent_visit=spec.parent_visit,
            follow_up_order=spec.follow_up_order,
            entry_kind=self.entry.code,
            created_by=self.actor,
        )

    def _team(self, officer_ids: Iterable[int]) -> list[Officer]:
        """Two or more officers, each holding a valid certificate for the items' domains on
        the planned date (rules.certificates through queries.eligibility)."""
        ids = list(dict.fromkeys(int(i) for i in officer_ids))
        missing = [i for i in ids if i not in self.officers]
        if missing:
            raise ValidationFailed(
                "officer_not_found", f"执法人员编号 {missing} 不存在。", field="officer_ids"
            )
        team = [self.officers[i] for i in ids]
        problems: list[Reason] = []
        for o in team:
            problems.extend(Reason(r.code, r.message) for r in self.eligibility(o).reasons)
        if len(team) < 2:
            problems.insert(
                0,
                Reason(
                    "too_few_officers",
                    f"现场检查须由2名以上持有效执法证的执法人员实施，当前{len(team)}名"
                    "（专家只提供技术支持，不计入）。",
                ),
            )
        if problems:
            raise ValidationFailed(
                problems[0].code,
                problems[0].message,
                field="officer_ids",
                extra={"reasons": _reasons(problems)},
            )
        return team


def _link(through, target: str, links: Iterable[tuple[Visit, Iterable[Any]]]) -> None:
    """Rows of an M2M table of visits (`target`: the other side's column), bulk-inserted."""
    through.objects.bulk_create(
        # visit=v, not visit_id: the items' rows take the visit's date from it (VisitDateField)
        [through(visit=v, **{target: t.pk}) for v, targets in links for t in targets],
        batch_size=INSERT_BATCH,
    )


def create_visit(
    *,
    actor,
    enterprise: Enterprise,
    kind: str,
    trigger: str,
    planned_date: dt.date,
    item_codes: Iterable[str],
    officer_ids: Iterable[int],
    expert_ids: Iterable[int] = (),
    justification: Mapping[str, Any] | None = None,
    department: Department | None = None,
    merge_group: str | None = None,
    joint_department_ids: Iterable[int] = (),
    parent_visit: Visit | None = None,
    follow_up_order: RectificationOrder | None = None,
    entry_kind: str = "inspection",
    today: dt.date | None = None,
) -> Visit:
    """A visit in draft with its drafted plan. Checks the items, the officers' certificates on
    the planned date and, for an exempt trigger, the record that justifies it."""
    (visit,) = create_visits(
        actor=actor,
        visits=[
            NewVisit(
                enterprise=enterprise,
                officer_ids=tuple(officer_ids),
                expert_ids=tuple(expert_ids),
                justification=justification,
                merge_group=merge_group,
                parent_visit=parent_visit,
                follow_up_order=follow_up_order,
            )
        ],
        kind=kind,
        trigger=trigger,
        planned_date=planned_date,
        item_codes=item_codes,
        department=department,
        joint_department_ids=joint_department_ids,
        entry_kind=entry_kind,
        today=today,
    )
    return visit


def create_visits(
    *,
    actor,
    visits: Sequence[NewVisit],
    kind: str,
    trigger: str,
    planned_date: dt.date,
    item_codes: Iterable[str],
    department: Department | None = None,
    joint_department_ids: Iterable[int] = (),
    entry_kind: str = "inspection",
    today: dt.date | None = None,
) -> list[Visit]:
    """Visits in draft with their drafted plans, all or none (see the module docstring): what
    `create_visit` would write for each of `visits` with the common arguments given here, in
    that order, in one transaction with a bounded number of statements."""
    if not visits:
        return []
    today = today or timezone.localdate()
    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员或审批负责人可以安排检查。")
    if kind not in Visit.Kind.values:
        raise ValidationFailed("kind_invalid", "检查方式应为现场检查或非现场检查。", field="kind")
    try:
        trig = Trigger(trigger)
    except ValueError:
        raise ValidationFailed(
            "trigger_invalid", "检查来源不在允许范围内。", field="trigger"
        ) from None
    if not isinstance(planned_date, dt.date):
        raise ValidationFailed("planned_date_missing", "计划检查日期未填写。", field="planned_date")
    if planned_date < today:
        raise ValidationFailed(
            "planned_date_in_past", "计划检查日期不能早于今天。", field="planned_date"
        )
    batch = _Batch(
        actor=actor,
        visits=visits,
        kind=kind,
        trigger=trig,
        planned_date=planned_date,
        item_codes=item_codes,
        department=department,
        joint_department_ids=joint_department_ids,
        entry_kind=entry_kind,
        today=today,
    )
    checked = [batch.check(spec) for spec in visits]
    items, joint = batch.items, batch.joint
    with transaction.atomic(), _record_used_up_on_race():
        rows = Visit.objects.bulk_create(
            [batch.visit_row(c) for c in checked], batch_size=INSERT_BATCH
        )
        assert all(v.pk is not None for v in rows)  # both backends return the new ids
        _link(Visit.items.through, "inspectionitem_id", [(v, items) for v in rows])
        _link(
            Visit.experts.through,
            "expert_id",
            [(v, c.experts) for v, c in zip(rows, checked, strict=True)],
        )
        _link(Visit.joint_departments.through, "department_id", [(v, joint) for v in rows])
        VisitOfficer.objects.bulk_create(
            [
                VisitOfficer(
                    visit=v,
                    officer=o,
                    is_lead=(n == 0),
                    certificate_number=batch.eligibility(o).certificate or "",
                )
                for v, c in zip(rows, checked, strict=True)
                for n, o in enumerate(c.team)
            ],
            batch_size=INSERT_BATCH,
        )
        InspectionPlan.objects.bulk_create(draft_plans(rows, items), batch_size=INSERT_BATCH)
        trail.record_many(
            actor=actor,
            action="create",
            changes=[
                trail.Change(
                    v,
                    f"安排{v.get_kind_display()} {c.spec.enterprise.name}（{trig.label}）",
                    {
                        "items": [i.code for i in items],
                        "officers": [o.pk for o in c.team],
                        "planned_date": planned_date,
                        "justification": c.justification.reference if c.justification else None,
                    },
                )
                for v, c in zip(rows, checked, strict=True)
            ],
        )
    return rows
