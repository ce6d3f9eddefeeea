"""The visit's documents as .docx in the standard layouts (A4, title centred, 文号, parties,
facts, signature lines): 现场检查方案, 现场检查记录, 责令限期整改指令书, 整改复查意见书."""

from __future__ import annotations

import io

from django.utils import translation
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from fairinspect.registry.queries import district_names

from .models import Finding, Hazard, RectificationOrder, Visit

BUREAU = "乌鲁木齐市应急管理局"


def _cn(d) -> str:
    if d is None:
        return "    年  月  日"
    if hasattr(d, "hour"):
        from django.utils import timezone

        d = timezone.localtime(d)
        return f"{d.year}年{d.month}月{d.day}日{d.hour}时{d.minute:02d}分"
    return f"{d.year}年{d.month}月{d.day}日"


def _doc(title: str, number: str, issuer: str = BUREAU) -> DocxDocument:
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin = sec.bottom_margin = Cm(3.7 - 1.2)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(issuer)
    run.font.size = Pt(16)
    t = doc.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = t.add_run(title)
    run.bold = True
    run.font.size = Pt(22)
    run.font.name = "SimSun"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    if number:
        n = doc.add_paragraph()
        n.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        n.add_run(number)
    return doc


def _line(doc, label: str, value: str) -> None:
    p = doc.add_paragraph()
    r = p.add_run(f"{label}：")
    r.bold = True
    p.add_run(value or "")


def _signatures(doc, *who: str) -> None:
    doc.add_paragraph()
    for w in who:
        doc.add_paragraph(f"{w}（签名）：____________    日期：______年____月____日")


def _bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _parties(doc, visit: Visit) -> None:
    e = visit.enterprise
    _line(doc, "被检查单位", e.name)
    _line(doc, "统一社会信用代码", e.credit_code)
    _line(doc, "地址", e.address)
    _line(doc, "所在区县", district_names().get(e.district_code, e.district_code))
    _line(doc, "主要负责人", e.main_person)


def _team(visit: Visit) -> str:
    return "、".join(
        f"{m.officer.name}（执法证号：{m.certificate_number or '—'}）"
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
            f"（{_cn(visit.justification_date)}）：{visit.justification_summary}",
        )
    _line(doc, "检查单位", visit.department.name)
    _line(doc, "计划检查日期", _cn(visit.planned_date))
    _line(doc, "执法人员", _team(visit))
    doc.add_paragraph().add_run("一、检查事项和内容").bold = True
    for n, it in enumerate(plan.items, 1):
        doc.add_paragraph(f"{n}. {it['code']} {it['name']}")
        for c in it.get("content") or []:
            doc.add_paragraph(f"    · {c}")
        if it.get("offsite_insufficient_reason"):
            doc.add_paragraph(f"    须现场检查的理由：{it['offsite_insufficient_reason']}")
    doc.add_paragraph().add_run("二、检查重点").bold = True
    doc.add_paragraph(plan.key_points)
    doc.add_paragraph().add_run("三、检查方式方法").bold = True
    doc.add_paragraph(plan.methods)
    doc.add_paragraph().add_run("四、检查步骤").bold = True
    doc.add_paragraph(plan.steps)
    approver = plan.approved_by.get_full_name() if plan.approved_by else ""
    _line(doc, "审批意见", f"同意（{approver}，{_cn(plan.approved_at)}）" if approver else "")
    _signatures(doc, "承办人", "审批人")
    return _bytes(doc)


def record_docx(visit: Visit) -> bytes:
    doc = _doc("现场检查记录", visit.record_number)
    _parties(doc, visit)
    _line(doc, "检查时间", f"{_cn(visit.checked_in_at)}至{_cn(visit.checked_out_at)}")
    _line(doc, "检查场所", visit.enterprise.address)
    _line(doc, "执法人员", _team(visit))
    doc.add_paragraph(
        "我们是乌鲁木齐市应急管理局执法人员，已出示执法证件。现依法对你单位进行现场检查，"
        "请予配合。你单位有权进行陈述和申辩；认为执法人员与本案有利害关系的，有权申请回避。"
    )
    doc.add_paragraph().add_run("检查情况：").bold = True
    for f in Finding.objects.filter(visit=visit).select_related("item"):
        doc.add_paragraph(
            f"{f.item.code} {f.item.name}：{f.get_result_display()}"
            + (f"。{f.notes}" if f.notes else "")
        )
    for h in Hazard.objects.filter(visit=visit):
        doc.add_paragraph(
            f"发现{h.get_level_display()}：{h.description}" + (f"（{h.place}）" if h.place else "")
        )
    if visit.summary:
        doc.add_paragraph(visit.summary)
    if visit.missing_recording:
        doc.add_paragraph("备注：本次检查未上传执法记录。")
    _signatures(doc, "被检查单位现场负责人", "执法人员", "执法人员")
    return _bytes(doc)


