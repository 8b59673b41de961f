"""Reading a draft from a Word file (DOCX) or from Markdown / plain text (rule 15's structure).

The conventions are the same for both: a heading starts a part ("I. Fair recruitment" or a Word
heading style), a numbered line starts a paragraph ("3." or Word's automatic numbering), a lettered
line starts a sub-paragraph ("(a)", "a)" or a second-level list item), and text before the first
heading and the first paragraph is the preamble. Numbers are given again, through the whole text;
anything that differs from the file, or that had to be guessed, is reported as a warning for the
preview — nothing is dropped silently.

A Word file is read as it stands with its tracked changes accepted (insertions in, deletions out).
The platform's own DOCX exports import back to the same structure (issue 5's round trip): their
title page and notes (the Subtitle, Meta and Note styles), the "[pending]" marks and amendment
numbers they add in italics, the struck-out text of deleted paragraphs and the closing table of
final numbers are left out, each with a warning; the marked text's negotiation labels (3, 3(a),
5bis), a bold label and a tab, are read as paragraph numbers and letters.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l

from forum.drafting.diff import normalise
from forum.errors import ValidationFailed
from forum.security import UnsafeArchive, check_zip

MAX_PARAGRAPHS = 1000  # paragraphs and sub-paragraphs: a draft beyond this is a mistake, not a draft
MAX_TEXT = 10_000  # characters in one paragraph
MAX_TITLE = 300
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_BYTES = 64 * 1024 * 1024  # a DOCX draft unpacked (XML and images); beyond it, a zip bomb

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ROMAN_HEADING = re.compile(r"^(?:part\s+)?([IVXLC]+)[.:)\s–-]\s*(.+)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,4})[.)]\s+(.*)$")
_LETTERED = re.compile(r"^(?:\(([a-z]{1,2})\)|([a-z]{1,2})\)|([a-z])\.)\s+(.*)$")
_LIST_MARK = re.compile(r"^[-*+]\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*|\*(?!\w)")
_ROMAN_PREFIX = re.compile(r"^(?:part\s+)?[IVXLC]+[.:)–-]\s*", re.IGNORECASE)
# A negotiation label as the marked export writes it before a tab: 3, 3(a), 5bis, 5bis(b).
_NEGOTIATION_LABEL = re.compile(r"^(\d{1,4})([a-z]{0,10})(?:\(([a-z]{1,2})\))?$")
# The amendment numbers the marked export adds after a changed paragraph: " (D.1, D.3)".
_AMENDMENT_REFS = re.compile(r"^\(\s*[^\s(),]+\.\d+(?:\s*,\s*[^\s(),]+\.\d+)*\s*\)$")
_BRACKETED = re.compile(r"^\[([^\[\]]{1,120})\]$")
# Word styles of an export's title page and notes: not the draft's text.
EXPORT_FRONT_STYLES = frozenset({"subtitle", "meta", "note"})
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NOT_READ = frozenset({f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent"})
_OFF = frozenset({"0", "false", "off", "none"})


class Note:
    """A warning of the preview, put into the reader's language when it is shown.

    Deliberately not a lazy string with its values inside: those have `__html__` and would reach
    the page unescaped, and a warning quotes the file (a heading's title)."""

    __slots__ = ("message", "values")

    def __init__(self, message: Any, **values: Any) -> None:
        self.message, self.values = message, values

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.values if self.values else text

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other) if isinstance(other, (Note, str)) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"Note({str(self)!r})"


@dataclass
class ParsedParagraph:
    text: str
    subparagraphs: list[str] = field(default_factory=list)


@dataclass
class ParsedPart:
    title: str
    paragraphs: list[ParsedParagraph] = field(default_factory=list)


@dataclass
class ParsedDraft:
    """A draft's structure before it is saved: what the preview shows and the service creates."""

    title: str = ""
    preamble: str = ""
    paragraphs: list[ParsedParagraph] = field(default_factory=list)  # before the first part
    parts: list[ParsedPart] = field(default_factory=list)
    warnings: list[Note | str] = field(default_factory=list)  # shown in the reader's language

    def all_paragraphs(self) -> list[ParsedParagraph]:
        return [*self.paragraphs, *(p for part in self.parts for p in part.paragraphs)]

    def unit_count(self) -> int:
        return sum(1 + len(p.subparagraphs) for p in self.all_paragraphs())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("warnings")
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ParsedDraft:
        """Read back the structure the preview carried; anything malformed is refused."""
        def text(value: Any, limit: int = MAX_TEXT) -> str:
            if not isinstance(value, str) or len(value) > limit:
                raise _malformed()
            return normalise(value)

        def paragraph(value: Any) -> ParsedParagraph:
            if not isinstance(value, dict) or not isinstance(value.get("subparagraphs", []), list):
                raise _malformed()
            return ParsedParagraph(text(value.get("text")), [text(s) for s in value.get("subparagraphs", [])])

        if not isinstance(data, dict) or not isinstance(data.get("parts", []), list) \
                or not isinstance(data.get("paragraphs", []), list):
            raise _malformed()
        parts = []
        for part in data.get("parts", []):
            if not isinstance(part, dict) or not isinstance(part.get("paragraphs", []), list):
                raise _malformed()
            parts.append(ParsedPart(text(part.get("title"), MAX_TITLE), [paragraph(p) for p in part["paragraphs"]]))
        parsed = cls(title=text(data.get("title", ""), MAX_TITLE), preamble=text(data.get("preamble", "")),
                     paragraphs=[paragraph(p) for p in data.get("paragraphs", [])], parts=parts)
        check_size(parsed.unit_count())
        return parsed


