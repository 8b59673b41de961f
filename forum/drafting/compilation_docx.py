"""The compilation of circulated amendments as a Word document (rule 23): the same list, in the
same order, as its page — deletions struck through and insertions underlined (rule 26).

Written by the exports' WordprocessingML writer (forum/exports/docx.py), the same blocks as the
full compilation of amendments there, without outcomes: one Word generator for the platform.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def compilation_docx(draft: Any, compilation: Any, entries: list[Any], language: str | None = None) -> bytes:
    """`language`: the language version of the compilation (issue 14): each amendment as written,
    then the secretariat's translation into that language, or a marker that there is none yet."""
    from forum.exports import content, docx
    from forum.exports.model import amendment_views

    title = f"{draft.symbol} — {_('Compilation %(n)s', n=compilation.number)}"
    document = content.Document("compilation", title, draft.symbol, language or draft.original_language, "",
                                stated=compilation.circulated_at)
    document.blocks += [
        content.plain(draft.title, style="title"),
        content.plain(_("Compilation %(number)s of the amendments to %(symbol)s", number=compilation.number,
                        symbol=draft.symbol), style="subtitle"),
    ]
    document.blocks += content.compilation_blocks(amendment_views(draft, entries), outcomes=False, language=language)
    return docx.render(document)
