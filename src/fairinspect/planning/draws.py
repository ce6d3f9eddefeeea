"""The verifiable 双随机 draw as a workflow (R9.2), over fairinspect.rules.sampling.

1. ``create_task``: items, the pool filter, a count or a ratio, the visit window.
2. ``publish_pools``: both pools are built (the excluded listed with every reason), frozen in
   canonical order and published with their SHA-256. No seed exists yet.
3. ``record_seed``: the seed made in public (for example several people's dice digits) is
   typed in, with who made it; the server never makes one.
4. ``run``: the draw follows from pools + seed alone (Rivest's sampler).
5. ``publish_result``: the result is announced and the visits are created (trigger
   random_draw) through the visits app.
A re-draw (``request_redraw`` → ``decide_redraw``) is a new, approved draw with a new seed;
the earlier draw and its result stay public.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fairinspect.audit import trail
from fairinspect.catalog.queries import items_in_force
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role
from fairinspect.enterprise.queries import self_inspecting_enterprise_ids
from fairinspect.registry.models import Enterprise, Officer
from fairinspect.rules import sampling
from fairinspect.rules.audit_hashing import canonical_json
from fairinspect.rules.caps import CapStage, at_cap, cap_count_parameters
from fairinspect.rules.certificates import GENERAL_SCOPE
from fairinspect.rules.domains import Domain
from fairinspect.rules.results import reason_dicts

from . import access, bridge, capstate, queries
from .models import Draw, DrawPairing, OfficerConflict, Pool, PoolExclusion, SamplingTask
from .services import clean_date, clean_int, clean_ratio, clean_text, transition

ALL_DOMAINS = frozenset(d.value for d in Domain)


# ---- the task ----------------------------------------------------------------------------


def create_task(*, actor, data: Mapping[str, Any]) -> SamplingTask:
    department = access.require_planner(actor, data.get("department"))
    title = clean_text(data, "title", "任务名称", max_length=200)
    codes = data.get("items") or []
    if isinstance(codes, str):
        codes = [c for c in codes.replace("，", ",").replace("\n", ",").split(",")]
    codes = sorted({str(c).strip() for c in codes if str(c).strip()})
    if not codes:
        raise ValidationFailed(
            "items_empty", "请至少选择一项抽查事项（无清单不检查）。", field="items"
        )
    known = set(items_in_force().filter(code__in=codes).values_list("code", flat=True))
    if missing := [c for c in codes if c not in known]:
        raise ValidationFailed(
            "item_not_in_force",
            f"以下事项不在现行有效的检查事项清单中：{'、'.join(missing)}。",
            field="items",
        )
    start, end = (
        clean_date(data, "window_start", "检查开始日期"),
        clean_date(data, "window_end", "检查结束日期"),
    )
    if end < start:
        raise ValidationFailed("date_order", "检查结束日期不能早于开始日期。", field="window_end")
    if end.year != start.year:
        raise ValidationFailed("crosses_year", "一次抽查不能跨年度。", field="window_end")
    count = data.get("count")
    ratio = data.get("ratio")
    has_count, has_ratio = count not in (None, ""), ratio not in (None, "")
    if has_count == has_ratio:
        raise ValidationFailed(
            "count_or_ratio", "请填写抽取数量或抽取比例（二者填其一）。", field="count"
        )
    values: dict[str, Any] = {}
    if has_count:
        values["count"] = clean_int(data, "count", "抽取数量", minimum=1, maximum=10**7)
    else:
        values["ratio"] = clean_ratio(ratio, "ratio", "抽取比例")
        if values["ratio"] == 0:
            raise ValidationFailed("ratio_zero", "抽取比例须大于0。", field="ratio")
    per_visit = data.get("officers_per_visit")
    values["officers_per_visit"] = (
        clean_int(data, "officers_per_visit", "每家企业执法人员数", minimum=2, maximum=10)
        if per_visit not in (None, "")
        else 2
    )
    if data.get("max_visits_per_officer") not in (None, ""):
        values["max_visits_per_officer"] = clean_int(
            data, "max_visits_per_officer", "每名执法人员最多检查企业数", minimum=1, maximum=10000
        )
    weighted = data.get("weighted_by_risk")
    if isinstance(weighted, str):
        weighted = {"": False, "0": False, "false": False, "1": True, "true": True, "on": True}.get(
            weighted.lower(), "bad"
        )
    if weighted not in (None, True, False):
        raise ValidationFailed(
            "invalid_choice", "按风险排序加权取值不正确。", field="weighted_by_risk"
        )
    values["weighted_by_risk"] = bool(weighted)
    filters = _filters(data, department)
    with transaction.atomic():
        task = SamplingTask.objects.create(
            department=department,
            year=start.year,
            plan=data.get("plan"),
            title=title,
            items=codes,
            window_start=start,
            window_end=end,
            created_by=actor,
            **filters,
            **values,
        )
        trail.record(
            actor=actor,
            action="create",
            obj=task,
            summary=f"创建抽查任务：{title}",
            data={"items": codes, **filters, **values},
        )
    return task


def _filters(data: Mapping[str, Any], department) -> dict[str, Any]:
    from fairinspect.registry.queries import district_codes

    out: dict[str, Any] = {}
    district = str(data.get("district_code") or "").strip()
    if district:
        if district not in district_codes():
            raise ValidationFailed("unknown_district", "区县代码不正确。", field="district_code")
        if department.level == "district" and district != department.division_code:
            raise ValidationFailed(
                "outside_territory", "区（县）应急管理局只能在本辖区内抽取。", field="district_code"
            )
    out["district_code"] = district
    prefix = str(data.get("industry_prefix") or "").strip().upper()
    if prefix and not (prefix.isalnum() and len(prefix) <= 5):
        raise ValidationFailed(
            "invalid_industry", "行业代码应为GB/T 4754代码或其前缀。", field="industry_prefix"
        )
    out["industry_prefix"] = prefix
    risk = str(data.get("risk_level") or "")
    if risk and risk not in ("major", "high", "general", "low"):
        raise ValidationFailed("invalid_choice", "风险等级取值不正确。", field="risk_level")
    out["risk_level"] = risk
    grade = str(data.get("grade") or "")
    if grade and grade not in ("1", "2", "3", "none"):
        raise ValidationFailed("invalid_choice", "标准化等级取值不正确。", field="grade")
    out["grade"] = grade
    hr = data.get("high_risk")
    if isinstance(hr, str):
        hr = {"": None, "1": True, "true": True, "0": False, "false": False}.get(hr.lower(), "bad")
    if hr not in (None, True, False):
        raise ValidationFailed("invalid_choice", "高危行业取值不正确。", field="high_risk")
    out["high_risk"] = hr
    level = str(data.get("supervising_level") or "")
    if level and level not in ("city", "district"):
        raise ValidationFailed("invalid_choice", "监管层级取值不正确。", field="supervising_level")
    out["supervising_level"] = level
    return out


# ---- building the pools ------------------------------------------------------------------


def required_scopes(task: SamplingTask) -> frozenset[str]:
    return frozenset(items_in_force().filter(code__in=task.items).values_list("domain", flat=True))


def enterprise_candidates(task: SamplingTask) -> Iterator[sampling.EnterpriseCandidate]:
    """The filtered enterprises of the bureau's territory, with what excludes them, streamed
    in canonical id order. The cap state is one set-based query over the territory's counted
    visits (planning.capstate, the rule's parameters from rules.caps.cap_count_parameters);
    repeated items are read for the task's items only (issue 13 item 3)."""
    on = task.window_start
    qs = queries.territory(task.department).filter(queries.enterprise_filter_q(task))
    if task.grade:
        qs = qs.annotate(cap_grade=queries.grade_expression(on)).filter(cap_grade=task.grade)
    params = cap_count_parameters(
        table=bridge.cap_table(task.year),
        policy=bridge.cap_policy(task.year),
        year=task.year,
        today=on,
        stage=CapStage.PLANNING,
    )
    territory_ids = qs.order_by().values("pk")
    visited = bridge.visited_items(territory_ids, task.year, items=task.items)
    self_inspecting = set(self_inspecting_enterprise_ids(task.year))  # R10.4
    weights = bridge.risk_draw_weights(qs, today=on) if task.weighted_by_risk else {}
    for pk, code, level, cap, used in capstate.cap_state(qs, params, on):
        yield sampling.EnterpriseCandidate(
            id=code,
            at_cap=at_cap(cap, used),
            supervising_level=level or None,
            visited_items_this_year=frozenset(visited.get(pk, ())),
            self_inspecting=pk in self_inspecting,
            weight=weights.get(pk, 1),
        )


@dataclass(frozen=True)
class OfficerRow:
    candidate: sampling.OfficerCandidate
    officer_pk: int
    name: str


def officer_candidates(task: SamplingTask) -> list[OfficerRow]:
    """The bureau's officers, each with its best certificate ("general" covers every domain),
    declared conflicts and the enterprises it inspected last time for these items."""
    bureau = task.department
    officers = Officer.objects.prefetch_related("certificates").select_related("department")
    if bureau.level == "city":
        officers = officers.filter(department__level="city")
    else:
        officers = officers.filter(
            department__division_code=bureau.division_code, department__level="district"
        )
    conflicts: dict[int, set[sampling.Conflict]] = {}
    for officer_id, code, kind in OfficerConflict.objects.values_list(
        "officer_id", "enterprise__credit_code", "kind"
    ):
        conflicts.setdefault(officer_id, set()).add(
            sampling.Conflict(code, sampling.ConflictKind(kind))
        )
    last = bridge.last_inspectors(task.items, queries.territory(bureau).order_by().values("pk"))
    rows: list[OfficerRow] = []
    for o in officers:
        certs = [c for c in o.certificates.all() if c.status == "valid"]
        cert = max(certs, key=lambda c: (c.valid_to, c.number), default=None)
        scopes = frozenset(cert.scopes or ()) if cert else frozenset()
        if GENERAL_SCOPE in scopes:
            scopes = scopes | ALL_DOMAINS
        rows.append(
            OfficerRow(
                sampling.OfficerCandidate(
                    id=cert.number if cert else f"officer-{o.pk}",
                    on_duty=o.status == "on_duty",
                    certificate_valid_from=cert.valid_from if cert else None,
                    certificate_valid_to=cert.valid_to if cert else None,
                    certificate_scopes=scopes,
                    conflicts=frozenset(conflicts.get(o.pk, ())),
                    last_inspected=frozenset(last.get(o.pk, ())),
                ),
                o.pk,
                o.name,
            )
        )
    return rows


def officer_pool(
    rows: list[OfficerRow], *, scopes: frozenset[str], start: dt.date, end: dt.date
) -> sampling.OfficerPoolResult:
    """Certified for the whole window: checked on its first and its last day."""
    candidates = [r.candidate for r in rows]
    first = sampling.build_officer_pool(candidates, required_scopes=scopes, on_date=start)
    last = sampling.build_officer_pool(candidates, required_scopes=scopes, on_date=end)
    reasons: dict[str, list[sampling.Reason]] = {}
    for result in (first, last):
        for e in result.excluded:
            own = reasons.setdefault(e.id, [])
            own.extend(r for r in e.reasons if r not in own)
    kept = [o for o in first.officers if o.id not in reasons]
    pool = sampling.canonical_pool(o.id for o in kept)
    excluded = tuple(sampling.Exclusion(i, tuple(reasons[i])) for i in sorted(reasons))
    return sampling.OfficerPoolResult(
        pool, excluded, sampling.pool_sha256(pool), officers=tuple(kept)
    )


def pool_text_and_sha256(ids) -> tuple[str, str]:
    """The published file and its SHA-256 in one pass: each line hashed as it is written
    (hashlib's update), so the text is never built twice. Equal to
    (sampling.pool_text(ids), sampling.pool_sha256(ids)) for plain ids."""
    h = hashlib.sha256()
    out = io.StringIO()
    for i in ids:
        line = f"{i}\n"
        h.update(line.encode("utf-8"))
        out.write(line)
    return out.getvalue(), h.hexdigest()


class RowWriter:
    """Rows written set-based (issue 13 item 3): every few thousand rows one ``COPY <table>
    FROM STDIN`` on PostgreSQL, one ``executemany`` of plain tuples elsewhere (SQLite) — no
    model instance, no per-row INSERT. (Batches, not one COPY: a pool's territory is read from
    a server-side cursor on the same connection, which must stay free while it is fetched.)
    A subclass names the model and its COLUMNS and turns what it is given into a tuple."""

    model: type[models.Model]
    COLUMNS: tuple[str, ...] = ()
    BATCH = 5000

    def __init__(self) -> None:
        self.count = 0
        self._batch: list[tuple] = []
        q = connection.ops.quote_name
        self._table = q(self.model._meta.db_table)
        self._cols = ", ".join(q(c) for c in self.COLUMNS)

    def _append(self, row: tuple) -> None:
        self._batch.append(row)
        self.count += 1
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                with c.copy(f"COPY {self._table} ({self._cols}) FROM STDIN") as copy:
                    for row in self._batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.COLUMNS))
                c.executemany(
                    f"INSERT INTO {self._table} ({self._cols}) VALUES ({marks})", self._batch
                )
        self._batch = []

    def close(self) -> int:
        self._flush()
        return self.count


