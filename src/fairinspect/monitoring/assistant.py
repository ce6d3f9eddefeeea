"""The assistant (R4.4, the seed's “deepseek+应急管理”): optional and advisory.

It drafts a visit summary, a plan's key points from the enterprise's history, the reasoning
paragraph of a document, or a digest of warnings — through an OpenAI-compatible
`/chat/completions` endpoint the bureau configures (`ASSISTANT_BASE_URL`, `ASSISTANT_API_KEY`,
`ASSISTANT_MODEL`; DeepSeek's API and on-premise servers speak this protocol). It is off by
default: without an endpoint, or when the endpoint fails, the draft is built from a template
over the same records, so the system works fully without it.

Every draft is marked as a draft and enters no record by itself: a person edits it and
confirms it (`confirm_draft`), and only the confirmed text may be saved into a record. Every
prompt and answer is logged (`AssistantLog`), with the person who asked and who confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.registry.access import is_staff

from .models import AssistantLog, EarlyWarning

DRAFT_NOTICE = "【草稿·由辅助工具生成，须经人工修改确认后方可使用】"
SYSTEM_PROMPT = (
    "你是应急管理局执法人员的写作助手。只依据用户给出的记录写作，不编造事实、数字或法条；"
    "记录不足时写明“记录未载明”。用简体中文，语气客观。你的输出只是草稿，由执法人员修改确认。"
)
PURPOSE_PROMPTS = {
    AssistantLog.Purpose.VISIT_SUMMARY: "请根据以下检查记录，起草一段“检查情况”摘要（200字以内）：",
    AssistantLog.Purpose.PLAN_POINTS: "请根据以下企业历史记录，列出本次检查方案的重点（不超过5条）：",
    AssistantLog.Purpose.REASONING: "请根据以下事实与依据，起草执法文书中的说理段落（300字以内）：",
    AssistantLog.Purpose.WARNING_DIGEST: "请根据以下监测预警记录，写一段预警情况摘要（200字以内）：",
}


@dataclass(frozen=True)
class Draft:
    log_id: int
    text: str
    source: str  # "model" or "template"
    is_draft: bool = True
    notice: str = DRAFT_NOTICE


def enabled() -> bool:
    return bool(settings.ASSISTANT_BASE_URL)


def facts_for(purpose: str, *, enterprise=None, visit=None, facts: str = "") -> list[str]:
    """The records a draft is written from, as lines (the same for the model and the template)."""
    lines: list[str] = []
    if enterprise is not None:
        lines.append(
            f"企业：{enterprise.name}（风险等级 {enterprise.get_risk_level_display()}，信用 {enterprise.credit_level}）"
        )
        if purpose in (AssistantLog.Purpose.WARNING_DIGEST, AssistantLog.Purpose.PLAN_POINTS):
            for w in (
                EarlyWarning.objects.filter(enterprise=enterprise)
                .select_related("point")
                .order_by("-started_at")[:10]
            ):
                lines.append(
                    f"预警 {w.number}：{w.get_grade_display()}，{w.point.code} {w.point.name}，{w.message}，"
                    f"{timezone.localtime(w.started_at):%Y-%m-%d %H:%M}，{w.get_stage_display()}"
                )
        if purpose == AssistantLog.Purpose.PLAN_POINTS:
            for h in enterprise.hazards.order_by("-created_at")[:10]:
                lines.append(
                    f"隐患：{h.get_level_display()}，{h.description[:80]}，{h.get_status_display()}"
                )
    if visit is not None:
        lines.append(
            f"检查：{visit.planned_date:%Y-%m-%d} {visit.get_kind_display()}（{visit.get_trigger_display()}）"
        )
        for f in visit.findings.select_related("item").all()[:30]:
            lines.append(
                f"检查事项 {f.item.code} {f.item.name}：{f.get_result_display()} {f.notes[:80]}"
            )
        for h in visit.hazards.all()[:20]:
            lines.append(f"隐患：{h.get_level_display()}，{h.description[:80]}")
    if facts.strip():
        lines.append(f"补充事实：{facts.strip()[:2000]}")
    return lines


def _template(purpose: str, lines: list[str]) -> str:
    head = {
        AssistantLog.Purpose.VISIT_SUMMARY: "检查情况：",
        AssistantLog.Purpose.PLAN_POINTS: "检查重点：",
        AssistantLog.Purpose.REASONING: "经查：",
        AssistantLog.Purpose.WARNING_DIGEST: "预警情况：",
    }[AssistantLog.Purpose(purpose)]
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1)) or "（记录未载明）"
    return f"{head}\n{body}"


def _ask_model(prompt: str) -> str:
    url = settings.ASSISTANT_BASE_URL.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.ASSISTANT_API_KEY:
        headers["Authorization"] = f"Bearer {settings.ASSISTANT_API_KEY}"
    r = httpx.post(
        url,
        json={
            "model": settings.ASSISTANT_MODEL,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0.2,
            "stream": False,
        },
        headers=headers,
        timeout=settings.ASSISTANT_TIMEOUT,
    )
    r.raise_for_status()
    text = r.json()["choices"][0]["message"]["content"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty answer")
    return text.strip()


def request_draft(*, actor, purpose: str, enterprise=None, visit=None, facts: str = "") -> Draft:
    if not is_staff(actor):
        raise Forbidden("只有监管部门工作人员可以使用辅助起草。")
    if purpose not in AssistantLog.Purpose.values:
        raise ValidationFailed("invalid", "purpose: 取值不在允许范围内", field="purpose")
    lines = facts_for(purpose, enterprise=enterprise, visit=visit, facts=facts)
    prompt = PURPOSE_PROMPTS[AssistantLog.Purpose(purpose)] + "\n" + "\n".join(lines)
    log = AssistantLog(
        purpose=purpose,
        enterprise=enterprise or (visit.enterprise if visit is not None else None),
        requested_by=actor,
        prompt=prompt,
        model_name=settings.ASSISTANT_MODEL if enabled() else "",
        endpoint=settings.ASSISTANT_BASE_URL if enabled() else "",
    )
    source = "template"
    text = _template(purpose, lines)
    if enabled():
        try:
            text = _ask_model(prompt)
            source = "model"
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.error = f"{type(exc).__name__}: {exc}"[:300]
    log.answer = text
    log.save()
    return Draft(log.pk, text, source)


def _normalise(text: str) -> str:
    """The text as a person wrote it, whatever the browser did to it: a form posts a
    textarea's line breaks as CRLF, so an untouched draft must still compare equal."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def confirm_draft(*, actor, log_id: int, text: str) -> AssistantLog:
    """A person takes the draft as their own: edited, then confirmed. An unchanged draft is
    refused, so no generated text enters a record without a person's edit."""
    text = _normalise(text or "")
    with transaction.atomic():
        log = AssistantLog.objects.select_for_update().filter(pk=log_id).first()
        if log is None or log.requested_by_id != actor.pk:
            raise Forbidden("只能确认本人请求的草稿。")
        if log.confirmed_at is not None:
            raise Conflict("already_confirmed", "该草稿已确认。")
        if not text:
            raise ValidationFailed("invalid", "text: 请填写确认后的文字。", field="text")
        if text == _normalise(log.answer):
            raise ValidationFailed(
                "draft_unedited", "text: 草稿须经人工修改后才能确认使用。", field="text"
            )
        log.confirmed_text = text[:10000]
        log.confirmed_by = actor
        log.confirmed_at = timezone.now()
        log.save(update_fields=["confirmed_text", "confirmed_by", "confirmed_at"])
        trail.record(
            actor=actor,
            action="monitoring.assistant_confirmed",
            obj=log,
            summary=f"确认辅助起草的{log.get_purpose_display()}（经人工修改）",
            data={"source": "model" if log.endpoint and not log.error else "template"},
        )
    return log
