"""The draft and its amendments in the meeting's languages (rules 15, 20, 23 and 35; issue 14).

The secretariat gives each paragraph its text in the other languages, by hand (drafts.set_translation)
or by importing a translated file aligned paragraph by paragraph with the draft; it adds the
translations of each amendment before circulating it. Nothing here decides anything: the pages
show which language versions exist, which are missing and which are older than the text they
translate, so that nobody reads an out-of-date version without knowing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import diff, queries
from forum.drafting.drafts import set_translation
from forum.drafting.events import publish_amendment
from forum.drafting.importing import MAX_TEXT, ParsedDraft
from forum.drafting.models import (
    Amendment,
    AmendmentKind,
    Draft,
    Paragraph,
    ParagraphKind,
    ParagraphText,
)
from forum.errors import NotAllowed, ValidationFailed
from forum.extensions import db
from forum.languages.models import AmendmentTranslation, PartTranslation, source_digest

LANGUAGES = ("en", "fr", "es")


def draft_languages(draft: Draft) -> list[str]:
    """The meeting's languages, the draft's original first."""
    codes = [c for c in draft.meeting.language_list if c in LANGUAGES]
    return [draft.original_language, *(c for c in codes if c != draft.original_language)]


# --- which versions exist ---------------------------------------------------------------------------

def outdated_languages(latest: dict[str, ParagraphText]) -> set[str]:
    """Languages whose text is older than an adopted change in another language: the amendment
    changed the words there, and this language has not been brought up to date since."""
    changes = [t.created_at for t in latest.values() if t.amendment_id is not None]
    return {code for code, text in latest.items()
            if any(when > text.created_at for when in changes) and text.amendment_id is None}


@dataclass
class ParagraphLanguages:
    paragraph: Paragraph
    texts: dict[str, ParagraphText]  # the latest text per language
    outdated: set[str]


@dataclass
class Coverage:
    """Per language: the paragraphs without a text in it, and those whose text is out of date."""

    languages: list[str]
    rows: list[ParagraphLanguages]
    missing: dict[str, list[str]] = field(default_factory=dict)
    outdated: dict[str, list[str]] = field(default_factory=dict)

    def complete(self, language: str) -> bool:
        return not self.missing.get(language) and not self.outdated.get(language)


def coverage(draft: Draft) -> Coverage:
    languages = draft_languages(draft)
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    latest = queries.current_texts(draft.id)
    result = Coverage(languages, [], {c: [] for c in languages}, {c: [] for c in languages})
    for p in paragraphs:
        texts = {c: latest[(p.id, c)] for c in languages if (p.id, c) in latest}
        old = outdated_languages(texts)
        result.rows.append(ParagraphLanguages(p, texts, old))
        if p.state.value == "deleted":
            continue  # struck from the text: nothing to translate any more
        for code in languages:
            if code not in texts:
                result.missing[code].append(p.label)
            elif code in old:
                result.outdated[code].append(p.label)
    return result


# --- importing a translated draft ---------------------------------------------------------------------

def _sections(draft: Draft) -> tuple[Paragraph | None, list[tuple[Any, list[Paragraph]]], dict[int, list[Paragraph]]]:
    """The draft's preamble, its paragraphs by part in document order, and each one's sub-paragraphs."""
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    parts = list(db.session.scalars(queries.parts_of_draft(draft.id)))
    preamble = next((p for p in paragraphs if p.kind is ParagraphKind.preamble), None)
    subs: dict[int, list[Paragraph]] = {}
    for p in paragraphs:
        if p.kind is ParagraphKind.subparagraph and p.parent_id is not None:
            subs.setdefault(p.parent_id, []).append(p)
    top = [p for p in paragraphs if p.kind is ParagraphKind.paragraph]
    sections: list[tuple[Any, list[Paragraph]]] = [(None, [p for p in top if p.part_id is None])]
    sections += [(part, [p for p in top if p.part_id == part.id]) for part in parts]
    return preamble, sections, subs


def _span(paragraphs: list[Paragraph]) -> str:
    if not paragraphs:
        return ""
    return paragraphs[0].label if len(paragraphs) == 1 else f"{paragraphs[0].label}–{paragraphs[-1].label}"


def align(draft: Draft, parsed: ParsedDraft) -> list[tuple[Paragraph, str]]:
    """Pair each unit of the translated file with the draft's paragraph in the same place, or say
    where the two part ways: same preamble, same parts, same paragraphs in each part, same
    sub-paragraphs under each paragraph. Nothing is guessed: a file that does not align is refused."""
    preamble, sections, subs = _sections(draft)
    pairs: list[tuple[Paragraph, str]] = []

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed("The file does not align with the draft paragraph by paragraph.", {"file": [message]})

    if preamble is not None and not parsed.preamble:
        raise refuse("The draft has a preamble; the file has no text before its first paragraph.")
    if preamble is None and parsed.preamble:
        raise refuse("The file has text before its first paragraph; the draft has no preamble.")
    if preamble is not None:
        pairs.append((preamble, parsed.preamble))
    file_sections = [parsed.paragraphs, *(part.paragraphs for part in parsed.parts)]
    draft_parts = len(sections) - 1
    if len(parsed.parts) != draft_parts:
        raise refuse(f"The draft has {draft_parts} parts; the file has {len(parsed.parts)} headings.")
    for (part, paragraphs), translated in zip(sections, file_sections, strict=True):
        where = f"part {part.numeral}" if part is not None else "before the first part"
        if len(paragraphs) != len(translated):
            raise refuse(f"In {where} the draft has {len(paragraphs)} paragraphs ({_span(paragraphs)}); "
                         f"the file has {len(translated)}.")
        for original, unit in zip(paragraphs, translated, strict=True):
            mine = subs.get(original.id, [])
            if len(mine) != len(unit.subparagraphs):
                raise refuse(f"Paragraph {original.label} has {len(mine)} sub-paragraphs in the draft; "
                             f"the file has {len(unit.subparagraphs)} under its paragraph in that place.")
            if not unit.text and not mine:
                raise refuse(f"Paragraph {original.label} has no text in the file.")
            if unit.text:
                pairs.append((original, unit.text))
            pairs.extend(zip(mine, unit.subparagraphs, strict=True))
    return pairs


def import_translation(actor: Any, draft: Draft, *, language: str, parsed: ParsedDraft) -> int:
    """Save the file's texts as the draft's `language` version, paragraph by paragraph; return how
    many paragraphs changed (an import of the same file again changes none)."""
    if not permissions.can_translate_draft(actor, draft):
        raise NotAllowed("Only the meeting secretariat adds the texts in other languages.")
    if language not in draft_languages(draft):
        raise ValidationFailed("Choose one of the meeting's languages.",
                               {"language": ["Choose one of the meeting's languages."]})
    if language == draft.original_language:
        raise ValidationFailed("The original text changes only through amendments; choose another language.",
                               {"language": ["The original text changes only through amendments; "
                                             "choose another language."]})
    pairs = align(draft, parsed)
    titles = _set_part_titles(draft, language, [part.title for part in parsed.parts])
    changed = 0
    for paragraph, text in pairs:
        text = diff.normalise(text)
        if not text:
            continue
        current = queries.current_text(paragraph.id, language)
        if current is not None and current.text == text:
            continue
        set_translation(actor, paragraph, language=language, text=text)
        changed += 1
    record(actor, "draft.import_translation", draft, {"language": language, "paragraphs": changed,
                                                      "part_titles": titles},
           meeting_id=draft.meeting_id)
    return changed


def _set_part_titles(draft: Draft, language: str, titles: list[str]) -> int:
    """The parts' titles in `language`, in order (align() has checked there are as many)."""
    parts = list(db.session.scalars(queries.parts_of_draft(draft.id)))
    existing = part_titles(draft.id)
    changed = 0
    for part, title in zip(parts, titles, strict=True):
        title = diff.normalise(title)[:300]
        if not title or existing.get((part.id, language)) == title:
            continue
        row = db.session.scalar(sa.select(PartTranslation).where(PartTranslation.part_id == part.id,
                                                                 PartTranslation.language == language))
        if row is None:
            db.session.add(PartTranslation(part_id=part.id, language=language, title=title))
        else:
            row.title = title
        changed += 1
    return changed