def _malformed() -> ValidationFailed:
    return ValidationFailed("The draft's structure could not be read; import the file again.",
                            {"structure": ["Import the file again."]})


def check_size(count: int) -> None:
    if count > MAX_PARAGRAPHS:
        raise ValidationFailed(
            f"The draft has {count:,} paragraphs and sub-paragraphs; at most {MAX_PARAGRAPHS:,} can be imported. "
            "Check that the file is the draft and that its paragraphs are not split line by line.",
            {"file": [f"At most {MAX_PARAGRAPHS:,} paragraphs."]}, count=count)


# --- blocks: what each line or Word paragraph is ------------------------------------------------------

@dataclass
class Block:
    kind: str  # title | heading | numbered | lettered | plain | blank
    text: str = ""
    mark: str = ""  # the number or letter as written, "" when the numbering is Word's own
    level: int = 0  # of a Markdown heading
    notes: tuple[Any, ...] = ()  # warnings about what reading this block left out


def _clean(text: str) -> str:
    return normalise(_EMPHASIS.sub("", text))


def classify(line: str) -> Block:
    """A line of Markdown or plain text."""
    stripped = line.strip()
    if not stripped:
        return Block("blank")
    heading = _MD_HEADING.match(stripped)
    if heading:
        return Block("heading", _clean(_ROMAN_PREFIX.sub("", _clean(heading.group(2)))),
                     level=len(heading.group(1)))
    stripped = _LIST_MARK.sub("", stripped)
    cleaned = _clean(stripped)
    numbered = _NUMBERED.match(cleaned)
    if numbered:
        return Block("numbered", numbered.group(2).strip(), numbered.group(1))
    lettered = _LETTERED.match(cleaned)
    if lettered:
        letter = lettered.group(1) or lettered.group(2) or lettered.group(3)
        return Block("lettered", lettered.group(4).strip(), letter)
    roman_heading = _ROMAN_HEADING.match(cleaned)
    if roman_heading and len(cleaned) <= MAX_TITLE and not cleaned.endswith((".", ";", ",")):
        return Block("heading", roman_heading.group(2).strip())
    return Block("plain", cleaned)


