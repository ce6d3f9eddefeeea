"""Monitoring endpoints: ingestion by gateways (their own key), points, readings, warnings,
their disposal and the risk ranking (staff and enterprise users, bearer token)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from fairinspect.core.errors import ValidationFailed
from fairinspect.core.schemas import Input

from . import access, queries, ranking, services
from .forms import MonitoringDraftIn, MonitoringOffsiteIn, MonitoringPointEditIn, MonitoringPointIn
from .inputs import MAX_BATCH, MESSAGE_ID, BatchIn, RefusedRow, parse_csv, refused_of, to_raw
from .models import Reading

router = Router(tags=["监测预警 monitoring"])


class GatewayKey(APIKeyHeader):
    param_name = "X-Gateway-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        cred = services.credential_for_key(key or "")
        if cred is not None:
            request.credential = cred  # type: ignore[attr-defined]
        return cred


gateway_key = GatewayKey()


class IngestOut(Schema):
    message_id: str
    accepted: int
    duplicates: int
    refused: int
    problems: list[RefusedRow]
    warnings_opened: list[str]
    repeated: bool


def _out(result) -> dict:
    return {
        "message_id": result.message_id,
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "refused": result.refused,
        "problems": result.problems,
        "warnings_opened": result.warnings_opened,
        "repeated": result.repeated,
    }


@router.post(
    "/monitoring/ingest", auth=gateway_key, response=IngestOut, summary="上报监测数据（JSON 批量）"
)
def ingest_json(request: HttpRequest, payload: BatchIn):
    result = services.ingest(
        credential=request.credential,  # type: ignore[attr-defined]
        message_id=payload.message_id,
        readings=to_raw(payload.readings, payload.rows),
        refused=refused_of(payload),
        source=Reading.Source.HTTP,
    )
    return _out(result)


@router.post(
    "/monitoring/ingest.csv",
    auth=gateway_key,
    response=IngestOut,
    summary="上报监测数据（CSV 批量）",
)
def ingest_csv(request: HttpRequest):
    message_id = request.headers.get("X-Message-Id", "")
    if not re.match(MESSAGE_ID, message_id):
        raise ValidationFailed("invalid", "X-Message-Id: 缺少或格式不正确", field="X-Message-Id")
    try:
        text = request.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("invalid", "body: CSV 应为 UTF-8 编码", field="body") from None
    readings, problems = parse_csv(text)
    if len(readings) + len(problems) > MAX_BATCH:
        raise ValidationFailed("too_many", f"body: 一批最多 {MAX_BATCH} 条", field="body")
    result = services.ingest(
        credential=request.credential,  # type: ignore[attr-defined]
        message_id=message_id,
        readings=readings,
        refused=problems,
        source=Reading.Source.HTTP,
    )
    return _out(result)


class PointOut(Schema):
    id: int
    enterprise_id: int
    code: str
    name: str
    kind: str
    unit: str
    range_low: float
    range_high: float
    low_low: float | None
    low: float | None
    high: float | None
    high_high: float | None
    rate_per_minute: float | None
    active: bool
    last_at: dt.datetime | None
    last_value: float | None


@router.get("/monitoring/points", response=list[PointOut], summary="监测点位")
def list_points(request: HttpRequest, enterprise_id: int | None = None):
    access.require_monitoring_viewer(request.user)
    qs = access.points_visible_to(request.user)
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    return list(qs.order_by("enterprise_id", "code")[:1000])


@router.post("/monitoring/points", response=PointOut, summary="新增监测点位（量程、报警限值）")
def create_point(request: HttpRequest, payload: MonitoringPointIn):
    from fairinspect.registry.access import enterprises_visible_to

    access.require_staff_viewer(request.user)
    enterprise = enterprises_visible_to(request.user).filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise ValidationFailed(
            "not_found", "enterprise_id: 未找到该企业，或您无权查看。", field="enterprise_id"
        )
    fields = payload.model_dump(exclude={"enterprise_id"})
    return services.create_point(actor=request.user, enterprise=enterprise, **fields)


@router.put(
    "/monitoring/points/{point_id}", response=PointOut, summary="修改监测点位的量程和报警限值"
)
def update_point(request: HttpRequest, point_id: int, payload: MonitoringPointEditIn):
    access.require_staff_viewer(request.user)
    point = access.get_point(request.user, point_id)
    return services.update_point(actor=request.user, point=point, **payload.model_dump())


class ReadingOut(Schema):
    at: dt.datetime
    value: float


class ReadingsQuery(Schema):
    since: dt.datetime | None = None
    limit: int = Field(500, ge=1, le=5000)


@router.get(
    "/monitoring/points/{point_id}/readings", response=list[ReadingOut], summary="点位的最近数据"
)
def point_readings(request: HttpRequest, point_id: int, q: Query[ReadingsQuery]):
    access.require_monitoring_viewer(request.user)
    point = access.get_point(request.user, point_id)
    return queries.recent_readings(point, since=q.since, limit=q.limit)


class WarningOut(Schema):
    number: str
    enterprise_id: int
    point_code: str = Field(alias="point.code")
    rule_kind: str
    rule_set: str
    rule_version: str
    grade: str
    base_grade: str
    message: str
    value: float
    limit: float | None
    started_at: dt.datetime
    cleared_at: dt.datetime | None
    stage: str
    acknowledge_by: dt.datetime
    report_by: dt.datetime
    review_by: dt.datetime
    action_text: str
    decision: str
    escalation_level: int


class WarningsQuery(Schema):
    stage: Literal["open", "acknowledged", "reported", "closed"] | None = None


@router.get("/monitoring/warnings", response=list[WarningOut], summary="预警队列（按期限排序）")
def list_warnings(request: HttpRequest, q: Query[WarningsQuery]):
    access.require_monitoring_viewer(request.user)
    return list(queries.warning_queue(request.user, stage=q.stage)[:1000])


@router.get("/monitoring/warnings/{number}", response=WarningOut, summary="一条预警")
def get_warning(request: HttpRequest, number: str):
    access.require_monitoring_viewer(request.user)
    return access.get_warning(request.user, number)


@router.post(
    "/monitoring/warnings/{number}/acknowledge", response=WarningOut, summary="企业签收预警"
)
def acknowledge(request: HttpRequest, number: str):
    w = access.get_warning(request.user, number)
    return services.acknowledge(actor=request.user, warning=w)


class ReportIn(Input):
    action_text: str = Field(min_length=4, max_length=4000)


@router.post(
    "/monitoring/warnings/{number}/report", response=WarningOut, summary="企业报告处置情况"
)
def report(request: HttpRequest, number: str, payload: ReportIn):
    w = access.get_warning(request.user, number)
    return services.report_action(actor=request.user, warning=w, text=payload.action_text)


class WarningReviewIn(Input):
    decision: Literal["accepted", "returned"]
    note: str = Field("", max_length=2000)


@router.post(
    "/monitoring/warnings/{number}/review", response=WarningOut, summary="监管部门审核处置情况"
)
def review(request: HttpRequest, number: str, payload: WarningReviewIn):
    w = access.get_warning(request.user, number)
    return services.review(
        actor=request.user, warning=w, decision=payload.decision, note=payload.note
    )


class FactorOut(Schema):
    factor: str
    points: float
    share: float


class RankOut(Schema):
    enterprise_id: int
    name: str
    total: float
    pool_weight: float
    factors: list[FactorOut]


@router.get("/monitoring/ranking", response=list[RankOut], summary="企业风险排序（各因素占比）")
def risk_ranking(request: HttpRequest):
    access.require_staff_viewer(request.user)
    return [r.as_api() for r in ranking.ranking_for(request.user)[:500]]


class OffsiteOut(Schema):
    visit_id: int
    method: str
    material: str
    warning_number: str | None = Field(None, alias="warning.number")
    created_at: dt.datetime


@router.post(
    "/monitoring/offsite",
    response=OffsiteOut,
    summary="登记非现场检查方式（资料审查、远程视频、数据比对）",
)
def record_offsite(request: HttpRequest, payload: MonitoringOffsiteIn):
    from fairinspect.visits.access import get_visit

    visit = get_visit(request.user, payload.visit_id)
    return services.record_offsite_method(
        actor=request.user,
        visit=visit,
        method=payload.method,
        material=payload.material,
        warning_number=payload.warning_number,
    )


class DraftOut(Schema):
    log_id: int
    text: str
    source: Literal["model", "template"]
    is_draft: bool
    notice: str


@router.post(
    "/monitoring/assistant/drafts", response=DraftOut, summary="辅助起草（草稿，须人工修改确认）"
)
def request_draft(request: HttpRequest, payload: MonitoringDraftIn):
    from fairinspect.registry.access import enterprises_visible_to
    from fairinspect.visits.access import get_visit

    from . import assistant

    access.require_staff_viewer(request.user)
    enterprise = visit = None
    if payload.enterprise_id is not None:
        enterprise = enterprises_visible_to(request.user).filter(pk=payload.enterprise_id).first()
        if enterprise is None:
            raise ValidationFailed(
                "not_found", "enterprise_id: 未找到该企业，或您无权查看。", field="enterprise_id"
            )
    if payload.visit_id is not None:
        visit = get_visit(request.user, payload.visit_id)
    d = assistant.request_draft(
        actor=request.user,
        purpose=payload.purpose,
        enterprise=enterprise,
        visit=visit,
        facts=payload.facts,
    )
    return {
        "log_id": d.log_id,
        "text": d.text,
        "source": d.source,
        "is_draft": d.is_draft,
        "notice": d.notice,
    }


class ConfirmIn(Input):
    text: str = Field(min_length=1, max_length=10000)


class ConfirmOut(Schema):
    log_id: int = Field(alias="pk")
    confirmed_text: str
    confirmed_at: dt.datetime


@router.post(
    "/monitoring/assistant/drafts/{log_id}/confirm",
    response=ConfirmOut,
    summary="确认经人工修改的草稿",
)
def confirm_draft(request: HttpRequest, log_id: int, payload: ConfirmIn):
    from . import assistant

    access.require_staff_viewer(request.user)
    return assistant.confirm_draft(actor=request.user, log_id=log_id, text=payload.text)