def part_titles(draft_id: int) -> dict[tuple[int, str], str]:
    """(part id, language) → the part's title in that language (the original's is on the part)."""
    from forum.drafting.models import Part

    rows = db.session.execute(sa.select(PartTranslation.part_id, PartTranslation.language, PartTranslation.title)
                              .join(Part, Part.id == PartTranslation.part_id).where(Part.draft_id == draft_id))
    return {(part_id, language): title for part_id, language, title in rows}


# --- amendments in the three languages -----------------------------------------------------------------

@dataclass
class LanguageVersion:
    language: str
    state: str  # original | translated | outdated | missing
    translation: AmendmentTranslation | None = None


def translations_of(amendment_ids: Iterable[int]) -> dict[int, dict[str, AmendmentTranslation]]:
    ids = list(amendment_ids)
    found: dict[int, dict[str, AmendmentTranslation]] = {i: {} for i in ids}
    if not ids:
        return found
    for t in db.session.scalars(sa.select(AmendmentTranslation).where(AmendmentTranslation.amendment_id.in_(ids))):
        found[t.amendment_id][t.language] = t
    return found


def language_versions(amendment: Amendment, translations: dict[str, AmendmentTranslation],
                      languages: list[str]) -> list[LanguageVersion]:
    """Each of the meeting's languages for this amendment: the one it was written in, the
    translations (out of date when the mover changed the text since), and those still missing."""
    versions = [LanguageVersion(amendment.language, "original")]
    for code in languages:
        if code == amendment.language:
            continue
        t = translations.get(code)
        if t is None:
            versions.append(LanguageVersion(code, "missing"))
        else:
            versions.append(LanguageVersion(code, "translated" if current(t, amendment) else "outdated", t))
    return versions


