"""The compilation of circulated amendments as a Word document (rule 23): the same list, in the
same order, as its page — deletions struck through and insertions underlined (rule 26)."""

from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _

from forum.drafting.labels import kind_label, language_label, mover_label, number_label, paragraph_label


def compilation_docx(draft: Any, compilation: Any, entries: list[Any]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = f"{draft.symbol} — {_('Compilation %(n)s', n=compilation.number)}"
    document.add_paragraph(draft.title, style="Title")
    document.add_paragraph(_("Compilation %(number)s of the amendments to %(symbol)s",
                             number=compilation.number, symbol=draft.symbol))
    if not entries:
        document.add_paragraph(_("No amendment."))
    for entry in entries:
        a = entry.amendment
        heading = f"{number_label(draft, a)} — {paragraph_label(a.paragraph)}"
        if entry.depth:
            heading = _("Sub-amendment %(heading)s", heading=heading)
        document.add_heading(heading, level=2 if not entry.depth else 3)
        document.add_paragraph(_("Moved by: %(movers)s", movers=mover_label(a)))
        document.add_paragraph(f"{kind_label(a.kind)} ({language_label(a.language)})")
        text = document.add_paragraph()
        for run in a.diff:
            piece = text.add_run(run["text"])
            if run["op"] == "delete":
                piece.font.strike = True
            elif run["op"] == "insert":
                piece.font.underline = True
        if a.explanation:
            document.add_paragraph(_("Explanation: %(text)s", text=a.explanation))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
