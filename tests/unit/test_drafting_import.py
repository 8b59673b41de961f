"""Reading drafts from DOCX, Markdown and plain text (rule 15's structure): headings are parts,
numbered paragraphs paragraphs, lettered items sub-paragraphs; bad files are refused clearly."""

from __future__ import annotations

import io
import json

import pytest

from forum.drafting.importing import (
    MAX_PARAGRAPHS,
    ParsedDraft,
    decode_text_file,
    parse_docx,
    parse_text,
)
from forum.errors import ValidationFailed

MARKDOWN = """# Draft conclusions on fair recruitment

The Meeting, having met in Geneva,
adopts the following conclusions:

## I. Guiding principles

1. Labour migration should be **fair** for all.
2. Governments should:
   (a) ratify the relevant standards;
   (b) consult the social partners.

## II. Action by the Office

3. The Office should support constituents.
"""


def test_rule_15_markdown_headings_parts_numbered_paragraphs_lettered_items_and_preamble():
    parsed = parse_text(MARKDOWN)
    assert parsed.title == "Draft conclusions on fair recruitment"
    assert parsed.preamble == "The Meeting, having met in Geneva, adopts the following conclusions:"
    assert [p.title for p in parsed.parts] == ["Guiding principles", "Action by the Office"]
    first = parsed.parts[0].paragraphs
    assert first[0].text == "Labour migration should be fair for all."
    assert first[1].subparagraphs == ["ratify the relevant standards;", "consult the social partners."]
    assert parsed.unit_count() == 5 and parsed.warnings == []


def test_plain_text_with_roman_headings_and_renumbering_warnings():
    parsed = parse_text("I. Principles\n\n1. First.\n3. Second, misnumbered.\na) an item\nII. Action\n4. Third.\n"
                        "continued on the next line.\n")
    assert [p.title for p in parsed.parts] == ["Principles", "Action"]
    assert parsed.parts[1].paragraphs[0].text == "Third. continued on the next line."
    assert parsed.parts[0].paragraphs[1].subparagraphs == ["an item"]
    assert any("numbered 3" in w and "paragraph 2" in w for w in parsed.warnings)


def test_no_numbered_paragraph_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        parse_text("Just a letter to the secretariat.\nNothing numbered.")
    assert "numbered" in exc.value.message


def test_a_draft_with_5000_paragraphs_is_refused_clearly():
    text = "\n".join(f"{i}. Paragraph {i}." for i in range(1, 5001))
    with pytest.raises(ValidationFailed) as exc:
        parse_text(text)
    assert f"{MAX_PARAGRAPHS:,}" in exc.value.message


def test_preview_structure_round_trips_and_malformed_structure_is_refused():
    parsed = parse_text(MARKDOWN)
    again = ParsedDraft.from_dict(json.loads(json.dumps(parsed.to_dict())))
    assert again.to_dict() == parsed.to_dict()
    for bad in ([], {"parts": "x"}, {"parts": [{"title": 3, "paragraphs": []}]},
                {"paragraphs": [{"text": "x" * 20_000}]}):
        with pytest.raises(ValidationFailed):
            ParsedDraft.from_dict(bad)
    with pytest.raises(ValidationFailed):
        ParsedDraft.from_dict({"paragraphs": [{"text": "x"}] * (MAX_PARAGRAPHS + 1)})


def docx_bytes(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_rule_15_docx_headings_numbered_and_lettered_paragraphs():
    def build(d):
        d.add_paragraph("Draft conclusions", style="Title")
        d.add_paragraph("The Meeting adopts the following conclusions:")
        d.add_heading("I. Guiding principles", level=1)
        d.add_paragraph("1. Labour migration should be fair.")
        d.add_paragraph("2. Governments should:")
        d.add_paragraph("(a) ratify the standards;")
        d.add_paragraph("(b) consult the social partners.")
        d.add_heading("II. Action by the Office", level=1)
        d.add_paragraph("The Office should support constituents.", style="List Number")
        d.add_paragraph("with research;", style="List Number 2")

    parsed = parse_docx(docx_bytes(build))
    assert parsed.title == "Draft conclusions"
    assert parsed.preamble == "The Meeting adopts the following conclusions:"
    assert [p.title for p in parsed.parts] == ["Guiding principles", "Action by the Office"]
    assert parsed.parts[0].paragraphs[1].subparagraphs == ["ratify the standards;", "consult the social partners."]
    assert parsed.parts[1].paragraphs[0].text == "The Office should support constituents."
    assert parsed.parts[1].paragraphs[0].subparagraphs == ["with research;"]


def test_a_file_that_is_not_a_docx_is_refused():
    for data in (b"%PDF-1.7 not a word file", b"PK\x03\x04 a broken zip", b""):
        with pytest.raises(ValidationFailed) as exc:
            parse_docx(data)
        assert "not a Word document" in exc.value.message
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "a zip, but not a document")
    with pytest.raises(ValidationFailed):
        parse_docx(out.getvalue())


