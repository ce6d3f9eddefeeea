"""The visit's 执法文书 as .docx in the 应急管理部 式样 (A4, GB/T 9704 fonts and margins from
core/wenshu.py): 现场检查方案, 现场检查记录, 责令限期整改指令书, 整改复查意见书, and the
安全生产合规指导告知书. The party is the unit under its registered name and code; the
officers' working notes (e.g. a missing recording) stay on the visit page."""

from __future__ import annotations

from django.utils import translation

from fairinspect.core.wenshu import Wenshu, cn_date, cn_time
from fairinspect.registry.queries import district_names

from .models import Finding, Hazard, RectificationOrder, Visit

BUREAU = "乌鲁木齐市应急管理局"


def _cn(d) -> str:
    return cn_time(d) if hasattr(d, "hour") else cn_date(d)


def _doc(title: str, number: str, issuer: str = BUREAU) -> Wenshu:
    return Wenshu(issuer, title, number)


def _line(doc: Wenshu, label: str, value: str) -> None:
    if value:
        doc.field(label, value)


def _bytes(doc: Wenshu) -> bytes:
    return doc.bytes()


def _parties(doc: Wenshu, visit: Visit) -> None:
    e = visit.enterprise
    _line(doc, "被检查单位", e.name)
    _line(doc, "统一社会信用代码", e.credit_code)
    _line(doc, "地址", e.address)
    _line(doc, "所在区县", district_names().get(e.district_code, e.district_code))
    if e.legal_representative:
        _line(doc, "法定代表人", e.legal_representative)
    _line(doc, "主要负责人", e.main_person)


def _team(visit: Visit) -> str:
    return "、".join(
        f"{m.officer.name}（执法证号：{m.certificate_number}）"
        if m.certificate_number
        else m.officer.name
        for m in visit.team.select_related("officer")
    )


def plan_docx(visit: Visit) -> bytes:
    plan = visit.plan
    doc = _doc("现场检查方案", plan.number)
    _parties(doc, visit)
    _line(doc, "检查来源", visit.get_trigger_display())
    if visit.justification_reference:
        _line(
            doc,
            "检查依据材料",
            f"{visit.get_justification_kind_display()} {visit.justification_reference}"
            f"（{_cn(visit.justification_date)}）：{visit.justification_summary}"
            if visit.justification_date
            else f"{visit.get_justification_kind_display()} {visit.justification_reference}："
            f"{visit.justification_summary}",
        )
    _line(doc, "检查单位", visit.department.name)
    _line(doc, "计划检查日期", _cn(visit.planned_date))
    _line(doc, "执法人员", _team(visit))
    doc.heading("一、检查事项和内容")
    for n, it in enumerate(plan.items, 1):
        doc.para(f"{n}. {it['code']} {it['name']}")
        for c in it.get("content") or []:
            doc.para(f"（{c}）" if not c.startswith("（") else c)
        if it.get("offsite_insufficient_reason"):
            doc.para(f"须现场检查的理由：{it['offsite_insufficient_reason']}")
    doc.heading("二、检查重点")
    doc.para(plan.key_points)
    doc.heading("三、检查方式方法")
    doc.para(plan.methods)
    doc.heading("四、检查步骤")
    doc.para(plan.steps)
    if plan.approved_by:
        approver = plan.approved_by.get_full_name() or plan.approved_by.username
        doc.heading("五、审批意见")
        doc.para(f"同意。审批人：{approver}，{_cn(plan.approved_at)}")
    doc.signed_by("承办人", "审批人")
    return _bytes(doc)


def record_docx(visit: Visit) -> bytes:
    doc = _doc("现场检查记录", visit.record_number)
    _parties(doc, visit)
    if visit.checked_in_at:
        _line(
            doc,
            "检查时间",
            f"{_cn(visit.checked_in_at)}至{_cn(visit.checked_out_at)}"
            if visit.checked_out_at
            else _cn(visit.checked_in_at) + "起",
        )
    _line(doc, "检查场所", visit.enterprise.address)
    _line(doc, "执法人员", _team(visit))
    doc.para(
        f"我们是{BUREAU}执法人员，已出示执法证件。现依法对你单位进行现场检查，请予配合。"
        "你单位有权进行陈述和申辩；认为执法人员与你单位有直接利害关系的，有权申请回避。"
    )
    doc.heading("检查情况")
    for f in Finding.objects.filter(visit=visit).select_related("item"):
        doc.para(
            f"{f.item.code} {f.item.name}：{f.get_result_display()}"
            + (f"。{f.notes.strip().rstrip('。')}" if f.notes else "")
            + "。"
        )
    for h in Hazard.objects.filter(visit=visit):
        doc.para(
            f"发现{h.get_level_display()}：{h.description.strip().rstrip('。')}"
            + (f"（{h.place}）" if h.place else "")
            + "。"
        )
    if visit.summary:
        doc.para(visit.summary)
    doc.para("以上记录经被检查单位现场负责人核对无误。")
    doc.signed_by("被检查单位现场负责人", "执法人员", "执法人员")
    return _bytes(doc)


