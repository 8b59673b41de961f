"""Exports (issue #8, PROCEDURE.md rules 16 and 35): every document opened the way its reader opens it —
DOCX with python-docx and XPath on its XML, PDF text with pypdf, Akoma Ntoso parsed and checked
against the elements the standard defines, JSON validated against its published schema."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from forum.exports import akoma_ntoso, content, docx, pdf, service, tabular
from forum.exports.model import gather
from tests.drafting_world import draft
from tests.exports_world import (
    ARABIC_NAME,
    EMPLOYER_STATEMENT,
    FRENCH_2,
    FRENCH_NAME,
    POLL_QUESTION,
    RESERVATION,
    SPAIN_STATEMENT,
    negotiated,
)

# The stated timestamp: fixed for a test run, after the world's sittings (which start relative to now).
AS_OF = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
LATER = AS_OF.replace(second=(AS_OF.second + 17) % 60)  # another moment of the same minute (and day)
ISO = "%Y-%m-%dT%H:%M:%SZ"
W_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "exports-schema.json"


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return negotiated(make_user, make_meeting, make_participant)


@pytest.fixture
def snap(w):
    return gather(draft(w), as_of=AS_OF)


def export(snapshot, kind: str, fmt: str) -> bytes:
    return service.render(snapshot, kind, fmt).data


def part_xml(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def pdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def every_export(snapshot) -> dict[tuple[str, str], bytes]:
    return {(kind, fmt): export(snapshot, kind, fmt) for kind, fmt in service.all_exports()}


# --- rule 16: renumbering only in the final text, with the table -------------------------------------

def test_rule_16_final_text_is_renumbered_with_a_table_from_negotiation_labels(snap):
    mapping = {m.label: m.final for m in snap.mapping}
    # 2bis (inserted by D.2) becomes 3; 3(b) (deleted by D.3) takes no number; 4 becomes 5.
    assert mapping == {"1": "1", "2": "2", "2bis": "3", "3": "4", "3(a)": "4(a)", "3(b)": None, "4": "5"}
    notes = {m.label: m.note for m in snap.mapping}
    assert notes["2bis"] == "inserted by D.2" and notes["3(b)"] == "deleted by D.3"
    document = content.build("final", snap)
    table = next(b for b in document.blocks if isinstance(b, content.Table))
    assert table.rows[2] == ["2bis", "3", "adopted", "inserted by D.2"]
    assert table.rows[5][:2] == ["3(b)", "—"]
    numbered = [b.number for b in document.blocks if isinstance(b, content.Para) and b.number]
    assert numbered == ["1", "2", "3", "4", "(a)", "5"]


def test_rule_16_marked_text_keeps_the_negotiation_labels(snap):
    document = content.build("marked", snap)
    labels = [b.number for b in document.blocks if isinstance(b, content.Para) and b.number]
    assert labels == ["1", "2", "2bis", "3", "3(a)", "3(b)", "4"]


# --- DOCX: real numbering and real tracked changes --------------------------------------------------------

def test_rule_35_final_docx_has_real_list_numbering_a_header_with_the_symbol_and_page_n_of_m(snap):
    import docx as python_docx

    data = export(snap, "final", "docx")
    opened = python_docx.Document(io.BytesIO(data))
    texts = [p.text for p in opened.paragraphs]
    assert "Social dialogue, including négociation collective, should shape migration policy." in texts
    assert "Complaint mechanisms should be accessible to migrant workers." not in texts  # deleted by D.3
    numbering = part_xml(data, "word/numbering.xml")
    formats = numbering.xpath("//w:abstractNum/w:lvl/w:numFmt/@w:val", namespaces=W_NS)
    assert {"decimal", "lowerLetter", "upperRoman"} <= set(formats)
    body = part_xml(data, "word/document.xml")
    levels = body.xpath("//w:p/w:pPr/w:numPr[w:numId/@w:val='1']/w:ilvl/@w:val", namespaces=W_NS)
    assert levels == ["0", "0", "0", "0", "1", "0"]  # 1, 2, 3 (was 2bis), 4, (a), 5
    parts = body.xpath("//w:p[w:pPr/w:numPr/w:numId/@w:val='2']", namespaces=W_NS)
    assert [("".join(p.xpath(".//w:t/text()", namespaces=W_NS))) for p in parts] == ["Guiding principles",
                                                                                      "Fair recruitment"]
    header = part_xml(data, "word/header1.xml")
    assert snap.symbol in "".join(header.xpath("//w:t/text()", namespaces=W_NS))
    footer = part_xml(data, "word/footer1.xml")
    fields = [t.strip() for t in footer.xpath("//w:instrText/text()", namespaces=W_NS)]
    assert fields == ["PAGE", "NUMPAGES"]
    assert "Page" in "".join(footer.xpath("//w:t/text()", namespaces=W_NS))


def test_marked_docx_has_tracked_changes_by_the_movers_at_the_decision_time(w, snap):
    import docx as python_docx

    data = export(snap, "marked", "docx")
    python_docx.Document(io.BytesIO(data))  # opens
    body = part_xml(data, "word/document.xml")
    insertions = body.xpath("//w:ins", namespaces=W_NS)
    deletions = body.xpath("//w:del", namespaces=W_NS)
    author, date, ident = (f"{{{W_NS['w']}}}{name}" for name in ("author", "date", "id"))
    by_author = {(e.get(author), "".join(e.xpath(".//w:t/text() | .//w:delText/text()", namespaces=W_NS)))
                 for e in insertions + deletions}
    assert ("Kenya (D.1)", "should") in by_author and ("Kenya (D.1)", "shall") in by_author
    assert ("Employers' group (D.2)",
            "Social dialogue, including négociation collective, should shape migration policy.") in by_author
    assert ("Germany (D.3)", "Complaint mechanisms should be accessible to migrant workers.") in by_author
    # Deleted words are w:delText inside w:del, never w:t (Word would show them as live text).
    assert not body.xpath("//w:del//w:t", namespaces=W_NS)
    assert body.xpath("//w:del//w:delText", namespaces=W_NS)
    kenya = next(e for e in insertions if e.get(author) == "Kenya (D.1)")
    decided = snap.amendment("D.1").decided_at
    assert kenya.get(date) == decided.astimezone(UTC).strftime(ISO)
    ids = [e.get(ident) for e in insertions + deletions]
    assert len(ids) == len(set(ids))  # revision ids are unique
    settings = part_xml(data, "word/settings.xml")
    assert settings.xpath("//w:trackRevisions", namespaces=W_NS)


def test_docx_zip_entries_have_fixed_dates(snap):
    for kind in content.KINDS:
        with zipfile.ZipFile(io.BytesIO(export(snap, kind, "docx"))) as archive:
            assert {info.date_time for info in archive.infolist()} == {docx.ZIP_DATE}


def test_docx_opens_in_libreoffice_and_reads_as_written(snap, tmp_path):
    """LibreOffice converts the Word files to PDF: numbers from the list definition, the header,
    "Page n of m" from the fields, accented text, the tracked changes shown."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed: apt-get install libreoffice-writer-nogui (.ci/run does)"
    for kind in ("final", "marked"):
        (tmp_path / f"{kind}.docx").write_bytes(export(snap, kind, "docx"))
    profile = tmp_path / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "final.docx"), str(tmp_path / "marked.docx")],
                   check=True, capture_output=True, timeout=240)
    final = pdf_text((tmp_path / "final.pdf").read_bytes())
    assert "1. Labour migration governed by fair rules" in final
    assert "3. Social dialogue, including négociation collective" in final
    assert "(a) Private employment agencies should be licensed." in final
    assert "I. Guiding principles" in final and "II. Fair recruitment" in final
    assert "Page 1 of " in final and snap.symbol in final
    assert "Complaint mechanisms" not in final  # deleted by D.3: not in the text, the table names 3(b) only
    marked = pdf_text((tmp_path / "marked.pdf").read_bytes())
    assert "should" in marked and "shall" in marked and "(D.1)" in marked