class ExclusionWriter(RowWriter):
    """A pool's exclusions written as rows. Which enterprise is excluded and why is still
    decided by the one rule (rules.sampling.enterprise_reasons); the rows, their positions
    (0, 1, … in the order given) and their reasons are those ``bulk_create`` wrote
    (tests/planning/test_draw_rows.py holds the two equal)."""

    model = PoolExclusion
    COLUMNS = ("pool_id", "position", "ident", "reasons")

    def __init__(self, pool: Pool) -> None:
        super().__init__()
        self.pool_id = pool.pk

    def add(self, ident: str, reasons) -> None:
        self._append((self.pool_id, self.count, ident, json.dumps(reason_dicts(reasons))))


class ResultDigests:
    """The two digests of a draw's result, fed pairing by pairing in drawn order:
    `selected` is the SHA-256 of the selection file (one credit code a line, what
    `draw-verify` prints and /selected.txt serves), `pairings` that of canonical_json of
    the whole pairings list (the list's text is never built)."""

    def __init__(self) -> None:
        self._selected = hashlib.sha256()
        self._pairings = hashlib.sha256(b"[")
        self.count = 0

    def add(self, pairing: Mapping[str, Any]) -> None:
        self._selected.update(f"{pairing['enterprise']}\n".encode())
        if self.count:
            self._pairings.update(b",")
        self._pairings.update(canonical_json(pairing).encode("utf-8"))
        self.count += 1

    @property
    def selected(self) -> str:
        return self._selected.hexdigest()

    @property
    def pairings(self) -> str:
        h = self._pairings.copy()
        h.update(b"]")
        return h.hexdigest()