def assemble(blocks: list[Block]) -> ParsedDraft:
    """Turn classified blocks into parts, paragraphs and sub-paragraphs, numbering them afresh."""
    draft = ParsedDraft()
    current: ParsedParagraph | None = None
    current_is_sub = False
    ended = True  # a blank line (or a new block) closed the last unit
    number = 0
    units = 0
    preamble: list[str] = []

    def paragraphs() -> list[ParsedParagraph]:
        return draft.parts[-1].paragraphs if draft.parts else draft.paragraphs

    for block in blocks:
        if block.kind == "blank":
            ended = True
            continue
        if block.kind == "title":
            if not draft.title:
                draft.title = block.text[:MAX_TITLE]
            continue
        if block.kind == "heading":
            draft.parts.append(ParsedPart(block.text[:MAX_TITLE]))
            current, ended = None, True
            continue
        if block.kind == "numbered":
            number += 1
            units += 1
            check_size(units)
            if block.mark and block.mark != str(number):
                draft.warnings.append(Note(_l("Paragraph numbered %(mark)s in the file becomes paragraph %(number)d."),
                                         mark=block.mark, number=number))
            current, current_is_sub, ended = ParsedParagraph(block.text), False, False
            paragraphs().append(current)
            continue
        if block.kind == "lettered":
            if current is None:
                # A lettered item with no paragraph above it: it starts an unnumbered paragraph.
                number += 1
                units += 1
                current = ParsedParagraph("")
                paragraphs().append(current)
                draft.warnings.append(Note(_l("Lettered items before any numbered paragraph were put under paragraph "
                                            "%(number)d."), number=number))
            units += 1
            check_size(units)
            expected = chr(ord("a") + len(current.subparagraphs)) if len(current.subparagraphs) < 26 else ""
            if block.mark and block.mark != expected:
                draft.warnings.append(Note(_l("Item (%(mark)s) of paragraph %(number)d becomes item (%(letter)s)."),
                                         mark=block.mark, number=number, letter=expected or "?"))
            current.subparagraphs.append(block.text)
            current_is_sub, ended = True, False
            continue
        # Plain text: the preamble, or more of the paragraph above.
        if current is None and not draft.parts and not draft.paragraphs:
            preamble.append(block.text)
            continue
        if current is None:
            number += 1
            units += 1
            check_size(units)
            current, current_is_sub = ParsedParagraph(block.text), False
            paragraphs().append(current)
            draft.warnings.append(Note(_l("Unnumbered text at the start of a part became paragraph %(number)d."),
                                     number=number))
            ended = False
            continue
        if ended:
            draft.warnings.append(Note(_l("Unnumbered text after paragraph %(number)d was joined to it."),
                                       number=number))
        if current_is_sub:
            current.subparagraphs[-1] = normalise(f"{current.subparagraphs[-1]} {block.text}")
        else:
            current.text = normalise(f"{current.text} {block.text}")
        ended = False
    draft.preamble = normalise(" ".join(preamble))
    for part in draft.parts:
        if not part.paragraphs:  # an annex's heading, a table's: not a part of the draft
            draft.warnings.append(Note(_l("The heading “%(title)s” has no paragraph under it; it was left out."),
                                     title=part.title))
    draft.parts = [part for part in draft.parts if part.paragraphs]
    for p in draft.all_paragraphs():
        if len(p.text) > MAX_TEXT or any(len(s) > MAX_TEXT for s in p.subparagraphs):
            raise ValidationFailed(f"A paragraph is longer than {MAX_TEXT:,} characters; check the file.",
                                   {"file": [f"Paragraphs of at most {MAX_TEXT:,} characters."]})
    if not draft.all_paragraphs():
        raise ValidationFailed("No numbered paragraph was found: number the paragraphs 1., 2., 3. …",
                               {"file": ["No numbered paragraph was found."]})
    return draft