# --- PDF ----------------------------------------------------------------------------------------------------

def test_pdf_has_the_symbol_page_n_of_m_accents_and_shaped_arabic(snap):
    import pypdf

    data = export(snap, "compilation", "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert snap.symbol in text and f"Page {number} of {total}" in text
    text = pdf_text(data)
    assert FRENCH_NAME in text and "Añadir «everywhere» — reconocimiento" in text
    # Arabic is drawn shaped: joined presentation forms (U+FE70–U+FEFF), not the bare letters
    # reportlab would draw unjoined; text extraction gives the name back (NFKC) in reading order.
    shaped = pdf.shape(ARABIC_NAME)
    assert shaped != ARABIC_NAME and all("\ufe70" <= c <= "\ufeff" for c in shaped if not c.isspace())
    assert any("\ufe70" <= c <= "\ufeff" for c in text)
    assert ARABIC_NAME in unicodedata.normalize("NFKC", text)
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()
             for f in [f.get_object()["/BaseFont"]]}
    assert any("DejaVuSans" in f for f in fonts)


def test_pdf_of_the_final_text_numbers_and_marks_pending_paragraphs(snap):
    text = " ".join(pdf_text(export(snap, "final", "pdf")).split())
    assert "3. Social dialogue" in text and "5. Skills of migrant workers" in text and "(a) Private" in text
    assert "Complaint mechanisms" not in text  # deleted by D.3
    assert "[pending]" in text and "after sitting 2" in text