class PairingWriter(RowWriter):
    """A draw's result written as rows (DrawPairing), positions 0, 1, … in drawn order,
    hashed as they are written (ResultDigests)."""

    model = DrawPairing
    COLUMNS = (
        "draw_id",
        "position",
        "enterprise_id",
        "credit_code",
        "officers",
        "officer_names",
        "skipped",
        "unpaired",
    )

    def __init__(self, draw: Draw, names: Mapping[str, str]) -> None:
        super().__init__()
        self.draw_id = draw.pk
        self.names = names
        self.digests = ResultDigests()

    def add(self, enterprise_pk: int, pairing: Mapping[str, Any]) -> None:
        self.digests.add(pairing)
        self._append(
            (
                self.draw_id,
                self.count,
                enterprise_pk,
                pairing["enterprise"],
                json.dumps(pairing["officers"], ensure_ascii=False),
                json.dumps(
                    [self.names.get(o, "") for o in pairing["officers"]], ensure_ascii=False
                ),
                json.dumps(pairing["skipped"], ensure_ascii=False),
                pairing["unpaired"],
            )
        )


def enterprise_pks(codes) -> dict[str, int]:
    """{credit code: pk} of the given enterprises, a few thousand codes a query."""
    codes = list(codes)
    out: dict[str, int] = {}
    for i in range(0, len(codes), RowWriter.BATCH):
        out.update(
            Enterprise.objects.filter(credit_code__in=codes[i : i + RowWriter.BATCH]).values_list(
                "credit_code", "pk"
            )
        )
    return out


