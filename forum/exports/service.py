"""Which exports exist, and how one is produced without holding up live traffic.

An export is two steps. *Gathering* reads the draft into a `Snapshot` in the caller's thread: a
handful of SELECTs, no writes, so it never takes the database's write lock; the read transaction
is ended right after, so no connection or snapshot is held while rendering. *Rendering* (the
slow, CPU-bound part: PDF layout, zip compression) runs in a small shared thread pool of
`EXPORT_WORKERS` threads (2 by default): at most that many exports render at once, whatever the
number of secretariat members clicking, so the server's other request threads stay free for the
live sitting. Nothing is written: exports change no state and are not audited.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale, get_locale

from forum.drafting.models import Draft
from forum.exports import akoma_ntoso, content, docx, html, markdown, pdf, tabular
from forum.exports.model import Snapshot, gather

# (kind, format) -> what the secretariat gets. Documents in four formats; data in their own.
DOCUMENT_FORMATS = ("docx", "pdf", "html", "md")
DATA_EXPORTS = {("status", "csv"), ("draft", "json"), ("conclusions", "akn"), ("amendments", "akn")}
EXTENSIONS = {"docx": "docx", "pdf": "pdf", "html": "html", "md": "md", "csv": "csv", "json": "json",
              "akn": "akn.xml"}
MIMETYPES = {"docx": docx.MIMETYPE, "pdf": pdf.MIMETYPE, "html": html.MIMETYPE, "md": markdown.MIMETYPE,
             "csv": tabular.CSV_MIMETYPE, "json": tabular.JSON_MIMETYPE, "akn": akoma_ntoso.MIMETYPE}


def all_exports() -> list[tuple[str, str]]:
    documents = [(kind, fmt) for kind in content.KINDS for fmt in DOCUMENT_FORMATS]
    return documents + sorted(DATA_EXPORTS)


def known(kind: str, fmt: str) -> bool:
    return (kind in content.KINDS and fmt in DOCUMENT_FORMATS) or (kind, fmt) in DATA_EXPORTS


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mimetype: str


def filename(snapshot: Snapshot, kind: str, fmt: str) -> str:
    stem = snapshot.symbol.replace("/", "-").replace(" ", "_")
    return f"{stem}-{kind}-{snapshot.language}.{EXTENSIONS[fmt]}"


def render(snapshot: Snapshot, kind: str, fmt: str) -> Export:
    """The bytes of one export of a gathered snapshot (needs an app context for translations)."""
    if (kind, fmt) == ("status", "csv"):
        data = tabular.render_csv(snapshot)
    elif (kind, fmt) == ("draft", "json"):
        data = tabular.render_json(snapshot)
    elif (kind, fmt) == ("conclusions", "akn"):
        data = akoma_ntoso.conclusions(snapshot)
    elif (kind, fmt) == ("amendments", "akn"):
        data = akoma_ntoso.compilation(snapshot)
    else:
        document = content.build(kind, snapshot)
        data = {"docx": docx.render, "pdf": pdf.render, "html": html.render, "md": markdown.render}[fmt](document)
    return Export(data, filename(snapshot, kind, fmt), MIMETYPES[fmt])


_pool: ThreadPoolExecutor | None = None
_pool_lock = Lock()


def pool(app: Flask) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=int(app.config.get("EXPORT_WORKERS", 2)),
                                       thread_name_prefix="export")
        return _pool


def _render_in_worker(app: Flask, locale: str, snapshot: Snapshot, kind: str, fmt: str) -> Export:
    with app.test_request_context("/"), force_locale(locale):
        return render(snapshot, kind, fmt)


def produce(draft: Draft, kind: str, fmt: str, *, language: str | None = None, as_of: datetime | None = None,
            timeout: float | None = 300) -> Export:
    """Gather now (reads only), end the read transaction, render in the export pool, wait for it."""
    from forum.extensions import db

    snapshot = gather(draft, as_of=as_of, language=language)
    db.session.rollback()  # nothing was written: this only ends the read transaction
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    locale = str(get_locale() or "en")
    future = pool(app).submit(_render_in_worker, app, locale, snapshot, kind, fmt)
    return future.result(timeout=timeout)
