"""PDF with reportlab: vendored DejaVu Sans (French, Spanish and Arabic glyphs), Arabic names shaped
with arabic-reshaper and python-bidi, the symbol in the header, "Page n of m" in the footer.

Deterministic: reportlab's invariant mode fixes the document's dates and identifiers, so the same
state gives the same bytes; the only date that varies is the stated timestamp printed on page 1.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from forum.exports.content import Document, Heading, PageBreak, Para, Run, Table

MIMETYPE = "application/pdf"
FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]"
                    r"(?:[\s\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]*"
                    r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF])?")
_registered = False


def register_fonts() -> None:
    global _registered
    if _registered:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    faces = {FAMILY: "DejaVuSans.ttf", f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
             f"{FAMILY}-Oblique": "DejaVuSans-Oblique.ttf", f"{FAMILY}-BoldOblique": "DejaVuSans-BoldOblique.ttf"}
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
    addMapping(FAMILY, 0, 1, f"{FAMILY}-Oblique")
    addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldOblique")
    _registered = True


def shape(text: str) -> str:
    """Arabic letters joined into their contextual forms and put in visual order (reportlab draws
    glyphs left to right and shapes nothing itself); other scripts are left alone."""
    if not ARABIC.search(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return ARABIC.sub(lambda m: get_display(arabic_reshaper.reshape(m.group(0))), text)


def markup(runs: list[Run]) -> str:
    out = []
    for run in runs:
        if not run.text:
            continue
        text = escape(shape(run.text))
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.op == "insert":
            text = f"<u>{text}</u>"
        elif run.op == "delete":
            text = f"<strike>{text}</strike>"
        out.append(text)
    return "".join(out)


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FAMILY, fontSize=10.5, leading=14, spaceAfter=6)
    return {
        "body": base,
        "numbered": ParagraphStyle("numbered", parent=base, leftIndent=28, firstLineIndent=-28),
        "sub": ParagraphStyle("sub", parent=base, leftIndent=56, firstLineIndent=-28),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=28),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=12.5, spaceAfter=3),
        "note": ParagraphStyle("note", parent=base, fontSize=9.5, leading=12.5, fontName=f"{FAMILY}-Oblique"),
        "title": ParagraphStyle("title", parent=base, fontName=f"{FAMILY}-Bold", fontSize=18, leading=23,
                                alignment=TA_CENTER, spaceBefore=24, spaceAfter=18),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12.5, leading=16, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", parent=base, fontName=f"{FAMILY}-Bold", fontSize=13.5, leading=17, spaceBefore=12),
        "h2": ParagraphStyle("h2", parent=base, fontName=f"{FAMILY}-Bold", fontSize=11.5, leading=15, spaceBefore=9),
        "h3": ParagraphStyle("h3", parent=base, fontName=f"{FAMILY}-Bold", fontSize=10.5, leading=14, spaceBefore=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5, spaceAfter=0),
    }


def _numbered_canvas(symbol: str) -> Any:
    """A canvas that holds its pages until the end, so that every footer can say "of m"."""
    from reportlab.pdfgen import canvas

    page_word, of_word = _("Page"), _("of")

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            self.setFont(FAMILY, 8.5)
            self.drawRightString(width - 56, height - 36, shape(symbol))
            self.drawCentredString(width / 2, 30, f"{page_word} {self._pageNumber} {of_word} {total}")

    return NumberedCanvas


def render(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    register_fonts()
    styles = _styles()
    story: list[Any] = []
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(block, Heading):
            text = escape(shape(block.text))
            if block.numeral:
                text = f"{block.numeral}. {text}"
            story.append(Paragraph(text, styles[f"h{block.level}"]))
        elif isinstance(block, Table):
            if block.caption:
                story.append(Paragraph(escape(block.caption), styles["note"]))
            header = [Paragraph(f"<b>{escape(shape(h))}</b>", styles["cell"]) for h in block.header]
            rows = [[Paragraph(escape(shape(c)), styles["cell"]) for c in row] for row in block.rows]
            table = RLTable([header, *rows], repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92))]))
            story.append(table)
            story.append(Spacer(1, 8))
        elif isinstance(block, Para):
            body = markup(block.runs)
            style = styles.get(block.style, styles["body"])
            if block.number:
                number = f"{block.number}." if block.level == 0 else block.number
                body = f"<b>{escape(number)}</b>&nbsp;&nbsp;{body}"
                style = styles["sub"] if block.level == 1 else styles["numbered"]
            if block.anchor:
                body = f'<a name="{block.anchor}"/>{body}'
            story.append(Paragraph(body or "&nbsp;", style))
    out = io.BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=56, rightMargin=56, topMargin=60, bottomMargin=56,
                                 title=doc.title, author="Tripartite Forum", subject=doc.symbol,
                                 creator="Tripartite Forum", invariant=1, lang=doc.language)
    template.build(story, canvasmaker=_numbered_canvas(doc.symbol))
    return out.getvalue()
