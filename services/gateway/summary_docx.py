"""The work summary as a Word draft laid out per GB/T 9704-2012 (docs: /work/shared/PAGES.md): A4 with a
156 mm × 225 mm text block, the title in 2号 小标宋, body in 3号 仿宋 with a two-character first-line
indent, headings 一、 in 黑体, page numbers — 1 — at the foot. Each section holds its figures as
sentences and a marked place for the clerk's prose; nothing but the figures is written for them."""

from __future__ import annotations

import io
from datetime import date
from itertools import groupby
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from services.gateway.summary_words import SummaryWords

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
DIGITS = "一二三四五六七八九"
LINE_PITCH = Pt(28.9)  # 22 lines in the 225 mm text block


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (headings run to a dozen or so)."""
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else DIGITS[tens - 1]) + "十" if tens else ""
    return head + (DIGITS[ones - 1] if ones else "")


def styled(run: Run, font: str, size: Pt, *, bold: bool = False) -> Run:
    """A run in ``font`` for Chinese and Latin alike (Word reads the East Asian font from rFonts)."""
    run.font.name, run.font.size, run.font.bold = font, size, bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    return run


def paragraph(doc: Any, text: str, font: str = BODY_FONT, *, indent: bool = True) -> Paragraph:
    para: Paragraph = doc.add_paragraph()
    para.paragraph_format.line_spacing = LINE_PITCH
    if indent:
        para.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters
    styled(para.add_run(text), font, BODY_SIZE)
    return para


def page_numbers(section: Any) -> None:
    """— PAGE — centred at the foot, 4号 (a field Word and WPS fill in)."""
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled(para.add_run("— "), BODY_FONT, PAGE_NUMBER_SIZE)
    run = styled(para.add_run(), BODY_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._element.append(field)
    styled(para.add_run(" —"), BODY_FONT, PAGE_NUMBER_SIZE)


def sentence(words: SummaryWords, figure: dict[str, Any]) -> str:
    plan = words("doc.plan", plan=words.number(figure["plan"])) if figure["plan"] is not None else ""
    return words(
        "doc.figures",
        figure=words.figure(figure),
        value=words.number(figure["value"]),
        previous=words.number(figure["previous"]),
        plan=plan,
    )


def document(summary: dict[str, Any], today: date, lang: str = "zh") -> bytes:
    """The draft as .docx bytes: title, addressee, one numbered section per figure section, problems and
    next steps left to write, the not-recorded note, and the signature block dated ``today``."""
    words = SummaryWords(lang)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    page_numbers(section)
    unit, period = summary["unit"], words.period(summary["period"]["label"])
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled(title.add_run(words("doc.title", unit=unit["name"], period=period)), TITLE_FONT, TITLE_SIZE)
    paragraph(doc, words("doc.addressee"), indent=False)
    paragraph(doc, words("doc.opening"))
    number = 1
    for name, figures in groupby(summary["figures"], key=lambda figure: figure["section"]):
        heading = f"{numeral(number)}、{words.section(name)}"
        paragraph(doc, heading, HEADING_FONT)
        paragraph(doc, "".join(sentence(words, figure) for figure in figures if worth_saying(figure)))
        paragraph(doc, words("doc.write"))
        number += 1
    for heading, place in (("doc.problems", "doc.write_problems"), ("doc.next", "doc.write_next")):
        paragraph(doc, f"{numeral(number)}、{words(heading)}", HEADING_FONT)
        paragraph(doc, words(place))
        number += 1
    missing = "、".join(
        f"{words.section(item['section'])}{words.figure_name(item['name'])}"
        for item in summary["not_recorded"]
    )
    if missing:  # what the clerk must fill in by hand; nothing to say when Sanji records every figure
        paragraph(doc, words("doc.not_recorded", items=missing))
    for line in (unit["name"], f"{today.year}年{today.month}月{today.day}日"):
        para = paragraph(doc, line, indent=False)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def worth_saying(figure: dict[str, Any]) -> bool:
    """A total always; a breakdown only when it has something this period or the last."""
    return figure["by"] is None or bool(figure["value"]) or bool(figure["previous"])
