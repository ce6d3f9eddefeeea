"""Every 执法文书 the system produces, rendered with LibreOffice to PDF (R6.4, R7.5; issue 12
item 5): A4, the page count expected of it, and nothing left that reads like system output
(placeholders, "本企业" for the party, draft wording "拟…" in a final document).

LibreOffice (`soffice`) and poppler (`pdfinfo`, `pdftotext`) are installed by
scripts/prepare_test.py; without them the test is skipped, saying so.
Set FAIRINSPECT_KEEP_DOCS=DIR to keep the .docx and .pdf files (to look at them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from fairinspect.cases import documents as case_docs
from fairinspect.visits import documents as visit_docs
from fairinspect.visits import services as visit_services

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_office = pytest.mark.skipif(
    not (SOFFICE and POPPLER),
    reason="LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext) are not installed: "
    "run scripts/prepare_test.py documents, or "
    "`apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils`",
)

PLACEHOLDERS = ("{{", "}}", "XXX", "TODO", "本企业", "None", "（未填写）", "（未编号）", "（待")
# The notices tell the party what the authority *intends* (行政处罚法第四十四条: 拟作出的
# 行政处罚内容): there, and only in those phrases, 拟 is the law's own word.
NOTICES = {"行政处罚告知书", "行政处罚听证告知书", "列入安全生产严重失信主体名单告知书"}
STATUTORY_DRAFT = ("本机关拟对", "本机关拟将", "拟作出", "拟对生产经营单位", "拟对个人")
# The officers' working notes stay on the visit page (visits/documents.py): the record once
# printed "备注：本次检查未上传执法记录" for a visit without a recording (the fixture's visit has
# none, so this would show it again).
INTERNAL_NOTES = ("未上传执法记录", "备注：")


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def render(data: bytes, name: str, folder: Path) -> tuple[int, str, str]:
    """(pages, page size, text) of the PDF LibreOffice makes of the .docx."""
    src = folder / f"{name}.docx"
    src.write_bytes(data)
    profile = folder / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = folder / f"{name}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", info.stdout, re.M).group(1)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, size, text


def check(title: str, data: bytes, text: str) -> None:
    for bad in PLACEHOLDERS:
        assert bad not in text, f"{title}: “{bad}” left in the document"
    for note in INTERNAL_NOTES:
        assert note not in text, f"{title}: an internal note “{note}” in the document"
    rest = text
    if title in NOTICES:
        for phrase in STATUTORY_DRAFT:
            rest = rest.replace(phrase, "")
    assert "拟" not in rest, (
        f"{title}: draft wording in a final document: {rest[rest.find('拟') - 20 : rest.find('拟') + 20]}"
    )


@pytest.fixture
def all_documents(
    new_case, walk, npl, ent, listed, low_risk_ent, started_visit, team, approver_user
):
    """(title, bytes, expected pages) of every document type, each from a record in the
    state that produces it."""
    from fairinspect.catalog import guidance as guidance_list

    out = []
    ent.legal_representative = "周立新"
    ent.save(update_fields=["legal_representative"])
    # The penalty path: a large fine (notice, hearing notice, decision), then the listing.
    case = walk(
        new_case(),
        "serve",
        facts={"harm": "serious", "staff_affected_share": "0.5"},
        proposed_fine="80000",
    )
    for kind in ("filing", "notice", "hearing", "decision"):
        _name, data = case_docs.build(case, kind)
        out.append((case_docs.KINDS[kind].title, data, (1, 4 if kind == "decision" else 3)))
    listing = listed(case, on=case.decided_on + dt.timedelta(days=30))
    _name, data = case_docs.build_listing_notice(listing)
    out.append((case_docs.LISTING_NOTICE_TITLE, data, (1, 2)))
    # The person of 一案双罚 (named by name, with the unit and post).
    person = walk(
        new_case(
            violation="AQSCF2021-94", party="person", person_name="张建国", person_role="主要负责人"
        ),
        "decide",
    )
    out.append(("行政处罚决定书（个人）", case_docs.build(person, "decision")[1], (1, 4)))
    # The no-penalty path (包容免罚清单 item 1): the decision and the reminder notice.
    nop = walk(
        new_case(enterprise=low_risk_ent),
        "serve",
        facts={
            "first_offence": True,
            "harm": "slight",
            "corrected_in_time": True,
            "people_affected": 3,
        },
    )
    assert nop.outcome == "no_penalty", nop.reasons
    for kind in ("no_penalty", "reminder"):
        out.append((case_docs.KINDS[kind].title, case_docs.build(nop, kind)[1], (1, 3)))
    # The visit's documents.
    (u1, o1), (u2, o2) = team
    guidance_list.load_default_list()
    v = started_visit(item_codes=["YJ-WH-004", "YJ-WH-007"])
    out.append(("现场检查方案", visit_docs.plan_docx(v), (1, 3)))
    visit_services.record_finding(
        actor=u1, visit=v, item_code="YJ-WH-004", result="non_compliant", notes="未建立台账"
    )
    h = visit_services.record_hazard(
        actor=u1, visit=v, level="major", description="液氨储罐区可燃气体报警器失效"
    )
    o = visit_services.issue_order(
        actor=u1,
        visit=v,
        hazard_ids=[h.pk],
        deadline=dt.date(2025, 7, 18),
        today=dt.date(2025, 6, 18),
    )
    visit_services.record_guidance(
        actor=u1, visit=v, entry_codes=["GL-012", "GL-019"], audiences=["main_person_in_charge"]
    )
    visit_services.check_out(actor=u1, visit=v)
    v.refresh_from_db()
    out.append(("现场检查记录", visit_docs.record_docx(v), (1, 2)))
    out.append(("责令限期整改指令书", visit_docs.order_docx(o), (1, 2)))
    out.append(("安全生产合规指导告知书", visit_docs.guidance_docx(v), (1, 4)))
    fu = visit_services.create_follow_up(
        actor=u1,
        order=o,
        planned_date=dt.date(2025, 6, 18),
        officer_ids=[o1.pk, o2.pk],
        today=dt.date(2025, 6, 18),
    )
    visit_services.submit_plan(actor=u1, visit=fu)
    visit_services.approve_plan(actor=approver_user, visit=fu, today=dt.date(2025, 6, 18))
    visit_services.confirm_check_in(actor=u1, visit_id=fu.pk, nonce="doc-fu-0001")
    visit_services.confirm_check_in(actor=u2, visit_id=fu.pk, nonce="doc-fu-0002")
    fu = visit_services.record_follow_up_result(
        actor=u1, visit=fu, result="rectified", notes="报警器已更换并检测合格"
    )
    out.append(("整改复查意见书", visit_docs.review_docx(fu), (1, 2)))
    return out


EVERY_TYPE = {
    "立案审批表",
    "行政处罚告知书",
    "行政处罚听证告知书",
    "行政处罚决定书",
    "不予行政处罚决定书",
    "安全生产提醒告知书",
    "列入安全生产严重失信主体名单告知书",
    "现场检查方案",
    "现场检查记录",
    "责令限期整改指令书",
    "整改复查意见书",
    "安全生产合规指导告知书",
}


def test_r7_5_every_document_reads_like_the_bureaus_without_placeholders(all_documents):
    """Without LibreOffice: the text of every type is free of placeholders and draft wording,
    names the party as registered, and each type has its own 文号."""
    titles = {t for t, _d, _p in all_documents}
    assert titles >= EVERY_TYPE
    for title, data, _pages in all_documents:
        text = docx_text(data)
        check(title, data, text)
        assert title.split("（")[0] in text
    decision = next(d for t, d, _p in all_documents if t == "行政处罚决定书")
    text = docx_text(decision)
    assert "天山示例化工有限公司" in text and "法定代表人：周立新" in text
    assert "统一社会信用代码" in text
    assert re.search(r"乌应急罚〔2025〕\d+号", text)
    notice = docx_text(next(d for t, d, _p in all_documents if t == "行政处罚告知书"))
    assert re.search(r"乌应急告〔2025〕\d+号", notice)
    reminder = docx_text(next(d for t, d, _p in all_documents if t == "安全生产提醒告知书"))
    assert re.search(r"乌应急提醒〔2025〕\d+号", reminder) and "不予行政处罚决定书" in reminder
    # The bureau writes to the party: the party is 你单位, never 本单位 (the writer's own word).
    assert "本单位" not in reminder and "对照你单位的安全生产规章制度" in reminder


@needs_office
def test_r7_5_every_document_type_renders_to_a4_pdf_with_libreoffice(all_documents, tmp_path):
    keep = os.environ.get("FAIRINSPECT_KEEP_DOCS")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for n, (title, data, (low, high)) in enumerate(all_documents):
        pages, size, text = render(data, f"{n:02d}-{title}", folder)
        if "(A4)" not in size:
            problems.append(f"{title}: not A4 ({size})")
        if not low <= pages <= high:
            problems.append(f"{title}: {pages} pages, expected {low} to {high}")
        flat = re.sub(r"\s+", "", text)
        if title.split("（")[0] not in flat:
            problems.append(f"{title}: the title is not in the PDF text")
        try:
            check(title, data, flat)
        except AssertionError as e:
            problems.append(str(e))
    assert not problems, problems
