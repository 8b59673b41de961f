"""Word documents written as WordprocessingML, part by part.

python-docx has no API for tracked changes or list definitions, and its packages carry the time
of writing in every zip entry; writing the few parts ourselves gives real `w:ins` / `w:del` /
`w:delText` revisions (author: the movers and the amendment's number; date: when the outcome was
declared), a real numbering definition for the final text (parts I., II.; paragraphs 1., 2.;
sub-paragraphs (a), (b)), a header with the symbol, a "Page n of m" footer, and the same bytes
for the same state (fixed zip entry dates; the only date that varies is the stated timestamp).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from flask_babel import gettext as _

from forum.exports.content import Document, Heading, PageBreak, Para, Run, Table

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FONT = "DejaVu Sans"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+"
                    r"(?:[\s\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]*"
                    r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF])?")

# numId 1: the final text (level 0 "1.", level 1 "(a)"); numId 2: the parts ("I.").
NUM_PARAGRAPHS, NUM_PARTS = 1, 2


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _t(text: str, tag: str = "w:t") -> str:
    return f'<{tag} xml:space="preserve">{escape(text)}</{tag}>'


def _script_pieces(text: str) -> list[tuple[str, bool]]:
    """Split Arabic from other text so that Arabic runs are marked right-to-left (names)."""
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for match in ARABIC.finditer(text):
        if match.start() > cursor:
            pieces.append((text[cursor:match.start()], False))
        pieces.append((match.group(0), True))
        cursor = match.end()
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces or [("", False)]


def _rpr(run: Run, rtl: bool, *, strike: bool = False, underline: bool = False) -> str:
    props = []
    if run.bold:
        props.append("<w:b/><w:bCs/>")
    if run.italic:
        props.append("<w:i/><w:iCs/>")
    if strike:
        props.append("<w:strike/>")
    if underline:
        props.append('<w:u w:val="single"/>')
    if rtl:
        props.append("<w:rtl/>")
    return f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""


class _Writer:
    def __init__(self) -> None:
        self.revision = 0

    def next_id(self) -> int:
        self.revision += 1
        return self.revision

    def runs(self, runs: list[Run], tracked: bool) -> str:
        out = []
        for run in runs:
            if not run.text:
                continue
            pieces = _script_pieces(run.text)
            if tracked and run.op in ("insert", "delete"):
                attrs = f'w:id="{self.next_id()}" w:author={quoteattr(run.author or run.amendment or "")}'
                if run.date is not None:
                    attrs += f' w:date="{_iso(run.date)}"'
                if run.op == "insert":
                    inner = "".join(f"<w:r>{_rpr(run, rtl)}{_t(text)}</w:r>" for text, rtl in pieces)
                    out.append(f"<w:ins {attrs}>{inner}</w:ins>")
                else:
                    inner = "".join(f"<w:r>{_rpr(run, rtl)}{_t(text, 'w:delText')}</w:r>" for text, rtl in pieces)
                    out.append(f"<w:del {attrs}>{inner}</w:del>")
                continue
            strike, underline = run.op == "delete", run.op == "insert"
            out.extend(f"<w:r>{_rpr(run, rtl, strike=strike, underline=underline)}{_t(text)}</w:r>"
                       for text, rtl in pieces)
        return "".join(out)

    def para(self, block: Para) -> str:
        style = {"title": "Title", "subtitle": "Subtitle", "meta": "Meta", "note": "Note", "quote": "Quote"}.get(
            block.style, "")
        ppr = []
        if style:
            ppr.append(f'<w:pStyle w:val="{style}"/>')
        if block.level is not None:
            ppr.append('<w:pStyle w:val="ListParagraph"/>' if not style else "")
            ppr.append(f'<w:numPr><w:ilvl w:val="{block.level}"/><w:numId w:val="{NUM_PARAGRAPHS}"/></w:numPr>')
        body = ""
        if block.anchor:
            ident = self.next_id()
            body += f'<w:bookmarkStart w:id="{ident}" w:name="{block.anchor}"/><w:bookmarkEnd w:id="{ident}"/>'
        if block.number and block.level is None:
            body += f'<w:r><w:rPr><w:b/></w:rPr>{_t(block.number)}</w:r><w:r><w:tab/></w:r>'
        body += self.runs(block.runs, block.tracked)
        return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{body}</w:p>"

    def heading(self, block: Heading) -> str:
        numbering = ""
        if block.numeral is not None:
            numbering = f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{NUM_PARTS}"/></w:numPr>'
        return (f'<w:p><w:pPr><w:pStyle w:val="Heading{block.level}"/>{numbering}</w:pPr>'
                f"{self.runs([Run(block.text)], False)}</w:p>")

    def table(self, block: Table) -> str:
        def cell(text: str, header: bool) -> str:
            run = Run(text, bold=header)
            return (f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p>{self.runs([run], False)}</w:p>'
                    "</w:tc>")

        grid = "".join('<w:gridCol w:w="2000"/>' for _ in block.header)
        rows = ['<w:tr><w:trPr><w:tblHeader/></w:trPr>' + "".join(cell(h, True) for h in block.header) + "</w:tr>"]
        rows += ["<w:tr>" + "".join(cell(c, False) for c in row) + "</w:tr>" for row in block.rows]
        caption = self.para(Para([Run(block.caption, italic=True)], style="meta")) if block.caption else ""
        return (f'{caption}<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/>'
                f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
                f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>'
                "<w:p/>")


def document_xml(doc: Document) -> str:
    writer = _Writer()
    body = []
    for block in doc.blocks:
        if isinstance(block, Para):
            body.append(writer.para(block))
        elif isinstance(block, Heading):
            body.append(writer.heading(block))
        elif isinstance(block, Table):
            body.append(writer.table(block))
        elif isinstance(block, PageBreak):
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    section = ('<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/>'
               '<w:footerReference w:type="default" r:id="rIdFooter"/>'
               '<w:pgSz w:w="11906" w:h="16838"/>'
               '<w:pgMar w:top="1418" w:right="1418" w:bottom="1418" w:left="1418" w:header="709" '
               'w:footer="709" w:gutter="0"/></w:sectPr>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}">'
            f"<w:body>{''.join(body)}{section}</w:body></w:document>")


def _level(ilvl: int, fmt: str, text: str, indent: int) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent}" w:hanging="567"/></w:pPr></w:lvl>')


def numbering_xml() -> str:
    paragraphs = _level(0, "decimal", "%1.", 567) + _level(1, "lowerLetter", "(%2)", 1134)
    parts = ('<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/>'
             '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering xmlns:w="{W}">'
            f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>{paragraphs}</w:abstractNum>'
            f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="singleLevel"/>{parts}</w:abstractNum>'
            f'<w:num w:numId="{NUM_PARAGRAPHS}"><w:abstractNumId w:val="0"/></w:num>'
            f'<w:num w:numId="{NUM_PARTS}"><w:abstractNumId w:val="1"/></w:num></w:numbering>')


def _style(ident: str, name: str, *, size: int = 22, bold: bool = False, italic: bool = False,
           center: bool = False, before: int = 0, after: int = 120, indent: int = 0, kind: str = "paragraph") -> str:
    rpr = f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' + ("<w:b/><w:bCs/>" if bold else "") + (
        "<w:i/><w:iCs/>" if italic else "")
    ppr = f'<w:spacing w:before="{before}" w:after="{after}"/>' + ('<w:jc w:val="center"/>' if center else "") + (
        f'<w:ind w:left="{indent}"/>' if indent else "")
    outline = ""
    if ident.startswith("Heading"):
        outline = f'<w:keepNext/><w:outlineLvl w:val="{int(ident[-1]) - 1}"/>'
    return (f'<w:style w:type="{kind}" w:styleId="{ident}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/>'
            f'<w:qFormat/><w:pPr>{outline}{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')


def styles_xml() -> str:
    fonts = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W}">'
            f'<w:docDefaults><w:rPrDefault><w:rPr>{fonts}<w:sz w:val="22"/><w:szCs w:val="22"/>'
            '<w:lang w:val="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
            '</w:docDefaults>'
            '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
            '</w:style>'
            + _style("Title", "Title", size=36, bold=True, center=True, before=240, after=240)
            + _style("Subtitle", "Subtitle", size=24, center=True)
            + _style("Meta", "Meta", size=20)
            + _style("Note", "Note", size=20, italic=True)
            + _style("Quote", "Quote", indent=567)
            + _style("Heading1", "heading 1", size=28, bold=True, before=360, after=120)
            + _style("Heading2", "heading 2", size=24, bold=True, before=240, after=120)
            + _style("Heading3", "heading 3", size=22, bold=True, before=200, after=80)
            + _style("ListParagraph", "List Paragraph")
            + _style("Header", "header", size=18)
            + _style("Footer", "footer", size=18, center=True)
            + '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>'
            + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + "</w:tblBorders></w:tblPr></w:style></w:styles>")


def header_xml(doc: Document) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W}" xmlns:r="{R}">'
            f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>'
            f'<w:r>{_t(doc.symbol)}</w:r></w:p></w:hdr>')


def footer_xml() -> str:
    page, of = _("Page"), _("of")

    def field(name: str) -> str:
        return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {name} '
                f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}" xmlns:r="{R}">'
            f'<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
            f'<w:r>{_t(page + " ")}</w:r>{field("PAGE")}<w:r>{_t(" " + of + " ")}</w:r>{field("NUMPAGES")}'
            "</w:p></w:ftr>")


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/settings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/header1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/footer1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>")

PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>")

DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rIdStyles" Type="{R}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdNumbering" Type="{R}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rIdSettings" Type="{R}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdHeader" Type="{R}/header" Target="header1.xml"/>'
    f'<Relationship Id="rIdFooter" Type="{R}/footer" Target="footer1.xml"/>'
    "</Relationships>")


def settings_xml(tracked: bool) -> str:
    # Fields (page numbers) are refreshed on opening; revisions stay visible for review.
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings xmlns:w="{W}">'
            + ("<w:trackRevisions/>" if tracked else "")
            + '<w:defaultTabStop w:val="567"/><w:compat><w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>')


def core_xml(doc: Document) -> str:
    stated = _iso(doc.snapshot.as_of if doc.snapshot else doc.stated)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(doc.title)}</dc:title><dc:subject>{escape(doc.symbol)}</dc:subject>"
            f"<dc:creator>Tripartite Forum</dc:creator><dc:language>{escape(doc.language)}</dc:language>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stated}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stated}</dcterms:modified>'
            "</cp:coreProperties>")


APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>Tripartite Forum</Application></Properties>")


def package(parts: list[tuple[str, str]]) -> bytes:
    """A zip whose every entry has the same fixed date and attributes: same parts, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def render(doc: Document) -> bytes:
    tracked = any(isinstance(b, Para) and b.tracked for b in doc.blocks)
    return package([
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", core_xml(doc)),
        ("docProps/app.xml", APP_XML),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/numbering.xml", numbering_xml()),
        ("word/settings.xml", settings_xml(tracked)),
        ("word/header1.xml", header_xml(doc)),
        ("word/footer1.xml", footer_xml()),
    ])