def write_pairings(draw: Draw, pairings: list[dict], names: Mapping[str, str]) -> ResultDigests:
    """Store a draw's result as rows (with the officers' names, `names` {pool id: name}) and
    its digests on the draw (after the rows: the trigger of migration 0009 empties the
    digests when a row is written while they are set)."""
    pks = enterprise_pks(p["enterprise"] for p in pairings)
    writer = PairingWriter(draw, names)
    for p in pairings:
        writer.add(pks[p["enterprise"]], p)
    writer.close()
    Draw.objects.filter(pk=draw.pk).update(
        selected_sha256=writer.digests.selected, pairings_sha256=writer.digests.pairings
    )
    return writer.digests


def _save_exclusions(pool: Pool, excluded) -> None:
    writer = ExclusionWriter(pool)
    for e in excluded:
        writer.add(e.id, e.reasons)
    writer.close()


def draw_count(task: SamplingTask, pool_size: int) -> int:
    if task.count is not None:
        return task.count
    assert task.ratio is not None  # a count or a ratio (planning_task_count_xor_ratio)
    return sampling.count_from_ratio(pool_size, task.ratio)


def publish_pools(*, actor, task: SamplingTask) -> SamplingTask:
    """Freeze both pools and publish them with their SHA-256, before any seed exists.

    The enterprises are streamed in canonical order: each is classified by the one rule
    (rules.sampling.enterprise_reasons), an included one written to the pool file as it
    comes (an incremental SHA-256, rules.sampling.PoolWriter), an excluded one written as a
    row with its reasons, a few thousand rows at a time. Everything is one transaction: a
    refusal (count over the pool, too few officers) leaves nothing behind."""
    access.require_planner(actor, task.department)
    scopes = required_scopes(task)
    if not scopes:
        raise Conflict(
            "items_not_in_force", "抽查事项已不在现行清单中，请重新创建任务。", field="items"
        )
    level = task.department.level
    wanted = frozenset(task.items)
    rows = officer_candidates(task)
    officers = officer_pool(rows, scopes=scopes, start=task.window_start, end=task.window_end)
    by_id = {r.candidate.id: r for r in rows}
    facts = {
        o.id: {
            "officer": by_id[o.id].officer_pk,
            "name": by_id[o.id].name,
            "conflicts": sorted([c.enterprise_id, c.kind.value] for c in o.conflicts),
            "last_inspected": sorted(o.last_inspected),
        }
        for o in officers.officers
    }
    off_text, off_sha = pool_text_and_sha256(officers.included)
    assert off_sha == officers.sha256
    now = timezone.now()
    writer = sampling.PoolWriter(weighted=task.weighted_by_risk)
    with transaction.atomic():
        transition(SamplingTask, task.pk, "draft", "pool_published", pools_published_at=now)
        ent_pool = Pool.objects.create(
            task=task,
            kind=Pool.Kind.ENTERPRISES,
            text="",
            sha256=writer.sha256,
            text_sha256=writer.sha256,
            size=0,
            frozen_at=now,
        )
        exclusions = ExclusionWriter(ent_pool)
        for c in enterprise_candidates(task):
            reasons = sampling.enterprise_reasons(c, items=wanted, inspecting_level=level)
            if reasons:
                exclusions.add(c.id, reasons)
            else:
                writer.add(c.id, c.weight if task.weighted_by_risk else None)
        excluded = exclusions.close()
        count = draw_count(task, writer.size)
        if count > writer.size:
            raise Conflict(
                "count_exceeds_pool",
                f"抽取数量（{count}）超过企业名录库中的企业数（{writer.size}），"
                "请调整筛选条件或抽取数量。",
                field="count",
            )
        if count == 0:
            raise Conflict("pool_empty", "企业名录库为空，没有可抽取的企业。", field="count")
        if len(officers.included) < task.officers_per_visit:
            raise Conflict(
                "officer_pool_too_small",
                f"执法人员名录库仅{len(officers.included)}人，少于每家企业所需的"
                f"{task.officers_per_visit}人。",
            )
        Pool.objects.filter(pk=ent_pool.pk).update(
            text=writer.text(),
            sha256=writer.sha256,
            text_sha256=writer.sha256,
            size=writer.size,
            excluded_count=excluded,
        )
        off_pool = Pool.objects.create(
            task=task,
            kind=Pool.Kind.OFFICERS,
            text=off_text,
            sha256=officers.sha256,
            text_sha256=off_sha,
            size=len(officers.included),
            excluded_count=len(officers.excluded),
            facts=facts,
            frozen_at=now,
        )
        del off_text
        _save_exclusions(off_pool, officers.excluded)
        Draw.objects.create(task=task, sequence=1, status=Draw.Status.AWAITING_SEED)
        trail.record(
            actor=actor,
            action="publish_pools",
            obj=task,
            summary=f"公布抽查名录库：{task.title}",
            data={
                "enterprise_pool_sha256": writer.sha256,
                "enterprise_pool_size": writer.size,
                "enterprises_excluded": excluded,
                "officer_pool_sha256": officers.sha256,
                "officer_pool_size": len(officers.included),
                "officers_excluded": len(officers.excluded),
                "count": count,
            },
        )
    task.refresh_from_db()
    return task