def current(translation: AmendmentTranslation, amendment: Amendment) -> bool:
    """The translation still renders the amendment's words as they are now."""
    return translation.source_digest == source_digest(amendment.text, amendment.explanation)


def missing_languages(amendment: Amendment, translations: dict[str, AmendmentTranslation],
                      languages: list[str]) -> list[str]:
    return [v.language for v in language_versions(amendment, translations, languages)
            if v.state in {"missing", "outdated"}]


def set_amendment_translation(actor: Any, amendment: Amendment, *, language: str, text: str,
                              explanation: str = "") -> AmendmentTranslation:
    """The amendment's words (and its explanation) in another of the meeting's languages."""
    if not permissions.can_translate_amendment(actor, amendment):
        raise NotAllowed("Only the meeting secretariat adds the translations of an amendment.")
    errors: dict[str, list[str]] = {}
    if language not in draft_languages(amendment.draft):
        errors["language"] = ["Choose one of the meeting's languages."]
    elif language == amendment.language:
        errors["language"] = ["The amendment is written in this language; choose another one."]
    text = diff.normalise(text)
    explanation = (explanation or "").strip()
    if amendment.kind is AmendmentKind.delete:
        text = ""  # a deletion has no words of its own; only its explanation is translated
    elif not text:
        errors["text"] = ["Enter the amendment's text in this language."]
    if len(text) > MAX_TEXT or len(explanation) > MAX_TEXT:
        errors.setdefault("text" if len(text) > MAX_TEXT else "explanation", []).append(
            "Use at most 10,000 characters.")
    if errors:
        raise ValidationFailed("The translation could not be saved.", errors)
    translation = db.session.scalar(sa.select(AmendmentTranslation).where(
        AmendmentTranslation.amendment_id == amendment.id, AmendmentTranslation.language == language))
    digest = source_digest(amendment.text, amendment.explanation)
    if translation is not None and (translation.text, translation.explanation, translation.source_digest) == (
            text, explanation, digest):
        raise ValidationFailed("The translation is the same as the current one.", {"text": ["Nothing changed."]})
    if translation is None:
        translation = AmendmentTranslation(amendment_id=amendment.id, language=language, created_by_id=actor.id)
        db.session.add(translation)
    translation.text, translation.explanation, translation.revision = text, explanation, amendment.revision
    translation.source_digest = digest
    translation.updated_at = utcnow()
    db.session.flush()
    record(actor, "amendment.translate", amendment, {"number": amendment.number, "language": language,
                                                     "revision": amendment.revision},
           meeting_id=amendment.draft.meeting_id)
    publish_amendment(amendment, "translate")
    return translation


def reading_text(amendment: Amendment, translations: dict[str, AmendmentTranslation],
                 language: str) -> tuple[str, str, str]:
    """(text, explanation, language shown) for a reader of `language`: the translation when there
    is an up-to-date one, else the words as written."""
    t = translations.get(language)
    if language != amendment.language and t is not None and current(t, amendment):
        return t.text, t.explanation, language
    return amendment.text, amendment.explanation, amendment.language