def parse_text(text: str) -> ParsedDraft:
    """Markdown or plain text with the conventions above."""
    if len(text.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        raise ValidationFailed("The text is too long to be a draft.", {"text": ["At most 2 MB of text."]})
    blocks = [classify(line) for line in text.splitlines()]
    # "# Title" first, with "## Part" headings below it: the first heading is the draft's title.
    first = next((b for b in blocks if b.kind != "blank"), None)
    if first is not None and first.kind == "heading" and first.level == 1 and any(
            b.kind == "heading" and b.level > 1 for b in blocks):
        first.kind = "title"
    return assemble(blocks)


def decode_text_file(data: bytes) -> str:
    """A .md or .txt upload: UTF-8 (with or without a byte-order mark), or refused."""
    if b"\x00" in data[:4096]:
        raise ValidationFailed("This file is not a text file; upload a DOCX, Markdown or plain text file.",
                               {"file": ["Not a text file."]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The text file is not UTF-8; save it as UTF-8 and upload it again.",
                               {"file": ["Not UTF-8 text."]}) from exc


def parse_docx(data: bytes) -> ParsedDraft:
    """A Word document: heading styles are parts, numbered paragraphs paragraphs, second-level list
    items and lettered lines sub-paragraphs; a Title-style paragraph is the draft's title."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    not_docx = ValidationFailed("This file is not a Word document (DOCX). Save it as .docx and upload it again.",
                                {"file": ["Not a DOCX file."]})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed("The file is larger than 10 MB; a draft is much smaller.", {"file": ["At most 10 MB."]})
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_docx
    try:
        # A draft's package is small: refuse a zip bomb before python-docx inflates anything.
        check_zip(io.BytesIO(data), max_expanded=MAX_EXPANDED_BYTES)
    except UnsafeArchive as exc:
        raise ValidationFailed("This Word file expands to far more than a draft could hold; save it again "
                               "from Word and upload that.", {"file": ["Too large once unpacked."]}) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise not_docx from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise not_docx from exc
    except Exception as exc:  # a damaged package can fail in many ways inside python-docx and lxml
        raise not_docx from exc
    blocks = []
    count = 0
    for paragraph in document.paragraphs:
        block = _docx_block(paragraph)
        if block.kind in ("numbered", "lettered"):
            count += 1
            check_size(count)
        blocks.append(block)
        blocks.append(Block("blank"))  # a Word paragraph ends where it ends
    parsed = assemble(blocks)
    notes = dict.fromkeys(note for block in blocks for note in block.notes)
    parsed.warnings.extend(notes)
    if document.tables:
        parsed.warnings.append(Note(_l("The file has tables; tables are not imported.")))
    return parsed


@dataclass
class _Piece:
    """A run of a Word paragraph as it reads: its text (a tab as "\\t") and its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


def _on(rpr: Any, tag: str) -> bool:
    element = rpr.find(f"{_W}{tag}") if rpr is not None else None
    return element is not None and (element.get(f"{_W}val") or "on").lower() not in _OFF


def _pieces(paragraph: Any) -> list[_Piece]:
    """The paragraph's runs with tracked changes accepted: inserted text is read, deleted (or moved
    away) text is not; text boxes anchored in the paragraph are not its text. python-docx's
    `paragraph.text` would miss every tracked insertion."""
    p = paragraph._p
    pieces = []
    for run in p.iter(f"{_W}r"):
        ancestor, hidden = run.getparent(), False
        while ancestor is not None and ancestor is not p:
            if ancestor.tag in _NOT_READ:
                hidden = True
                break
            ancestor = ancestor.getparent()
        if hidden:
            continue
        text = []
        for child in run:
            if child.tag == f"{_W}t":
                text.append(child.text or "")
            elif child.tag in (f"{_W}tab", f"{_W}ptab"):
                text.append("\t")
            elif child.tag in (f"{_W}br", f"{_W}cr"):
                text.append(" ")
        if text:
            rpr = run.find(f"{_W}rPr")
            pieces.append(_Piece("".join(text), _on(rpr, "b"), _on(rpr, "i")))
    return pieces


@cache
def _pending_words() -> frozenset[str]:
    """"pending" in the interface languages: the word the exports put in brackets after a paragraph
    not yet adopted ("[pending]", "[pending: deferred]")."""
    from babel.support import Translations

    from forum.i18n import LANGUAGES, TRANSLATIONS

    words = {"pending"}
    for language in LANGUAGES:
        words.add(Translations.load(str(TRANSLATIONS), [language]).gettext("pending"))
    return frozenset(w.casefold() for w in words)


def _export_mark(piece: _Piece) -> bool:
    """An italic note an export adds after a paragraph's words: its state or its amendments."""
    text = piece.text.strip()
    if not piece.italic or not text:
        return False
    if _AMENDMENT_REFS.match(text):
        return True
    bracketed = _BRACKETED.match(text)
    return bracketed is not None and bracketed.group(1).split(":")[0].strip().casefold() in _pending_words()


EXPORT_MARKS_LEFT_OUT = Note(_l("The notes an export adds after a paragraph (“[pending]”, amendment numbers) were "
                                "left out of its text."))
FRONT_LEFT_OUT = Note(_l("The title page and notes of the file (its symbol, status and languages) were left out."))


def _docx_block(paragraph: Any) -> Block:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    lowered = style.lower()
    pieces = _pieces(paragraph)
    if not _clean("".join(piece.text for piece in pieces)):
        return Block("blank")
    if lowered in EXPORT_FRONT_STYLES:
        return Block("blank", notes=(FRONT_LEFT_OUT,))
    label = None
    if len(pieces) >= 2 and pieces[0].bold and pieces[1].text.startswith("\t"):
        label = _NEGOTIATION_LABEL.match(pieces[0].text.strip())
        if label is not None:
            pieces = pieces[1:]
    notes: tuple[Any, ...] = ()
    while pieces and (not pieces[-1].text.strip() or _export_mark(pieces[-1])):
        if pieces[-1].text.strip():
            notes = (EXPORT_MARKS_LEFT_OUT,)
        pieces.pop()
    text = _clean("".join(piece.text for piece in pieces))
    if label is not None:
        # The marked export: "3(a)<tab>text". A paragraph whose words were all struck out is deleted.
        name = label.group(0)
        if not text:
            return Block("blank", notes=(*notes, Note(_l("Paragraph %(label)s has no text left (it was deleted); it "
                                                        "was left out."), label=name)))
        if label.group(3):
            return Block("lettered", text, label.group(3), notes=notes)
        return Block("numbered", text, label.group(1) if not label.group(2) else name, notes=notes)
    if not text:
        return Block("blank", notes=notes)
    if lowered == "title":
        return Block("title", text, notes=notes)
    if lowered.startswith("heading"):
        return Block("heading", _clean(_ROMAN_PREFIX.sub("", text)), notes=notes)
    level = _list_level(paragraph, lowered)
    written = classify(text)
    written.notes = notes
    if level is None:
        return written if written.kind != "heading" else Block("heading", written.text, notes=notes)
    # Word numbers the paragraph itself; a number typed as well is taken as written.
    if written.kind in ("numbered", "lettered"):
        return written
    return Block("numbered" if level == 0 else "lettered", text, notes=notes)


def _list_level(paragraph: Any, style: str) -> int | None:
    """The list level of a paragraph Word numbers automatically, or None."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    if num_pr is not None and num_pr.numId is not None and num_pr.numId.val != 0:
        return int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
    if style.startswith("list number"):
        rest = style.removeprefix("list number").strip()
        return int(rest) - 1 if rest.isdigit() else 0
    return None