# ---- the public draw ---------------------------------------------------------------------


def live_draw(task: SamplingTask) -> Draw | None:
    return task.draws.filter(status__in=["awaiting_seed", "seeded", "drawn", "published"]).first()


def record_seed(*, actor, draw: Draw, seed: str, entered_by: str) -> Draw:
    """Record the seed made in public, and who made it. Never generated by the server."""
    access.require_planner(actor, draw.task.department)
    seed = str(seed or "").strip()
    try:
        sampling.validate_seed(seed)
    except sampling.DrawInputError as exc:
        raise ValidationFailed(exc.code, exc.message, field="seed") from None
    entered_by = clean_text(
        {"entered_by": entered_by}, "entered_by", "种子录入人（现场产生种子的人员）", max_length=500
    )
    with transaction.atomic():
        transition(
            Draw,
            draw.pk,
            "awaiting_seed",
            "seeded",
            seed=seed,
            seed_entered_by=entered_by,
            seed_entered_at=timezone.now(),
            seed_recorded_by=actor,
        )
        trail.record(
            actor=actor,
            action="record_seed",
            obj=draw,
            summary=f"录入随机种子：{draw}",
            data={"seed": seed, "entered_by": entered_by},
        )
    draw.refresh_from_db()
    return draw


def pools_of(task: SamplingTask, *, light: bool = False) -> tuple[Pool, Pool]:
    """The two pools; `light` leaves the texts and the officers' pairing facts unread (the
    public pages; the facts hold every officer's past enterprises: megabytes of JSON). The
    texts are read on SQLite all the same: there the verification key hashes them
    (stored_text_digest), and they come with this query rather than one query each."""
    found = _LIGHT_POOLS.objects(task=task.pk) if light else task.pools.all()
    pools = {p.kind: p for p in found}
    return pools[Pool.Kind.ENTERPRISES], pools[Pool.Kind.OFFICERS]


def _light_pools_qs(task: int) -> models.QuerySet[Pool]:
    qs = Pool.objects.filter(task_id=task)
    return qs.defer("text", "facts") if connection.vendor == "postgresql" else qs.defer("facts")


# The public pages' reads, prepared (core/prepared.py: compiled once per connection).
_LIGHT_POOLS = Prepared(_light_pools_qs, task=-1_000_022)


def officer_names(pool: Pool) -> dict[str, str]:
    """{pool id: name} of an officer pool, extracted by the database from `facts` (only the
    names travel, never the officers' past enterprises)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT jsonb_object_agg(e.key, e.value->>'name') "
            "FROM planning_pool p, jsonb_each(p.facts) e WHERE p.id = %s"
        )
    else:
        sql = (
            "SELECT json_group_object(e.key, json_extract(e.value, '$.name')) "
            "FROM planning_pool p, json_each(p.facts) e WHERE p.id = %s"
        )
    with connection.cursor() as c:
        c.execute(sql, [pool.pk])
        value = c.fetchone()[0]
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def stored_text_digest(pool: Pool) -> str:
    """The SHA-256 of the pool's text as stored now. PostgreSQL keeps it in `text_sha256`
    on every write (trigger of migration 0007): nothing reads the text. Elsewhere the text
    is hashed here."""
    if connection.vendor == "postgresql":
        return pool.text_sha256
    return hashlib.sha256(pool.text.encode("utf-8")).hexdigest()


def officer_candidates_from(pool: Pool) -> list[sampling.OfficerCandidate]:
    """Pairing inputs from the frozen pool (certified officers; conflicts as frozen)."""
    return [
        sampling.OfficerCandidate(
            id=officer_id,
            on_duty=True,
            certificate_valid_from=None,
            certificate_valid_to=None,
            conflicts=frozenset(
                sampling.Conflict(e, sampling.ConflictKind(k)) for e, k in fact["conflicts"]
            ),
            last_inspected=frozenset(fact["last_inspected"]),
        )
        for officer_id, fact in sorted(pool.facts.items())
    ]


def read_enterprise_pool(text: str) -> tuple[tuple[str, ...], dict[str, int] | None]:
    """The ids of a published enterprise pool file and, for a weighted one, their weights."""
    if sampling.is_weighted_pool_file(text):
        entries = sampling.parse_weighted_pool_file(text)
        return tuple(i for i, _w in entries), dict(entries)
    return sampling.parse_pool_file(text), None


def compute(task: SamplingTask, seed: str) -> sampling.DrawResult:
    """The draw from the frozen pools and a seed: deterministic, re-runnable by anyone. The
    pool file's own form decides the sampler (a weighted file, the weighted one)."""
    enterprise_pool, officer_pool_row = pools_of(task)
    ids, weights = read_enterprise_pool(enterprise_pool.text)
    if task.weighted_by_risk != (weights is not None):
        raise sampling.PoolFileError(1, "pool_form_changed", "名录库文件的格式与任务不符")
    return sampling.run_draw(
        seed=seed,
        enterprise_pool=ids,
        enterprise_weights=weights,
        officer_pool=officer_candidates_from(officer_pool_row),
        count=draw_count(task, len(ids)),
        officers_per_visit=task.officers_per_visit,
        max_visits_per_officer=task.max_visits_per_officer,
    )


