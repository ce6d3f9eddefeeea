"""The case's 执法文书 as .docx, in the layout and wording of the 应急管理部 执法文书式样
(应急管理行政执法文书: 立案审批表, 行政处罚告知书, 行政处罚听证告知书, 行政处罚决定书,
不予行政处罚决定书) and the 安全生产提醒告知书 the no-penalty list promises with a
no-penalty decision (rules/legal_data/no_penalty_list_2025.json, outcome.measures).

Reasoned (说理式, R7.5): facts, evidence, the provision broken, the penalty provision, the
discretion applied with its reasons, the answer to the statement and defence, the remedies
(复议六十日、诉讼六个月), the authority's seal and the date. The party is named as the law
names it: the unit's registered name, its unified social credit code, its legal
representative (or, if the registry lacks one, its main person); a person by name, with the
unit and post. Final documents state decisions, not proposals; the officer's working notes
stay on the case page. Each document type carries its own 文号 (services/numbers.py).

Layout (A4, GB/T 9704 fonts and margins) comes from core/wenshu.py only. Built from the
case each time it is downloaded, so a document always matches the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fairinspect.core.errors import Conflict
from fairinspect.core.wenshu import Wenshu, cn_date
from fairinspect.rules.discretion import Grade
from fairinspect.rules.document_numbers import TYPES

from .models import Case
from .procedure import procedure_rule
from .services import AUTHORITY, deadlines
from .services.assessment import CORRECTED_NOTE


@dataclass(frozen=True)
class Kind:
    code: str
    title: str


KINDS = {
    code: Kind(code, TYPES[code].title)
    for code in ("filing", "notice", "hearing", "decision", "no_penalty", "reminder")
}
APL = "《中华人民共和国行政处罚法》"
REVIEW_BODY = "乌鲁木齐市人民政府"
# Reasons that belong elsewhere: the hearing right (the notices), the officer's proposal, the
# provision already stated with the facts, and the no-penalty list's conditions a penalised
# case did not meet (the officer's analysis on the case page, not the decision's reasons).
NOT_IN_DECISION = {
    "legal_basis",
    "large_fine",
    "heavy_penalty",
    "no_hearing_right",
    "outside_range",
    "missing_fact",
    "outside_item_scope",
    "high_risk_excluded",
    "first_offence",
    "harm_slight",
    "corrected_in_time",
    "no_fatal_accident_3y",
    "not_dishonest",
    "no_aggravation",
}


def available(case: Case) -> list[Kind]:
    out = [KINDS["filing"]]
    assessed = bool(case.grade) and case.status not in ("pending_filing", "not_filed")
    if assessed and case.outcome == "penalty" and case.notice_number:
        out.append(KINDS["notice"])
        if case.hearing_required and case.hearing_notice_number:
            out.append(KINDS["hearing"])
    if case.decided_on:
        if case.outcome == "no_penalty":
            out.append(KINDS["no_penalty"])
            if case.reminder_number:
                out.append(KINDS["reminder"])
        else:
            out.append(KINDS["decision"])
    return out


def served_to_party(case: Case) -> list[Kind]:
    """The documents served on the party, once served: the notices after 告知, the decision
    (or the no-penalty decision with its reminder notice) after 送达. Never the internal
    立案审批表."""
    out = []
    if case.notice_served_on and case.outcome == "penalty" and case.notice_number:
        out.append(KINDS["notice"])
        if case.hearing_required and case.hearing_notice_number:
            out.append(KINDS["hearing"])
    if case.served_on and case.decided_on:
        if case.outcome == "no_penalty":
            out.append(KINDS["no_penalty"])
            if case.reminder_number:
                out.append(KINDS["reminder"])
        else:
            out.append(KINDS["decision"])
    return out


def yuan(amount: Decimal | None) -> str:
    return f"人民币{amount:,.2f}元" if amount is not None else ""


def authority_of(case: Case) -> str:
    """The bureau that handles the case (its approvers decide it)."""
    return case.department.bureau.name if case.department_id and case.department else AUTHORITY


def _you(case: Case) -> str:
    return "你单位" if case.party == "unit" else "你"


def party_name(case: Case) -> str:
    return case.enterprise.name if case.party == "unit" else case.person_name


def _representative(case: Case) -> tuple[str, str] | None:
    e = case.enterprise
    if e.legal_representative:
        return "法定代表人", e.legal_representative
    if e.main_person:
        return "主要负责人", e.main_person
    return None


def _party_block(w: Wenshu, case: Case, label: str) -> None:
    """被处罚单位/被处罚人 (or 当事人): the registered name, code, address, representative."""
    e = case.enterprise
    if case.party == "unit":
        w.field(label, e.name)
        w.field("统一社会信用代码", e.credit_code)
        w.field("住所", e.address)
        rep = _representative(case)
        if rep:
            w.field(*rep)
    else:
        w.field(label, case.person_name)
        w.field("工作单位及职务", f"{e.name}{case.person_role or ''}")
        w.field("单位地址", e.address)


_NUMERALS = "一二三四五六七八九十"


class _Sections:
    """一、二、三… headings of a reasoned decision."""

    def __init__(self, w: Wenshu) -> None:
        self.w, self.n = w, 0

    def __call__(self, text: str) -> None:
        self.w.heading(f"{_NUMERALS[self.n]}、{text}")
        self.n += 1


def _evidence(case: Case) -> str:
    items = [line.strip() for line in (case.evidence or "").splitlines() if line.strip()]
    return "、".join(items)


def _facts(w: Wenshu, case: Case) -> None:
    w.para(f"经查，{case.facts_text.strip().rstrip('。')}。")
    if _evidence(case):
        w.para(f"以上事实有{_evidence(case)}等证据为证。")
    w.para(f"{_you(case)}的上述行为违反了{case.legal_basis}的规定。")


def _reason_text(r: dict) -> str:
    return r["message"].replace(CORRECTED_NOTE, "")


def _discretion(w: Wenshu, case: Case, heading=None) -> None:
    (heading or w.heading)("裁量说理")
    grade = Grade(case.grade).label if case.grade else ""
    reasons = [r for r in case.reasons or [] if r["code"] not in NOT_IN_DECISION]
    for i, r in enumerate(reasons, 1):
        w.para(f"{i}. {_reason_text(r)}")
    if case.outcome == "penalty":
        w.para(
            f"综合上述情节，本案适用“{grade}”阶次，裁量基准建议罚款{yuan(case.fine_min)}"
            f"至{yuan(case.fine_max)}。"
        )
        if case.outside_range:
            w.para(f"罚款数额超出裁量基准建议幅度的理由：{case.outside_range_reason}")


def _penalty_content(case: Case, amount: Decimal | None) -> str:
    kinds = [k for k in case.penalty_types if k != "罚款"]
    parts = ([f"罚款{yuan(amount)}"] if amount else []) + kinds
    return "、".join(parts) or "警告"


def _remedy(w: Wenshu, case: Case, document: str) -> None:
    w.para(
        f"{_you(case)}如不服本{document}，可以在收到本{document}之日起六十日内依法向"
        f"{REVIEW_BODY}申请行政复议，或者在六个月内依法向有管辖权的人民法院提起行政诉讼。"
    )


def build(case: Case, kind_code: str) -> tuple[str, bytes]:
    kind = KINDS.get(kind_code)
    if kind is None or kind not in available(case):
        raise Conflict("document_unavailable", "本案当前阶段不能制作该文书。")
    w = {
        "filing": _filing,
        "notice": _notice,
        "hearing": _hearing,
        "decision": _decision,
        "no_penalty": _no_penalty,
        "reminder": _reminder,
    }[kind.code](case)
    return f"{kind.title}-{case.pk}.docx", w.bytes()


# ---- 立案审批表 (internal) -------------------------------------------------------------------


def _filing(case: Case) -> Wenshu:
    w = Wenshu(authority_of(case), KINDS["filing"].title, case.number)
    e = case.enterprise
    if case.party == "unit":
        rep = _representative(case)
        party = f"{e.name}（统一社会信用代码：{e.credit_code}）"
        if rep:
            party += f"，{rep[0]}：{rep[1]}"
    else:
        party = f"{case.person_name}，{e.name}{case.person_role or ''}"
    officer = case.created_by.get_full_name() or case.created_by.username
    rows = [
        ("案由", case.cause),
        ("案件来源", case.source or "执法检查发现"),
        ("当事人", party),
        ("地址", e.address),
        ("涉嫌违法行为", case.violation_title),
        ("违法条款", case.legal_basis),
        ("处罚依据", case.penalty_basis),
        ("适用程序规定", procedure_rule(case.procedure_rule).title),
        ("简要案情及立案理由", case.facts_text or f"涉嫌{case.violation_title}，需立案调查。"),
        ("承办人意见", f"建议立案调查。承办人：{officer}，{cn_date(case.created_on)}"),
        (
            "审批意见",
            f"同意立案。{cn_date(case.filed_on)}" if case.filed_on else "",
        ),
    ]
    w.table(rows)
    return w


# ---- 告知书 -----------------------------------------------------------------------------------


def _notice(case: Case) -> Wenshu:
    w = Wenshu(authority_of(case), KINDS["notice"].title, case.notice_number)
    you = _you(case)
    w.addressee(party_name(case))
    _facts(w, case)
    w.para(
        f"依据{case.penalty_basis}的规定，本机关拟对{you}作出"
        f"{_penalty_content(case, case.proposed_fine)}的行政处罚。"
    )
    _discretion(w, case)
    due = deadlines(case).get("statement")
    w.para(
        f"依据{APL}第四十四条、第四十五条的规定，{you}有权进行陈述和申辩。{you}如有异议，"
        "可以在收到本告知书之日起三个工作日内"
        + (f"（至{cn_date(due.due)}）" if due else "")
        + "向本机关提出陈述、申辩；逾期未提出的，视为放弃此权利。"
    )
    if case.hearing_required:
        w.para(
            f"本案属于依法应当告知听证权利的情形，听证权利另以《行政处罚听证告知书》"
            f"（{case.hearing_notice_number}）告知。"
        )
    w.signature(case.notice_served_on or case.filed_on or case.created_on)
    w.closing()
    return w


def _hearing(case: Case) -> Wenshu:
    w = Wenshu(authority_of(case), KINDS["hearing"].title, case.hearing_notice_number)
    you = _you(case)
    w.addressee(party_name(case))
    w.para(
        f"经查，{you}涉嫌{case.violation_title}，违反了{case.legal_basis}的规定。"
        f"依据{case.penalty_basis}的规定，本机关拟对{you}作出"
        f"{_penalty_content(case, case.proposed_fine)}的行政处罚。"
    )
    for r in case.reasons or []:
        if r["code"] in ("large_fine", "heavy_penalty"):
            w.para(r["message"])
    due = deadlines(case).get("hearing_request")
    w.para(
        f"依据{APL}第六十三条、第六十四条的规定，{you}有要求举行听证的权利。{you}如要求听证，"
        "应当在收到本告知书之日起五个工作日内"
        + (f"（至{cn_date(due.due)}）" if due else "")
        + "向本机关提出；逾期未提出的，视为放弃此权利。"
    )
    w.signature(case.notice_served_on or case.filed_on or case.created_on)
    w.closing()
    return w


# ---- 决定书 -----------------------------------------------------------------------------------


def _statement(w: Wenshu, case: Case) -> None:
    you = _you(case)
    told = (
        f"本机关于{cn_date(case.notice_served_on)}向{you}送达了《行政处罚告知书》"
        f"（{case.notice_number}），告知{you}作出行政处罚决定的事实、理由、依据及处罚内容，"
        f"以及{you}依法享有的陈述、申辩权利"
        if case.notice_served_on and case.notice_number
        else ""
    )
    if told:
        w.para(told + ("和要求听证的权利。" if case.hearing_required else "。"))
    if case.statement:
        w.para(f"{you}在法定期限内提出了陈述、申辩：{case.statement.strip().rstrip('。')}。")
        if case.statement_answer:
            w.para(f"经复核，本机关认为：{case.statement_answer.strip()}")
    elif told:
        w.para(f"{you}在法定期限内未提出陈述、申辩。")
    if case.hearing_requested and case.hearing_on:
        w.para(f"本机关于{cn_date(case.hearing_on)}依法举行了听证。")


def _decision(case: Case) -> Wenshu:
    w = Wenshu(authority_of(case), KINDS["decision"].title, case.decision_number)
    section = _Sections(w)
    you = _you(case)
    _party_block(w, case, "被处罚单位" if case.party == "unit" else "被处罚人")
    w.blank()
    section("违法事实和证据")
    _facts(w, case)
    if case.notice_served_on or case.statement:
        section("陈述、申辩及采纳情况")
        _statement(w, case)
    _discretion(w, case, section)
    section("处罚决定")
    w.para(
        f"依据{case.penalty_basis}的规定，本机关决定对{you}给予如下行政处罚："
        f"{_penalty_content(case, case.fine_amount)}。"
    )
    if case.measures:
        w.para(f"同时责令{you}" + "、".join(case.measures) + "。")
    if case.fine_amount:
        w.para(
            "罚款应当自收到本决定书之日起十五日内缴至指定银行或者通过电子支付系统缴纳。"
            f"到期不缴纳罚款的，本机关将依据{APL}第七十二条第一款第一项的规定，每日按罚款数额"
            "的百分之三加处罚款，加处罚款的数额不超出罚款的数额。"
        )
    section("救济途径")
    _remedy(w, case, "决定")
    w.para(
        f"{you}逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院"
        "强制执行。"
    )
    w.signature(case.decided_on)
    w.closing()
    return w


def _no_penalty(case: Case) -> Wenshu:
    w = Wenshu(authority_of(case), KINDS["no_penalty"].title, case.decision_number)
    section = _Sections(w)
    you = _you(case)
    _party_block(w, case, "当事人")
    w.blank()
    section("违法事实和证据")
    _facts(w, case)
    if case.notice_served_on or case.statement:
        section("陈述、申辩及采纳情况")
        _statement(w, case)
    _discretion(w, case, section)
    section("决定")
    w.para(
        f"依据{APL}第三十三条的规定，本机关决定对{you}不予行政处罚。依据同条第三款的规定，"
        f"本机关对{you}进行了批评教育"
        + (
            f"，并送达《安全生产提醒告知书》（{case.reminder_number}）"
            if case.reminder_number
            else ""
        )
        + "。"
    )
    duties = [m for m in case.measures if m not in ("批评教育",) and "提醒告知书" not in m]
    if duties:
        w.para(
            f"{you}应当"
            + "、".join(d.removeprefix("责令") for d in duties)
            + "，本机关将依法进行复查。"
        )
    section("救济途径")
    _remedy(w, case, "决定")
    w.signature(case.decided_on)
    w.closing()
    return w


def _reminder(case: Case) -> Wenshu:
    """安全生产提醒告知书: served with the no-penalty decision (the list's outcome.measures)."""
    w = Wenshu(authority_of(case), KINDS["reminder"].title, case.reminder_number)
    you = _you(case)
    w.addressee(party_name(case))
    w.para(
        f"本机关在依法调查中查明，{you}存在{case.violation_title}的行为，违反了"
        f"{case.legal_basis}的规定。鉴于该违法行为符合{APL}第三十三条规定的不予行政处罚情形，"
        f"本机关已于{cn_date(case.decided_on)}作出《不予行政处罚决定书》（{case.decision_number}），"
        f"对{you}不予行政处罚。"
    )
    w.para(f"为督促{you}落实安全生产主体责任，现提醒如下：")
    n = 1
    w.para(f"{n}. 严格遵守{case.legal_basis}的规定，杜绝{case.violation_title}的行为再次发生。")
    duties = [m for m in case.measures if m not in ("批评教育",) and "提醒告知书" not in m]
    for m in duties:
        n += 1
        w.para(f"{n}. {you}应当{m.removeprefix('责令')}。")
    n += 1
    w.para(
        f"{n}. 对照{you}的安全生产规章制度和操作规程开展自查自纠，发现问题及时整改。"
        if case.party == "unit"
        else f"{n}. 依法履行本岗位安全生产职责，督促落实各项安全生产措施。"
    )
    n += 1
    w.para(
        f"{n}. 本机关将依法对{you}的整改情况进行复查。再次发生同类违法行为的，本机关将依法查处。"
    )
    w.signature(case.decided_on)
    w.signed_by("当事人签收")
    return w


# ---- the notice before a serious-dishonesty listing (令第11号, R10.2) ---------------------------

LISTING_NOTICE_TITLE = TYPES["listing_notice"].title


def build_listing_notice(listing) -> tuple[str, bytes]:
    """The written notice to the party: the ground, the facts the decided case established,
    the basis, and the right to state and defend (or ask to be heard) within the period."""
    from fairinspect.rules.dishonesty import BASIS, GROUNDS, STATEMENT_WORKING_DAYS

    if listing.status == "proposed" or not listing.notice_served_on:
        raise Conflict("document_unavailable", "尚未送达告知书。")
    case = listing.case
    you = _you(case)
    w = Wenshu(authority_of(case), LISTING_NOTICE_TITLE, listing.notice_number)
    w.addressee(party_name(case))
    w.para(
        f"本机关于{cn_date(case.decided_on)}对{you}作出《行政处罚决定书》"
        f"（{case.decision_number}），认定{you}{case.violation_title}。"
    )
    if case.facts_text:
        w.para(f"经查，{case.facts_text.strip().rstrip('。')}。")
    ground = GROUNDS.get(listing.ground)
    w.para(
        f"依据{BASIS}，{you}属于“{ground.text if ground else listing.ground}”的情形，"
        f"本机关拟将{you}列入安全生产严重失信主体名单，管理期限为三年。"
    )
    if listing.written_basis:
        w.para(f"认定该情形的事实和证据：{listing.written_basis}")
    w.para(
        f"{you}有权进行陈述、申辩，可以要求听证。请在收到本告知书之日起"
        f"{STATEMENT_WORKING_DAYS}个工作日内（至{cn_date(listing.statement_due)}）"
        "通过企业服务页面或者书面向本机关提出；逾期未提出的，视为放弃此权利。本机关将对"
        "陈述、申辩进行复核，并由未参与建议的负责人作出决定。列入决定作出前，本事项不予公开。"
    )
    w.signature(listing.notice_served_on)
    w.closing()
    return f"{LISTING_NOTICE_TITLE}-{listing.pk}.docx", w.bytes()