# --- determinism ----------------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_same_state_exports_to_the_same_bytes_in_every_format(backend, w):
    first = every_export(gather(draft(w), as_of=AS_OF))
    second = every_export(gather(draft(w), as_of=AS_OF))
    assert first.keys() == second.keys() and len(first) == 20
    for key in first:
        assert first[key] == second[key], key


def test_only_the_stated_timestamp_differs_between_two_moments(w):
    early, late = gather(draft(w), as_of=AS_OF), gather(draft(w), as_of=LATER)
    assert early.as_of_text != late.as_of_text
    for kind, fmt in service.all_exports():
        if fmt in ("docx", "pdf"):
            continue
        a = export(early, kind, fmt).decode("utf-8")
        b = export(late, kind, fmt).decode("utf-8")
        for old, new in ((early.as_of_text, late.as_of_text), (f"{AS_OF:{ISO}}", f"{LATER:{ISO}}")):
            a = a.replace(old, new)
        assert a == b, (kind, fmt)
    a_doc, b_doc = export(early, "final", "docx"), export(late, "final", "docx")
    with zipfile.ZipFile(io.BytesIO(a_doc)) as one, zipfile.ZipFile(io.BytesIO(b_doc)) as other:
        differing = [n for n in one.namelist() if one.read(n) != other.read(n)]
    assert sorted(differing) == ["docProps/core.xml", "word/document.xml"]


# --- restricted material and secret votes ------------------------------------------------------------------------

def test_uncirculated_amendments_caucus_polls_and_secret_voters_never_appear(w, snap):
    for (kind, fmt), data in every_export(snap).items():
        text = pdf_text(data) if fmt == "pdf" else data.decode("utf-8", "replace") if fmt != "docx" else \
            zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
        assert "SECRET-UNCIRCULATED" not in text, (kind, fmt)
        assert POLL_QUESTION not in text and "CAUCUS-ONLY" not in text, (kind, fmt)
    secret = next(v for s in snap.sittings for v in s.votes if v.vote_type == "secret")
    assert secret.names == {} and secret.results == {}
    assert secret.totals["for"] == "4 (weighted 47)" and secret.totals["against"] == "1 (weighted 6)"
    record = next(v for s in snap.sittings for v in s.votes if v.vote_type == "record")
    assert record.names["for"] == ["Italy"]
    assert f"Amina Al-Hashimi ({ARABIC_NAME})" in record.names["against"] and FRENCH_NAME in record.names["against"]
    document = content.build("record", snap)
    secret_blocks = []
    collecting = False
    for block in document.blocks:
        if isinstance(block, content.Heading):
            collecting = "paragraph 1" in block.text
        elif collecting:
            secret_blocks.append(block)
    rendered = " ".join(b.text if isinstance(b, content.Para) else " ".join(" ".join(r) for r in b.rows)
                        for b in secret_blocks if isinstance(b, content.Para | content.Table))
    for name in ("Kenya", "Germany", FRENCH_NAME, ARABIC_NAME, "Spain"):
        assert name not in rendered