def _pairings_json(result: sampling.DrawResult) -> list[dict]:
    return [
        {
            "enterprise": p.enterprise_id,
            "officers": list(p.officer_ids),
            "skipped": [[s.officer_id, s.reason.code, s.reason.message] for s in p.skipped],
            "unpaired": p.unpaired_reason.message if p.unpaired_reason else "",
        }
        for p in result.pairings
    ]


def run(*, actor, draw: Draw) -> Draw:
    access.require_planner(actor, draw.task.department)
    draw = Draw.objects.select_related("task").get(pk=draw.pk)
    if draw.status != Draw.Status.SEEDED:
        raise Conflict(
            "draw_not_seeded", "请先在公开抽取现场录入随机种子，再进行抽取。", field="seed"
        )
    result = compute(draw.task, draw.seed)
    with transaction.atomic():
        transition(
            Draw,
            draw.pk,
            "seeded",
            "drawn",
            count=len(result.selected),
            drawn_at=timezone.now(),
        )
        names = officer_names(pools_of(draw.task, light=True)[1])
        write_pairings(draw, _pairings_json(result), names)
        trail.record(
            actor=actor,
            action="draw",
            obj=draw,
            summary=f"抽取：{draw}，抽中{len(result.selected)}家企业",
            data={
                "seed": draw.seed,
                "enterprise_pool_sha256": result.enterprise_pool_sha256,
                "officer_pool_sha256": result.officer_pool_sha256,
                "selected": list(result.selected),
            },
        )
    draw.refresh_from_db()
    return draw


def publish_result(*, actor, draw: Draw, today: dt.date | None = None) -> Draw:
    """Announce the result and create the visits (trigger random_draw) via the visits app."""
    access.require_planner(actor, draw.task.department)
    with transaction.atomic():
        transition(Draw, draw.pk, "drawn", "published", published_at=timezone.now())
        SamplingTask.objects.filter(pk=draw.task_id).update(status="result_published")
        draw.refresh_from_db()
        pairings = draw.pairings
        created = bridge.create_draw_visits(draw=draw, actor=actor, today=today, pairings=pairings)
        Draw.objects.filter(pk=draw.pk).update(visit_ids=created)
        # The public page reads this stored verification instead of re-running the draw.
        store_verification(draw, pairings=pairings)
        trail.record(
            actor=actor,
            action="publish_result",
            obj=draw,
            summary=f"公布抽取结果：{draw}",
            data={"selected": [p["enterprise"] for p in pairings], "visits": created},
            also=[draw.task],
        )
    draw.refresh_from_db()
    return draw


def request_redraw(*, actor, task: SamplingTask, reason: str) -> Draw:
    """Ask for a re-draw. Nothing changes until the unit head approves it."""
    access.require_planner(actor, task.department)
    reason = clean_text({"reason": reason}, "reason", "重新抽取理由", max_length=2000)
    with transaction.atomic():
        SamplingTask.objects.select_for_update().get(pk=task.pk)
        live = live_draw(task)
        if live is None or live.status not in ("drawn", "published"):
            raise Conflict("nothing_to_redraw", "只有已抽取的结果才能申请重新抽取。")
        if task.draws.filter(status="awaiting_approval").exists():
            raise Conflict("redraw_pending", "已有一份重新抽取申请待批准。")
        sequence = (task.draws.aggregate(n=Max("sequence"))["n"] or 0) + 1
        draw = Draw.objects.create(
            task=task,
            sequence=sequence,
            status=Draw.Status.AWAITING_APPROVAL,
            redraw_reason=reason,
            requested_by=actor,
        )
        trail.record(
            actor=actor,
            action="request_redraw",
            obj=draw,
            summary=f"申请重新抽取：{task.title}",
            data={"reason": reason, "replaces": live.sequence},
        )
    return draw


