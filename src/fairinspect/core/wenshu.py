"""The one layout of every 执法文书 the system produces (.docx, python-docx).

Page and type after GB/T 9704-2012 《党政机关公文格式》, as the 应急管理部 文书式样 are set:

- A4 (210 mm × 297 mm); 天头 (top margin) 37 mm, 订口 (left) 28 mm; the 版心 156 mm × 225 mm,
  so right 26 mm and bottom 35 mm; 22 lines a page (fixed line pitch 225 mm / 22).
- Body 3号 (16 pt) 仿宋_GB2312; titles 2号 (22 pt) 方正小标宋简体; first-level headings 3号 黑体;
  page numbers 4号 (14 pt) 宋体 “— 1 —” at the foot.
- Fonts are named as government machines have them, each with its common alternative
  declared in the document's font table (w:altName: 仿宋_GB2312 → 仿宋/FangSong,
  方正小标宋简体 → 宋体/SimSun, 黑体 → SimHei), so Word on a machine without the GB2312
  fonts substitutes the right family; LibreOffice substitutes through fontconfig (any
  installed CJK font, e.g. Noto CJK).

A document is made of: the issuing authority and the title (centred), the 文号, the party
(主送), the body, the signature (authority, seal, date) and, for served documents, the
standard closing line (一式两份). Each builder in cases/documents.py and visits/documents.py
uses only this module for fonts, sizes, margins and spacing.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
ALTERNATIVES = {  # name → (altName for Word, generic family)
    BODY_FONT: ("仿宋", "modern"),
    TITLE_FONT: ("宋体", "roman"),
    HEADING_FONT: ("SimHei", "modern"),
    PAGE_NUMBER_FONT: ("SimSun", "roman"),
}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE_PITCH = Pt(225 / 22 * 72 / 25.4)  # 22 lines in the 225 mm 版心
INDENT = Pt(32)  # two characters of 3号

PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35)}
PAGE.update({"left": Mm(28), "right": Mm(26)})


def cn_date(day: dt.date | dt.datetime | None) -> str:
    """2026年1月5日 (GB/T 9704-2012 7.3.5.1: Arabic numerals, no leading zeros)."""
    if day is None:
        raise ValueError("a final document carries its date")
    return f"{day.year}年{day.month}月{day.day}日"


def cn_time(at: dt.datetime) -> str:
    from django.utils import timezone

    at = timezone.localtime(at)
    return f"{at.year}年{at.month}月{at.day}日{at.hour}时{at.minute:02d}分"


def _fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _font_table(doc) -> None:
    """Declare each font with its alternative (w:altName) in word/fontTable.xml."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        for name, (alt, family) in ALTERNATIVES.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        if text is not None:
            run = p.add_run(text)
        else:
            run = p.add_run()
            for kind, instr in (("begin", None), (None, " PAGE "), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                else:
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = instr
                run._r.append(el)
        run.font.size = SIZE_4
        _fonts(run._element.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)


class Wenshu:
    """One document: Wenshu(authority, title, number) then body calls, then .bytes()."""

    def __init__(self, authority: str, title: str, number: str = "") -> None:
        self.doc = Document()
        _font_table(self.doc)
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = PAGE["width"], PAGE["height"]
        sec.top_margin, sec.bottom_margin = PAGE["top"], PAGE["bottom"]
        sec.left_margin, sec.right_margin = PAGE["left"], PAGE["right"]
        sec.footer_distance = Mm(20)
        normal = self.doc.styles["Normal"]
        normal.font.size = SIZE_3
        normal.font.name = LATIN_FONT
        _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        pf = normal.paragraph_format
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
        pf.space_before = pf.space_after = Pt(0)
        pf.widow_control = True
        _page_number_footer(sec)
        self.authority = authority
        self._title(authority)
        self._title(title)
        if number:
            p = self._p(number, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.space_before = Pt(6)
        self.blank()

    # ---- paragraphs ------------------------------------------------------------------------

    def _p(self, text: str = "", *, align=None, indent: bool = False):
        p = self.doc.add_paragraph()
        if text:
            p.add_run(text)
        if align is not None:
            p.alignment = align
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = INDENT
        return p

    def _title(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        p.paragraph_format.line_spacing = Pt(36)
        run = p.add_run(text)
        run.font.size = SIZE_2
        _fonts(run._element.get_or_add_rPr(), TITLE_FONT, TITLE_FONT)

    def blank(self) -> None:
        self._p()

    def para(self, text: str) -> None:
        """A body paragraph, first line indented two characters; each line of a text typed
        on several lines is a paragraph of its own (a line break inside a justified
        paragraph would stretch the line)."""
        for line in [x.strip() for x in text.splitlines() if x.strip()] or [""]:
            self._p(line, indent=True)

    def addressee(self, name: str) -> None:
        """主送: the party as the law names it, flush left, ending with a full-width colon."""
        self._p(f"{name}：")

    def heading(self, text: str) -> None:
        """A first-level heading (一、…) in 黑体, indented like the body, never the last line
        of a page."""
        p = self._p(indent=True)
        p.paragraph_format.keep_with_next = True
        run = p.add_run(text)
        _fonts(run._element.get_or_add_rPr(), HEADING_FONT, HEADING_FONT)

    def field(self, label: str, value: str) -> None:
        """A labelled line of the party block (当事人：…), flush left."""
        self._p(f"{label}：{value}")

    def table(self, rows: list[tuple[str, str]]) -> None:
        """A two-column 审批表 grid in 4号."""
        table = self.doc.add_table(rows=len(rows), cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = (Mm(38), Mm(118))  # the 156 mm 版心
        for col, width in zip(table.columns, widths, strict=True):
            col.width = width
        tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))
        for i, (k, v) in enumerate(rows):
            for j, text in enumerate((k, v)):
                cell = table.cell(i, j)
                cell.text = ""
                p = cell.paragraphs[0]
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(4)
                run = p.add_run(text)
                run.font.size = SIZE_4
                if j == 0:
                    _fonts(run._element.get_or_add_rPr(), HEADING_FONT, HEADING_FONT)
            table.cell(i, 0).width, table.cell(i, 1).width = widths

    def signed_by(self, *who: str) -> None:
        """Signature lines of persons (当事人、执法人员): name then date, to be signed."""
        self.blank()
        for w in who:
            self._p(f"{w}（签名）：__________      ____年__月__日")

    def signature(self, day: dt.date | dt.datetime | None, *, authority: str | None = None) -> None:
        """The issuing authority with its seal and the date, right-aligned (右空四字). The
        last body paragraph stays on the signature's page (GB/T 9704: no page of signature
        alone)."""
        body = [p for p in self.doc.paragraphs if p.text.strip()]
        if body:
            body[-1].paragraph_format.keep_with_next = True
        self.blank()
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        for text in (f"{authority or self.authority}（印章）", cn_date(day)):
            p = self._p(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = INDENT * 2
            p.paragraph_format.keep_with_next = True
        self.blank()

    def closing(self, text: str = "本文书一式两份：一份送达当事人，一份归档。") -> None:
        """The 式样's closing line, 4号 and flush left."""
        p = self._p()
        run = p.add_run(text)
        run.font.size = SIZE_4

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def text(self) -> str:
        cells = [c.text for t in self.doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in self.doc.paragraphs] + cells)