def order_docx(order: RectificationOrder) -> bytes:
    visit = order.visit
    doc = _doc("责令限期整改指令书", order.number)
    doc.add_paragraph(f"{order.enterprise.name}：")
    doc.add_paragraph(
        f"经查，你单位存在下列问题（{_cn(visit.checked_in_at or order.issued_on)}现场检查发现）："
    )
    for n, h in enumerate(order.hazards.all(), 1):
        doc.add_paragraph(
            f"{n}. {h.description}"
            + (f"（{h.place}）" if h.place else "")
            + f"，属{h.get_level_display()}。"
        )
    doc.add_paragraph(
        f"依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现责令你单位于"
        f"{_cn(order.deadline)}前整改完毕，达到有关法律法规规章和标准规定的要求。"
        "由于不能立即消除事故隐患，在整改完成前须采取有效措施确保安全。"
    )
    if order.requirements:
        doc.add_paragraph(f"整改要求：{order.requirements}")
    doc.add_paragraph(
        "如果不服本指令，可以依法在六十日内向乌鲁木齐市人民政府申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼，但本指令不停止执行。"
    )
    _line(doc, "执法人员", _team(visit))
    _signatures(doc, "被检查单位负责人", "执法人员")
    p = doc.add_paragraph(f"{BUREAU}（印章）\n{_cn(order.issued_on)}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _bytes(doc)


def review_docx(visit: Visit) -> bytes:
    order = visit.follow_up_order
    assert order is not None, "a review answers the order the follow-up checks"
    doc = _doc("整改复查意见书", visit.review_number)
    doc.add_paragraph(f"{visit.enterprise.name}：")
    doc.add_paragraph(
        f"本局于{_cn(order.issued_on)}作出的《责令限期整改指令书》（{order.number}），"
        f"责令你单位于{_cn(order.deadline)}前整改完毕。经{_cn(visit.checked_in_at)}复查，"
        f"复查意见如下："
    )
    doc.add_paragraph(f"{visit.get_follow_up_result_display()}。{visit.follow_up_notes}")
    _line(doc, "执法人员", _team(visit))
    _signatures(doc, "被复查单位负责人", "执法人员")
    p = doc.add_paragraph(f"{BUREAU}（印章）\n{_cn(visit.checked_out_at or visit.updated_at)}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _bytes(doc)


def guidance_docx(visit: Visit) -> bytes:
    """安全生产合规指导告知书 (R2.4): what the officers explained, with each entry's legal
    basis, requirement and self-check points, for the enterprise to keep and use."""
    from fairinspect.catalog.models import Audience

    given = list(visit.guidance_given.select_related("entry").order_by("entry__code"))
    doc = _doc("安全生产合规指导告知书", "")
    doc.add_paragraph(f"{visit.enterprise.name}：")
    with translation.override("zh-hans"):  # a 文书 is Chinese whatever the reader's UI
        audiences = "、".join(str(Audience(a).label) for a in (given[0].audiences if given else []))
    doc.add_paragraph(
        f"{_cn(visit.checked_in_at)}，本局执法人员在对你单位进行现场检查时，"
        f"依照“谁执法谁普法”的要求，向你单位{audiences}讲解了下列安全生产合规要求。"
        "请对照自查要点开展自查自纠，落实全员安全生产责任制。"
    )
    for n, g in enumerate(given, 1):
        e = g.entry
        p = doc.add_paragraph()
        p.add_run(f"{n}. {e.name}").bold = True
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
    doc.add_paragraph(
        "本告知书为普法指导材料，不是行政处罚或行政强制决定。完整的企业行政合规指导清单可在"
        "本局网站“合规指导清单”栏目查阅。"
    )
    _signatures(doc, "执法人员", "执法人员", "被检查单位签收人")
    return _bytes(doc)