def order_docx(order: RectificationOrder) -> bytes:
    visit = order.visit
    doc = _doc("责令限期整改指令书", order.number)
    doc.addressee(order.enterprise.name)
    doc.para(
        f"经查，你单位存在下列问题（{_cn(visit.checked_in_at or order.issued_on)}现场检查发现）："
    )
    for n, h in enumerate(order.hazards.all(), 1):
        doc.para(
            f"{n}. {h.description.strip().rstrip('。')}"
            + (f"（{h.place}）" if h.place else "")
            + f"，属{h.get_level_display()}。"
        )
    doc.para(
        "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现责令你单位于"
        f"{_cn(order.deadline)}前整改完毕，达到有关法律法规规章和标准规定的要求。"
        "在整改完成前，你单位应当采取有效措施确保安全。"
    )
    if order.requirements:
        doc.para(f"整改要求：{order.requirements}")
    doc.para(
        "如果不服本指令，可以依法在六十日内向乌鲁木齐市人民政府申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼，但本指令不停止执行。"
    )
    _line(doc, "执法人员", _team(visit))
    doc.signed_by("被检查单位负责人", "执法人员")
    doc.signature(order.issued_on)
    doc.closing()
    return _bytes(doc)


def review_docx(visit: Visit) -> bytes:
    order = visit.follow_up_order
    assert order is not None, "a review answers the order the follow-up checks"
    doc = _doc("整改复查意见书", visit.review_number)
    doc.addressee(visit.enterprise.name)
    doc.para(
        f"本局于{_cn(order.issued_on)}作出的《责令限期整改指令书》（{order.number}），"
        f"责令你单位于{_cn(order.deadline)}前整改完毕。"
        + (f"经{_cn(visit.checked_in_at)}复查，" if visit.checked_in_at else "经复查，")
        + "复查意见如下："
    )
    notes = (visit.follow_up_notes or "").strip().rstrip("。")
    doc.para(f"{visit.get_follow_up_result_display()}。" + (f"{notes}。" if notes else ""))
    _line(doc, "执法人员", _team(visit))
    doc.signed_by("被复查单位负责人", "执法人员")
    doc.signature(visit.checked_out_at or visit.updated_at)
    doc.closing()
    return _bytes(doc)


def guidance_docx(visit: Visit) -> bytes:
    """安全生产合规指导告知书 (R2.4): what the officers explained, with each entry's legal
    basis, requirement and self-check points, for the enterprise to keep and use."""
    from fairinspect.catalog.models import Audience

    given = list(visit.guidance_given.select_related("entry").order_by("entry__code"))
    doc = _doc("安全生产合规指导告知书", "")
    doc.addressee(visit.enterprise.name)
    with translation.override("zh-hans"):  # a 文书 is Chinese whatever the reader's UI
        audiences = "、".join(str(Audience(a).label) for a in (given[0].audiences if given else []))
    when = _cn(visit.checked_in_at) + "，" if visit.checked_in_at else ""
    doc.para(
        f"{when}本局执法人员在对你单位进行现场检查时，依照“谁执法谁普法”的要求，"
        f"向你单位{audiences}讲解了下列安全生产合规要求。"
        "请对照自查要点开展自查自纠，落实全员安全生产责任制。"
    )
    for n, g in enumerate(given, 1):
        e = g.entry
        doc.heading(f"{n}. {e.name}")
        basis = "；".join(
            f"《{b['law']}》第{b['article']}条" + (f"第{b['clause']}款" if b.get("clause") else "")
            for b in e.legal_basis
        )
        _line(doc, "法律依据", basis)
        _line(doc, "合规要求", e.requirement)
        if e.common_violations:
            _line(doc, "常见违法情形", "；".join(e.common_violations))
        if e.self_check_points:
            _line(doc, "自查要点", "；".join(e.self_check_points))
    doc.para(
        "本告知书为普法指导材料，不是行政处罚或者行政强制决定。完整的企业行政合规指导清单可在"
        "本局网站“合规指导清单”栏目查阅。"
    )
    doc.signed_by("执法人员", "执法人员", "被检查单位签收人")
    doc.signature(visit.checked_out_at or visit.checked_in_at or visit.updated_at)
    return _bytes(doc)