# --- rule 35: the record of decisions ------------------------------------------------------------------------------

def test_rule_35_record_of_decisions_per_sitting_cites_symbol_and_paragraph(snap):
    assert snap.last_sitting == 2
    assert "after sitting 2" in snap.status_line
    second = snap.sittings[1]
    items = {d.item: d for d in second.decisions}
    assert set(items) == {"amendment D.1 to paragraph 2", "amendment D.2 to paragraph 2",
                          "amendment D.3 to paragraph 3(b)", "amendment D.4 to paragraph 4", "paragraph 1",
                          "paragraph 2", "paragraph 2bis"}
    assert items["amendment D.4 to paragraph 4"].method == "vote:record"
    assert items["paragraph 1"].method == "vote:secret"
    assert items["paragraph 2bis"].reservations == [RESERVATION]
    assert second.taken[:4] == ["amendment D.1 to paragraph 2", "amendment D.2 to paragraph 2",
                                "amendment D.3 to paragraph 3(b)", "amendment D.4 to paragraph 4"]
    assert "paragraph 1" in second.taken and "paragraph 2" in second.taken
    text = export(snap, "record", "md").decode("utf-8")
    assert f"{snap.symbol}, paragraph 2bis" in text and f"{snap.symbol}, amendment D.4 to paragraph 4" in text
    assert "by vote (record vote)" in text and "by vote (secret ballot)" in text
    assert "Weights" in text and "Quorum" in text and "Majority required" in text
    assert RESERVATION in text and "Segunda sesión" in text and "Items taken:" in text


def test_rule_35_compilation_lists_movers_seconders_text_and_outcomes(snap):
    text = export(snap, "compilation", "md").decode("utf-8")
    for expected in ("D.1 — Paragraph 2", "Kenya", f"Amina Al-Hashimi ({ARABIC_NAME}) (Employers)",
                     "D.3 — Paragraph 3(b)", FRENCH_NAME, "D.4 — Paragraph 4", "Spain", "Italy",
                     "~~should~~<ins>shall</ins>", "rejected — by vote (record vote)"):
        assert expected in text, expected
    assert [a.number for a in snap.amendments] == ["D.1", "D.2", "D.3", "D.4"]


def test_rules_27_28_compilation_shows_group_positions_and_government_statements(snap):
    d4 = snap.amendment("D.4")
    assert [(p.group, p.stance) for p in d4.positions] == [("employer", "oppose"), ("worker", "support")]
    assert [(s.member_state, s.stance) for s in d4.statements] == [("ES", "support")]
    text = export(snap, "compilation", "md").decode("utf-8")
    assert "Employers' group:** oppose — " + EMPLOYER_STATEMENT in text.replace("\\", "")
    assert "Spain:** support — " in text and "España apoya la enmienda" in text
    document = json.loads(export(snap, "draft", "json"))
    d4_json = next(a for a in document["amendments"] if a["number"] == "D.4")
    assert d4_json["statements"][0]["text"] == SPAIN_STATEMENT


def test_french_text_exports_in_french(w):
    snapshot = gather(draft(w), as_of=AS_OF, language="fr")
    text = export(snapshot, "final", "md").decode("utf-8")
    assert FRENCH_2 in text
    assert snapshot.language == "fr" and "This text: French" in text


