"""HTML: the print view (a page of the site, its print stylesheet hiding the site's navigation) and
the same document as a self-contained file (stylesheet inlined) for download and the CLI."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from forum.exports.content import Document, Heading, PageBreak, Para, Table

MIMETYPE = "text/html; charset=utf-8"
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "exports.css"


def _context(doc: Document) -> dict[str, object]:
    return {"doc": doc, "Para": Para, "Heading": Heading, "Table": Table, "PageBreak": PageBreak}


def render_page(doc: Document, **extra: object) -> str:
    """The print view inside the site (extends base.html)."""
    return render_template("exports/print.html", **_context(doc), **extra)


def render(doc: Document) -> bytes:
    """A self-contained file: the same body, the print stylesheet inlined, no script."""
    css = STYLESHEET.read_text(encoding="utf-8")
    # The template alone, without the site's context processors: a file needs no request or session.
    template = current_app.jinja_env.get_template("exports/document.html")
    return template.render(css=css, **_context(doc)).encode("utf-8")
