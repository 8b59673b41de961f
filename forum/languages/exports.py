"""The status table with the texts in the meeting's languages side by side (issue 14).

The same rows as the status table (forum/exports/tabular.py), in the same order; its one "Text"
column becomes one column per language. A paragraph's text comes from the draft's language
versions, an amendment's from its own language and the secretariat's translations; a cell with no
version in that language says so rather than staying empty, so the reader can tell "missing" from
"deleted".
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.drafting.labels import language_label
from forum.drafting.models import Amendment
from forum.exports import tabular
from forum.exports.model import Snapshot
from forum.extensions import db
from forum.languages.models import AmendmentTranslation
from forum.languages.services import current, translations_of


def gather_translations(s: Snapshot) -> tuple[dict[int, dict[str, AmendmentTranslation]], set[tuple[int, str]]]:
    """The amendments' translations, and which of them are older than the amendment's words."""
    ids = [a.id for a in s.amendments]
    translations = translations_of(ids)
    amendments = {a.id: a for a in db.session.scalars(sa.select(Amendment).where(Amendment.id.in_(ids)))} if ids \
        else {}
    stale = {(i, code) for i, found in translations.items() for code, t in found.items()
             if not current(t, amendments[i])}
    return translations, stale


def side_by_side_rows(s: Snapshot, translations: dict[int, dict[str, AmendmentTranslation]],
                      stale: set[tuple[int, str]]) -> list[list[str]]:
    rows = tabular.status_rows(s)
    header, body = rows[0], rows[1:]
    missing, late = _("[no text in this language]"), _("[older than the text it translates]")
    texts: list[list[str]] = []
    by_paragraph: dict[int, list] = {}
    for a in s.amendments:
        by_paragraph.setdefault(a.paragraph_id, []).append(a)
    for p in s.paragraphs:
        texts.append([(p.text(code) + (f" {late}" if code in p.outdated else "")) if p.text(code) else missing
                      for code in s.languages])
        for a in by_paragraph.get(p.id, []):
            cells = []
            for code in s.languages:
                t = translations.get(a.id, {}).get(code)
                if code == a.language:
                    cells.append(a.text or a.explanation)
                elif t is None:
                    cells.append(missing)
                else:
                    cells.append((t.text or t.explanation) + (f" {late}" if (a.id, code) in stale else ""))
            texts.append(cells)
    if len(texts) != len(body):
        raise RuntimeError("the status table's rows are no longer one per paragraph and amendment")
    names = [_("Text (%(language)s)", language=language_label(code)) for code in s.languages]
    return [header[:-1] + names] + [row[:-1] + cells for row, cells in zip(body, texts, strict=True)]


def render_side_by_side_csv(s: Snapshot, translations: dict[int, dict[str, AmendmentTranslation]],
                            stale: set[tuple[int, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([tabular.neutralise(f"{s.symbol} — {s.status_line}")])
    for row in side_by_side_rows(s, translations, stale):
        writer.writerow([tabular.neutralise(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