# --- data: CSV, JSON, Akoma Ntoso ------------------------------------------------------------------------------------

def test_status_csv_neutralises_formulas(snap):
    data = export(snap, "status", "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    cells = [c for row in rows for c in row]
    assert "'=SUM(1) Skills of migrant workers should be recognized everywhere." in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert tabular.neutralise("@cmd") == "'@cmd" and tabular.neutralise("-2+3") == "'-2+3"
    assert tabular.neutralise("Égalité") == "Égalité"
    labels = [row[1] for row in rows[2:]]
    assert labels == ["preamble", "1", "2", "D.1", "D.2", "2bis", "3", "3(a)", "3(b)", "D.3", "4", "D.4"]


@pytest.mark.postgres
def test_json_validates_against_its_published_schema(backend, snap):
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(export(snap, "draft", "json"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["$schema"] == schema["$id"] and document["schema_version"] == "1.0"
    assert {r["label"]: r["final_number"] for r in document["renumbering"]}["2bis"] == "3"
    assert [a["number"] for a in document["amendments"]] == ["D.1", "D.2", "D.3", "D.4"]
    broken = dict(document, schema_version=2)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# Elements the Akoma Ntoso 3.0 schema allows as children (the subset these exports use), from
# akomantoso30.xsd: documentType `doc` (openStructure), `amendmentList` (collectionStructure),
# `amendment` (amendmentStructure), the FRBR identification, hierarchy and block elements.
AKN_CHILDREN = {
    "akomaNtoso": {"doc", "amendmentList", "amendment"},
    "doc": {"meta", "coverPage", "preface", "preamble", "mainBody", "conclusions", "attachments", "components"},
    "amendmentList": {"meta", "coverPage", "preface", "preamble", "collectionBody", "conclusions", "attachments",
                      "components"},
    "amendment": {"meta", "coverPage", "preface", "amendmentBody", "attachments", "components"},
    "meta": {"identification", "publication", "classification", "lifecycle", "workflow", "analysis",
             "temporalData", "references", "notes", "proprietary", "presentation"},
    "identification": {"FRBRWork", "FRBRExpression", "FRBRManifestation", "FRBRItem"},
    "FRBRWork": {"FRBRthis", "FRBRuri", "FRBRalias", "FRBRdate", "FRBRauthor", "componentInfo", "preservation",
                 "FRBRcountry", "FRBRsubtype", "FRBRnumber", "FRBRname", "FRBRprescriptive", "FRBRauthoritative"},
    "FRBRExpression": {"FRBRthis", "FRBRuri", "FRBRalias", "FRBRdate", "FRBRauthor", "componentInfo",
                       "preservation", "FRBRversionNumber", "FRBRlanguage", "FRBRtranslation", "FRBRauthoritative",
                       "FRBRmasterExpression"},
    "FRBRManifestation": {"FRBRthis", "FRBRuri", "FRBRalias", "FRBRdate", "FRBRauthor", "componentInfo",
                          "preservation", "FRBRformat", "portion"},
    "references": {"original", "passiveRef", "activeRef", "jurisprudence", "hasAttachment", "attachmentOf",
                   "TLCPerson", "TLCOrganization", "TLCConcept", "TLCObject", "TLCEvent", "TLCLocation",
                   "TLCProcess", "TLCRole", "TLCTerm", "TLCReference"},
    "preface": {"p", "longTitle", "container", "block", "blockContainer", "formula", "toc", "tblock"},
    "preamble": {"p", "container", "blockContainer", "formula", "recitals", "citations", "block", "tblock"},
    "mainBody": {"part", "paragraph", "chapter", "section", "hcontainer", "p", "container", "blockContainer"},
    "part": {"num", "heading", "subheading", "intro", "paragraph", "chapter", "section", "hcontainer", "wrapUp",
             "content"},
    "paragraph": {"num", "heading", "subheading", "intro", "content", "point", "subparagraph", "list",
                  "hcontainer", "wrapUp"},
    "point": {"num", "heading", "subheading", "intro", "content", "point", "list", "wrapUp"},
    "intro": {"p", "blockList", "container", "blockContainer"},
    "content": {"p", "blockList", "container", "blockContainer", "table"},
    "collectionBody": {"component"},
    "component": {"doc", "amendment", "amendmentList", "interstitial", "documentRef"},
    "amendmentBody": {"amendmentHeading", "amendmentContent", "amendmentReference", "amendmentJustification"},
    "amendmentHeading": {"p", "blockList", "container", "blockContainer"},
    "amendmentContent": {"p", "blockList", "container", "blockContainer"},
    "amendmentReference": {"p", "blockList", "container", "blockContainer"},
    "amendmentJustification": {"p", "blockList", "container", "blockContainer"},
    "interstitial": {"p"},
}
# Required first children and required children (xsd sequences).
AKN_REQUIRED = {
    "doc": ["meta", "mainBody"], "amendmentList": ["meta", "collectionBody"], "amendment": ["meta", "amendmentBody"],
    "identification": ["FRBRWork", "FRBRExpression", "FRBRManifestation"],
    "FRBRWork": ["FRBRthis", "FRBRuri", "FRBRdate", "FRBRauthor", "FRBRcountry"],
    "FRBRExpression": ["FRBRthis", "FRBRuri", "FRBRdate", "FRBRauthor", "FRBRlanguage"],
    "FRBRManifestation": ["FRBRthis", "FRBRuri", "FRBRdate", "FRBRauthor"],
}
INLINE = {"docTitle", "docNumber", "docStatus", "docProponent", "span", "ins", "del", "b", "i"}


def check_akn(element) -> None:
    name = etree.QName(element).localname
    assert etree.QName(element).namespace == AKN[1:-1], name
    children = [etree.QName(c).localname for c in element if isinstance(c.tag, str)]
    if name in AKN_CHILDREN:
        assert set(children) <= AKN_CHILDREN[name], (name, set(children) - AKN_CHILDREN[name])
    if name in AKN_REQUIRED:
        assert set(AKN_REQUIRED[name]) <= set(children), (name, children)
    if name in ("doc", "amendmentList", "amendment"):
        assert children[0] == "meta" and element.get("name")
    if name in ("p", "num", "heading", "docTitle", "docNumber", "docStatus", "docProponent", "span"):
        assert set(children) <= INLINE, (name, children)
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in INLINE | {"FRBRthis"}:
            check_akn(child)


def test_akoma_ntoso_conclusions_doc_has_the_structure_and_numbering(snap):
    root = etree.fromstring(akoma_ntoso.conclusions(snap))
    check_akn(root)
    doc = root.find(f"{AKN}doc")
    assert doc.get("name") == "conclusions"
    assert doc.find(f"{AKN}preface//{AKN}docNumber").text == snap.symbol
    parts = doc.findall(f"{AKN}mainBody/{AKN}part")
    assert [p.find(f"{AKN}num").text for p in parts] == ["I.", "II."]
    numbers = [p.find(f"{AKN}num").text for p in doc.iter(f"{AKN}paragraph")]
    assert numbers == ["1.", "2.", "3.", "4.", "5."]
    four = next(p for p in doc.iter(f"{AKN}paragraph") if p.find(f"{AKN}num").text == "4.")
    assert four.get("class") == "label-3" and four.get("status") == "incomplete"
    assert [pt.find(f"{AKN}num").text for pt in four.findall(f"{AKN}point")] == ["(a)"]
    assert four.find(f"{AKN}intro/{AKN}p") is not None
    ids = [e.get("eId") for e in doc.iter() if e.get("eId")]
    assert len(ids) == len(set(ids))
    assert doc.find(f"{AKN}meta/{AKN}identification/{AKN}FRBRExpression/{AKN}FRBRlanguage").get("language") == "eng"


def test_akoma_ntoso_compilation_is_an_amendment_list_of_amendments(snap):
    root = etree.fromstring(akoma_ntoso.compilation(snap))
    check_akn(root)
    amendments = root.findall(f"{AKN}amendmentList/{AKN}collectionBody/{AKN}component/{AKN}amendment")
    assert [a.find(f".//{AKN}amendmentHeading//{AKN}docNumber").text for a in amendments] == [
        "D.1", "D.2", "D.3", "D.4"]
    first = amendments[0]
    assert first.find(f".//{AKN}docProponent").text == "Kenya"
    content_p = first.find(f"{AKN}amendmentBody/{AKN}amendmentContent/{AKN}p")
    assert [e.text for e in content_p.findall(f"{AKN}del")] == ["should"]
    assert [e.text for e in content_p.findall(f"{AKN}ins")] == ["shall"]
    assert amendments[3].find(f".//{AKN}docStatus").text == "rejected"
    assert "Añadir" in amendments[3].find(f".//{AKN}amendmentJustification/{AKN}p").text


def test_every_export_of_an_empty_draft_works(make_user, make_meeting, make_participant):
    from tests.drafting_world import build

    w = build(make_user, make_meeting, make_participant)
    snapshot = gather(draft(w), as_of=AS_OF)
    assert snapshot.amendments == [] and snapshot.last_sitting is None
    assert "before the first sitting" in snapshot.status_line
    for (kind, fmt), data in every_export(snapshot).items():
        assert data, (kind, fmt)


def test_rule_35_cli_exports_by_symbol_with_the_stated_timestamp(app, w, tmp_path):
    runner = app.test_cli_runner()
    symbol = draft(w).symbol
    result = runner.invoke(args=["forum", "export", symbol, "--kind", "final", "--kind", "status", "--out",
                                 str(tmp_path), "--as-of", f"{AS_OF:{ISO}}"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = symbol.replace("/", "-")
    assert names == [f"{stem}-final-en.{ext}" for ext in ("docx", "html", "md", "pdf")] + [f"{stem}-status-en.csv"]
    assert (tmp_path / f"{stem}-final-en.md").read_bytes() == export(gather(draft(w), as_of=AS_OF), "final", "md")
    assert "after sitting 2" in result.output
    missing = runner.invoke(args=["forum", "export", "NO/SUCH/DRAFT", "--out", str(tmp_path)])
    assert missing.exit_code == 1 and "no draft" in missing.output
    wrong = runner.invoke(args=["forum", "export", symbol, "--kind", "status", "--format", "pdf"])
    assert wrong.exit_code == 1


def test_changes_without_an_amendment_name_who_made_them(make_user, make_meeting, make_participant):
    """A paragraph deleted by the Chair's decision is struck through as such; a new text in another
    language without an amendment is the secretariat's alignment, never blamed on a mover."""
    from forum.db import unit_of_work
    from forum.drafting import drafts
    from tests.drafting_world import build, para

    w = build(make_user, make_meeting, make_participant)
    with unit_of_work():
        drafts.decide_paragraph(w.u["chair"], para(w, "4"), "under_discussion")
        drafts.decide_paragraph(w.u["chair"], para(w, "4"), "deleted")
        drafts.set_translation(w.secretariat, para(w, "1"), language="fr", text="Une migration équitable.")
    with unit_of_work():
        drafts.set_translation(w.secretariat, para(w, "1"), language="fr", text="Une migration de main-d'œuvre "
                               "équitable.")
    snapshot = gather(draft(w), as_of=AS_OF)
    assert {m.label: m.final for m in snapshot.mapping}["4"] is None
    body = part_xml(export(snapshot, "marked", "docx"), "word/document.xml")
    author = f"{{{W_NS['w']}}}author"
    assert {d.get(author) for d in body.xpath("//w:del", namespaces=W_NS)} == {"Decision of the Chair"}
    french = gather(draft(w), as_of=AS_OF, language="fr")
    one = next(p for p in french.paragraphs if p.label == "1")
    assert {c.author for c in one.changes["fr"] if c.op != "equal"} == {"Secretariat (text in this language)"}