def decide_redraw(*, actor, draw: Draw, approve: bool) -> Draw:
    """Approved: the current draw is superseded (kept, still public) and the new one waits
    for a new public seed. The pools stay the same."""
    task = draw.task
    access.require_approver(actor, task.department)
    now = timezone.now()
    with transaction.atomic():
        SamplingTask.objects.select_for_update().get(pk=task.pk)
        require_duty(
            actor,
            "批准重新抽取" if approve else "不批准重新抽取",
            Role.APPROVER,
            access.redraw_duty(Draw.objects.select_related("task").get(pk=draw.pk)),
        )
        if approve:
            live = live_draw(task)
            if live is not None:
                transition(Draw, live.pk, ["drawn", "published"], "superseded", superseded_at=now)
                if live.visit_ids:
                    bridge.cancel_draw_visits(draw=live, actor=actor, reason=draw.redraw_reason)
            transition(
                Draw,
                draw.pk,
                "awaiting_approval",
                "awaiting_seed",
                approved_by=actor,
                approved_at=now,
            )
            SamplingTask.objects.filter(pk=task.pk).update(status="pool_published")
        else:
            transition(
                Draw, draw.pk, "awaiting_approval", "rejected", approved_by=actor, approved_at=now
            )
        trail.record(
            actor=actor,
            action="approve_redraw" if approve else "reject_redraw",
            obj=draw,
            summary=f"{'批准' if approve else '不批准'}重新抽取：{task.title}",
            data={"reason": draw.redraw_reason},
            also=[task, live] if approve and live is not None else [task],
        )
    draw.refresh_from_db()
    return draw


# ---- verification ------------------------------------------------------------------------


# The verdicts, stored by code (and params) and worded at view time in the viewer's language
# (gettext): the Chinese text is the msgid, and the stored `message` of older rows (before
# codes) is shown as it is.
VERDICTS = {
    "verified": gettext_noop(
        "验证通过：按公布的名录库、随机种子和数量重新计算，结果与公布结果完全一致。"
    ),
    "pool_form": gettext_noop("验证失败：名录库文件不是公布时的规范格式（%(detail)s）。"),
    "pool_hash": gettext_noop("验证失败：名录库文件与公布的SHA-256不一致。"),
    "result_mismatch": gettext_noop("验证失败：重新计算的结果与公布结果不一致。"),
}


def _verdict_pattern(text: str) -> re.Pattern[str]:
    escaped = re.escape(text)
    return re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.*)", escaped))


# A verification stored before it had a code is recognised by its Chinese words.
_VERDICT_PATTERNS = {code: _verdict_pattern(text) for code, text in VERDICTS.items()}


def _recognised(message: str) -> tuple[str, dict[str, str]]:
    """(code, params) of a verdict's stored Chinese words, or ("", {}) for other words."""
    for code, pattern in _VERDICT_PATTERNS.items():
        if found := pattern.fullmatch(message):
            return code, found.groupdict()
    return "", {}


def verdict_text(code: str, params: Mapping[str, str] | None = None, *, translate=None) -> str:
    """A verdict's words: in the active language (`translate`, gettext by default), or
    Chinese (`translate=str`: what is stored and recorded)."""
    text = (translate or gettext)(VERDICTS[code])
    return text % dict(params) if params else text