def test_a_docx_with_5000_numbered_paragraphs_is_refused():
    def build(d):
        for i in range(1, 5001):
            d.add_paragraph(f"{i}. Paragraph.")

    with pytest.raises(ValidationFailed) as exc:
        parse_docx(docx_bytes(build))
    assert "1,000" in exc.value.message


def test_text_files_must_be_utf8_text():
    assert decode_text_file("\ufeff1. Paragraphe.".encode()) == "1. Paragraphe."
    with pytest.raises(ValidationFailed):
        decode_text_file("1. Été".encode("latin-1"))
    with pytest.raises(ValidationFailed):
        decode_text_file(b"\x00\x01binary")


def test_tracked_insertions_are_read_and_tracked_deletions_are_not():
    """A Word draft is read with its tracked changes accepted (python-docx alone misses insertions)."""
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def build(d):
        p = d.add_paragraph("1. Governments ")
        p._p.append(parse_xml(f'<w:del {w} w:id="1" w:author="A"><w:r><w:delText>may</w:delText></w:r></w:del>'))
        p._p.append(parse_xml(f'<w:ins {w} w:id="2" w:author="A"><w:r><w:t>should</w:t></w:r></w:ins>'))
        p.add_run(" act.")

    parsed = parse_docx(docx_bytes(build))
    assert parsed.paragraphs[0].text == "Governments should act."


def test_a_heading_without_paragraphs_is_left_out_with_a_warning():
    parsed = parse_text("I. Principles\n\n1. First.\n\nII. Annex\n")
    assert [p.title for p in parsed.parts] == ["Principles"]
    assert any("Annex" in str(w) and "left out" in str(w) for w in parsed.warnings)


# --- issue 5: a draft exported to DOCX imports back to the same structure ------------------------------

def test_rule_15_a_draft_exported_to_docx_imports_back_to_the_same_structure(make_user, make_meeting,
                                                                               make_participant):
    from forum.db import unit_of_work
    from forum.drafting import drafts, queries
    from forum.exports import service
    from forum.exports.model import gather
    from forum.extensions import db
    from forum.meetings.models import Meeting
    from tests.drafting_world import build, draft, structure

    w = build(make_user, make_meeting, make_participant, open_draft=False)
    expected = {**structure().to_dict(), "title": "Draft conclusions"}
    for kind in ("final", "marked"):  # the final text (renumbered) and the text with its negotiation labels
        parsed = parse_docx(service.render(gather(draft(w)), kind, "docx").data)
        assert parsed.to_dict() == expected, kind
        warnings = [str(x) for x in parsed.warnings]
        assert any("title page" in x for x in warnings) and any("[pending]" in x for x in warnings)
    with unit_of_work():
        again = drafts.create_draft(w.secretariat, db.session.get(Meeting, w.meeting.id), title=parsed.title,
                                    symbol="X/AGAIN", original_language="en", structure=parsed)
    labels = [p.label for p in db.session.scalars(queries.paragraphs_of_draft(again.id))]
    assert labels == [p.label for p in db.session.scalars(queries.paragraphs_of_draft(w.draft_id))]


def test_a_negotiated_draft_exported_to_docx_imports_as_its_text_stands(make_user, make_meeting, make_participant):
    """Adopted changes in, a deleted sub-paragraph out, 5bis a paragraph of its own — each said."""
    from forum.exports import service
    from forum.exports.model import gather
    from tests.drafting_world import TEXTS, draft
    from tests.exports_world import negotiated

    w = negotiated(make_user, make_meeting, make_participant)
    snapshot = gather(draft(w))
    final = parse_docx(service.render(snapshot, "final", "docx").data)
    marked = parse_docx(service.render(snapshot, "marked", "docx").data)
    assert final.to_dict() == marked.to_dict()
    principles, recruitment = marked.parts
    assert [p.text for p in principles.paragraphs] == [
        TEXTS["1"], TEXTS["2"].replace("should", "shall"),
        "Social dialogue, including négociation collective, should shape migration policy."]
    assert recruitment.paragraphs[0].subparagraphs == [TEXTS["3(a)"]]  # 3(b) was deleted
    warnings = [str(x) for x in marked.warnings]
    assert "Paragraph numbered 2bis in the file becomes paragraph 3." in warnings
    assert any("3(b)" in x and "deleted" in x for x in warnings)
    assert any("Numbering of the final text" in str(x) for x in final.warnings)  # its table's heading
