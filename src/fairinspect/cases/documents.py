"""Reasoned enforcement documents (说理式执法文书, R7.5) as .docx, in the standard layout:
the authority and the title centred, the 文号, the parties, the body (facts, evidence, legal
basis, the discretion applied with its reasons, the answer to the statement and defence),
the remedies (复议60日、诉讼6个月), then the seal and date lines.

Built from the case each time it is downloaded, so a document always matches the record.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from fairinspect.core.errors import Conflict
from fairinspect.rules.discretion import Grade

from .models import Case
from .procedure import procedure_rule
from .services import AUTHORITY, deadlines


@dataclass(frozen=True)
class Kind:
    code: str
    title: str


KINDS = {
    k.code: k
    for k in (
        Kind("filing", "立案审批表"),
        Kind("notice", "行政处罚告知书"),
        Kind("hearing", "听证告知书"),
        Kind("decision", "行政处罚决定书"),
        Kind("no_penalty", "不予行政处罚决定书"),
    )
}
REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内依法向乌鲁木齐市人民政府申请行政复议，"
    "或者在六个月内依法向有管辖权的人民法院提起行政诉讼。"
)


def available(case: Case) -> list[Kind]:
    out = [KINDS["filing"]]
    assessed = bool(case.grade) and case.status not in ("pending_filing", "not_filed")
    if assessed and case.outcome == "penalty":
        out.append(KINDS["notice"])
        if case.hearing_required:
            out.append(KINDS["hearing"])
    if case.decided_on:
        out.append(KINDS["no_penalty" if case.outcome == "no_penalty" else "decision"])
    return out


def cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def yuan(amount) -> str:
    return f"{amount:,.2f}元" if amount is not None else "—"


class _Doc:
    def __init__(self) -> None:
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
        sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
        sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
        style = self.doc.styles["Normal"]
        style.font.name, style.font.size = "FangSong", Pt(14)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    def centred(self, text: str, size: int = 22, bold: bool = True) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    def para(self, text: str, indent: bool = True) -> None:
        p = self.doc.add_paragraph(text)
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)

    def heading(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.add_run(text).bold = True

    def right(self, text: str) -> None:
        p = self.doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _header(w: _Doc, case: Case, kind: Kind) -> None:
    w.centred(AUTHORITY, size=18)
    w.centred(kind.title)
    number = case.decision_number if kind.code in ("decision", "no_penalty") else case.number
    w.centred(number or "（未编号）", size=14, bold=False)


def _parties(w: _Doc, case: Case) -> None:
    e = case.enterprise
    if case.party == "unit":
        w.para(f"当事人：{e.name}", indent=False)
        w.para(f"统一社会信用代码：{e.credit_code}", indent=False)
        w.para(f"地址：{e.address}", indent=False)
        w.para(f"主要负责人：{e.main_person or '—'}", indent=False)
    else:
        w.para(f"当事人：{case.person_name}", indent=False)
        w.para(f"工作单位及职务：{e.name}{case.person_role or '主要负责人'}", indent=False)


def _reasons(w: _Doc, case: Case) -> None:
    w.heading("裁量基准适用及理由：")
    grade = Grade(case.grade).label if case.grade else "—"
    w.para(
        f"本案裁量阶次为“{grade}”，依据裁量基准建议罚款{yuan(case.fine_min)}至{yuan(case.fine_max)}。"
    )
    for i, r in enumerate(case.reasons or [], 1):
        w.para(f"{i}. {r['message']}")
    if case.outside_range:
        w.para(f"拟处罚款超出建议幅度的理由：{case.outside_range_reason}")


def _body_facts(w: _Doc, case: Case) -> None:
    w.heading("违法事实：")
    w.para(case.facts_text or "（未填写）")
    w.heading("证据：")
    for line in (case.evidence or "（未填写）").splitlines():
        if line.strip():
            w.para(line.strip())
    w.heading("法律依据：")
    w.para(f"当事人的上述行为违反了{case.legal_basis}的规定，依据{case.penalty_basis}，应予处理。")


def _signature(w: _Doc, day) -> None:
    w.doc.add_paragraph()
    w.right(f"{AUTHORITY}（印章）")
    w.right(cn(day))


def build(case: Case, kind_code: str) -> tuple[str, bytes]:
    kind = KINDS.get(kind_code)
    if kind is None or kind not in available(case):
        raise Conflict("document_unavailable", "本案当前阶段不能制作该文书。")
    w = _Doc()
    _header(w, case, kind)
    if kind.code == "filing":
        _filing(w, case)
    elif kind.code == "notice":
        _notice(w, case)
    elif kind.code == "hearing":
        _hearing(w, case)
    elif kind.code == "decision":
        _decision(w, case)
    else:
        _no_penalty(w, case)
    return f"{kind.title}-{case.pk}.docx", w.bytes()


def _filing(w: _Doc, case: Case) -> None:
    _parties(w, case)
    rule = procedure_rule(case.procedure_rule)
    rows = [
        ("案由", case.cause),
        ("案件来源", case.source or "执法检查发现"),
        ("涉嫌违法行为", case.violation_title),
        ("违法条款", case.legal_basis),
        ("处罚依据", case.penalty_basis),
        ("适用程序规定", rule.title),
        ("承办人", case.created_by.get_full_name() or case.created_by.username),
        ("登记日期", cn(case.created_on)),
        ("立案日期", cn(case.filed_on)),
    ]
    table = w.doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (k, v) in enumerate(rows):
        table.cell(i, 0).text, table.cell(i, 1).text = k, v
    w.heading("简要案情：")
    w.para(case.facts_text or "（待调查）")
    w.heading("审批意见：")
    w.para("同意立案。" if case.filed_on else "（待单位负责人审批）")
    _signature(w, case.filed_on)


def _notice(w: _Doc, case: Case) -> None:
    _parties(w, case)
    w.para(
        f"经调查，本机关认为你{'单位' if case.party == 'unit' else ''}涉嫌{case.violation_title}。"
    )
    _body_facts(w, case)
    _reasons(w, case)
    w.heading("拟作出的行政处罚：")
    w.para(f"{'、'.join(case.penalty_types) or '罚款'}，罚款{yuan(case.proposed_fine)}。")
    w.heading("当事人的权利：")
    due = deadlines(case).get("statement")
    w.para(
        "依据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你"
        f"{'单位' if case.party == 'unit' else ''}有权进行陈述和申辩，可在收到本告知书之日起"
        "三个工作日内向本机关提出" + (f"（至{cn(due.due)}）" if due else "") + "，逾期视为放弃。"
    )
    if case.hearing_required:
        w.para("本案拟作出的处罚属于应当告知听证权利的情形，另附《听证告知书》。")
    _signature(w, case.notice_served_on)


def _hearing(w: _Doc, case: Case) -> None:
    _parties(w, case)
    w.para(
        f"本机关拟对你{'单位' if case.party == 'unit' else ''}作出"
        f"{'、'.join(case.penalty_types) or '罚款'}（罚款{yuan(case.proposed_fine)}）的行政处罚。"
    )
    for r in case.reasons or []:
        if r["code"] in ("large_fine", "heavy_penalty"):
            w.para(r["message"])
    due = deadlines(case).get("hearing_request")
    w.para(
        "依据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你"
        f"{'单位' if case.party == 'unit' else ''}有要求举行听证的权利。如要求听证，应当在"
        "收到本告知书之日起五个工作日内向本机关提出"
        + (f"（至{cn(due.due)}）" if due else "")
        + "；逾期未提出的，视为放弃听证权利。"
    )
    _signature(w, case.notice_served_on)


def _statement(w: _Doc, case: Case) -> None:
    w.heading("当事人陈述申辩及采纳情况：")
    w.para(case.statement or "当事人在法定期限内未提出陈述、申辩。")
    if case.statement_answer:
        w.para(f"本机关意见：{case.statement_answer}")


def _decision(w: _Doc, case: Case) -> None:
    _parties(w, case)
    _body_facts(w, case)
    _statement(w, case)
    _reasons(w, case)
    w.heading("处罚决定：")
    w.para(
        f"依据{case.penalty_basis}的规定，本机关决定给予"
        f"{'、'.join(case.penalty_types) or '罚款'}的行政处罚，罚款{yuan(case.fine_amount)}。"
        + ("并" + "、".join(case.measures) + "。" if case.measures else "")
    )
    w.para(
        "罚款应当自收到本决定书之日起十五日内缴至指定银行。到期不缴纳罚款的，依据《中华人民共和国"
        "行政处罚法》第七十二条第一款第一项的规定，每日按罚款数额的百分之三加处罚款，加处罚款的"
        "数额不超出罚款的数额。"
    )
    w.heading("救济途径：")
    w.para(REMEDY)
    _signature(w, case.decided_on)


def _no_penalty(w: _Doc, case: Case) -> None:
    _parties(w, case)
    _body_facts(w, case)
    _statement(w, case)
    _reasons(w, case)
    w.heading("决定：")
    w.para(
        "依据《中华人民共和国行政处罚法》第三十三条的规定，本机关决定对你"
        f"{'单位' if case.party == 'unit' else ''}不予行政处罚。"
    )
    w.heading("教育：")
    w.para(case.education_note or "批评教育。")
    if case.measures:
        w.para(
            "你"
            + ("单位" if case.party == "unit" else "")
            + "应当"
            + "、".join(case.measures)
            + "，本机关将依法复查。"
        )
    w.heading("救济途径：")
    w.para(REMEDY)
    _signature(w, case.decided_on)


def served_to_party(case: Case) -> list[Kind]:
    """The documents served on the party, once served: the notices after 告知, the decision
    (or no-penalty decision) after 送达. Never the internal 立案审批表."""
    out = []
    if case.notice_served_on and case.outcome == "penalty" and case.grade:
        out.append(KINDS["notice"])
        if case.hearing_required:
            out.append(KINDS["hearing"])
    if case.served_on and case.decided_on:
        out.append(KINDS["no_penalty" if case.outcome == "no_penalty" else "decision"])
    return out


# ---- the notice before a serious-dishonesty listing (令第11号, R10.2) ---------------------------

LISTING_NOTICE_TITLE = "列入安全生产严重失信主体名单告知书"


def build_listing_notice(listing) -> tuple[str, bytes]:
    """The written notice to the party: the ground, the facts the decided case established,
    the basis, and the right to state and defend (or ask to be heard) within the period."""
    from fairinspect.rules.dishonesty import BASIS, GROUNDS, STATEMENT_WORKING_DAYS

    if listing.status == "proposed" or not listing.notice_served_on:
        raise Conflict("document_unavailable", "尚未送达告知书。")
    case = listing.case
    w = _Doc()
    w.centred(AUTHORITY, size=18)
    w.centred(LISTING_NOTICE_TITLE)
    w.centred(listing.notice_number or "（未编号）", size=14, bold=False)
    _parties(w, case)
    w.para(
        f"本机关于{cn(case.decided_on)}对你{'单位' if case.party == 'unit' else ''}作出"
        f"《行政处罚决定书》（{case.decision_number}），认定：{case.violation_title}。"
    )
    w.heading("认定的违法事实：")
    w.para(case.facts_text or "（见行政处罚决定书）")
    w.heading("拟列入的情形和依据：")
    ground = GROUNDS.get(listing.ground)
    w.para(
        f"依据{BASIS}，你{'单位' if case.party == 'unit' else ''}属于"
        f"“{ground.text if ground else listing.ground}”的情形，本机关拟将你"
        f"{'单位' if case.party == 'unit' else ''}列入安全生产严重失信主体名单，管理期限三年。"
    )
    if listing.written_basis:
        w.para(f"认定该情形的事实和证据：{listing.written_basis}")
    w.heading("当事人的权利：")
    w.para(
        f"你{'单位' if case.party == 'unit' else ''}有权进行陈述、申辩，可以要求听证，"
        f"请在收到本告知书之日起{STATEMENT_WORKING_DAYS}个工作日内（至{cn(listing.statement_due)}）"
        "通过企业服务页面或书面向本机关提出；逾期未提出的，视为放弃。本机关将对陈述、申辩"
        "进行复核，并由未参与建议的负责人作出决定。列入决定作出前，本事项不予公开。"
    )
    _signature(w, listing.notice_served_on)
    return f"{LISTING_NOTICE_TITLE}-{listing.pk}.docx", w.bytes()