@dataclass(frozen=True)
class Verification:
    ok: bool
    selected: tuple[str, ...]
    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In Chinese, as stored (the verdict's `message`, for readers of older rows)."""
        return verdict_text(self.code, self.params, translate=str)


def verify(draw: Draw, pairings: list[dict] | None = None) -> Verification:
    """Recompute a run draw from its published inputs and compare with the stored result
    (its rows, or `pairings` read from them by the caller)."""
    try:
        result = compute(draw.task, draw.seed)
    except (sampling.PoolFileError, sampling.DrawInputError) as exc:
        # A stored pool text no longer in published form (altered): a failed verification,
        # never a server error on the public page.
        return Verification(False, (), "pool_form", {"detail": str(exc)})
    if pairings is None:
        pairings = draw.pairings
    same = _pairings_json(result) == pairings and draw.count == len(pairings)
    enterprise_pool, officer_pool_row = pools_of(draw.task)
    hashes_ok = (
        sampling.pool_file_sha256(enterprise_pool.text) == enterprise_pool.sha256
        and sampling.pool_sha256(sampling.parse_pool_file(officer_pool_row.text))
        == officer_pool_row.sha256
    )
    if same and hashes_ok:
        code = "verified"
    elif not hashes_ok:
        code = "pool_hash"
    else:
        code = "result_mismatch"
    return Verification(same and hashes_ok, result.selected, code)


def pairings_page(draw: Draw, first: int, size: int) -> list[DrawPairing]:
    """The rows at positions first … first + size − 1, with their enterprise's name: one
    query over the (draw, position) index, whatever the size of the draw."""
    return _PAIRINGS_PAGE.objects(draw=draw.pk, first=first, end=first + size)


_PAIRINGS_PAGE = Prepared(
    lambda draw, first, end: (
        DrawPairing.objects.filter(draw_id=draw, position__gte=first, position__lt=end)
        .select_related("enterprise")
        .only(
            "position",
            "credit_code",
            "officers",
            "officer_names",
            "skipped",
            "unpaired",
            "enterprise__name",
        )
        .order_by("position")
    ),
    # positions are never negative (and a negative bound would compile to "no rows")
    draw=-1_000_023,
    first=2_000_000_001,
    end=2_000_000_002,
)


SELECTED_SLICE = 5000  # rows per query of the streamed selection file


def selected_lines(draw_pk: int) -> Iterator[bytes]:
    """The selection file (one credit code a line, in drawn order), a slice of rows a query
    by position (keyset): never the whole list at once."""
    after = -1
    while True:
        rows = list(
            DrawPairing.objects.filter(draw_id=draw_pk, position__gt=after)
            .order_by("position")
            .values_list("position", "credit_code")[:SELECTED_SLICE]
        )
        if not rows:
            return
        yield "".join(f"{code}\n" for _, code in rows).encode("utf-8")
        after = rows[-1][0]


def result_digests(pairings) -> ResultDigests:
    digests = ResultDigests()
    for p in pairings:
        digests.add(p)
    return digests


def stored_result_digests(draw: Draw) -> tuple[str, str]:
    """The digests of the draw's result as stored now (selected, pairings). PostgreSQL keeps
    them on the draw, emptied by the rows' trigger (migration 0009) when a row is written
    after them: nothing reads the rows. Elsewhere the rows are hashed here (one query)."""
    if connection.vendor == "postgresql":
        return draw.selected_sha256, draw.pairings_sha256
    digests = result_digests(draw.pairings)
    return digests.selected, digests.pairings


def verification_key(draw: Draw, enterprise_pool: Pool, officer_pool: Pool) -> str:
    """What the stored verification vouches for: the SHA-256 of the pool texts as stored now
    (hashing 1,000,000 lines takes tens of milliseconds, the draw itself seconds), the
    published pool hashes, the seed, the count and the digests of the stored result."""
    h = hashlib.sha256()
    for part in (
        stored_text_digest(enterprise_pool),
        stored_text_digest(officer_pool),
        enterprise_pool.sha256,
        officer_pool.sha256,
        draw.seed,
        str(draw.count),
        *stored_result_digests(draw),
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def store_verification(draw: Draw, pairings: list[dict] | None = None) -> Verification:
    """Verify the draw now (recomputing it), store its result's digests as read from the
    rows, and the verification with its key."""
    enterprise_pool, officer_pool = pools_of(draw.task)
    if pairings is None:
        pairings = draw.pairings
    digests = result_digests(pairings)
    draw.selected_sha256, draw.pairings_sha256 = digests.selected, digests.pairings
    check = verify(draw, pairings)
    stored = {
        "key": verification_key(draw, enterprise_pool, officer_pool),
        "ok": check.ok,
        "code": check.code,
        "params": dict(check.params),
        "message": check.message,
        "at": timezone.now().isoformat(),
    }
    Draw.objects.filter(pk=draw.pk).update(
        verification=stored,
        selected_sha256=draw.selected_sha256,
        pairings_sha256=draw.pairings_sha256,
    )
    draw.verification = stored
    trail.record(
        actor=None,
        action="store_verification",
        obj=draw,
        summary=f"保存抽取验证结果：{draw}",
        data={"ok": check.ok},
    )
    return check


@dataclass(frozen=True)
class Verdict:
    """What the public pages show of a verification: `message` is worded when read, in the
    active language; a verification stored before codes keeps its stored (Chinese) words."""

    ok: bool
    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    stored_message: str = ""

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Verdict:
        code, params = stored.get("code", ""), dict(stored.get("params") or {})
        message = stored.get("message", "")
        if code not in VERDICTS:
            code, params = _recognised(message)
        return cls(bool(stored["ok"]), code, params, message)

    @property
    def message(self) -> str:
        return verdict_text(self.code, self.params) if self.code else self.stored_message


def cached_verification(draw: Draw, pools: tuple[Pool, Pool] | None = None) -> Verdict:
    """The public pages' verification: the stored one while its key still matches the
    stored inputs and the result's digests; otherwise (anything changed, or never verified)
    verify again and store. A second view never recomputes the draw nor reads its rows.
    `pools` (light) saves reading them again."""
    stored = draw.verification or {}
    if stored.get("key"):
        enterprise_pool, officer_pool = pools or pools_of(draw.task, light=True)
        if stored["key"] == verification_key(draw, enterprise_pool, officer_pool):
            return Verdict.of(stored)
    check = store_verification(draw)
    return Verdict(check.ok, check.code, check.params, check.message)


def recompute(task: SamplingTask, *, seed: str, count: int) -> tuple[str, ...]:
    """For the public page: anyone's seed and count over the task's published pool."""
    enterprise_pool, _ = pools_of(task)
    try:
        return sampling.verify_pool_file(enterprise_pool.text, seed, count)
    except sampling.DrawInputError as exc:
        raise ValidationFailed(exc.code, exc.message, field=exc.field) from None
