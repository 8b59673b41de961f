"""Stored files: checked by their content, kept by their SHA-256, outside the web root.

An upload is streamed to a temporary file in `UPLOAD_DIR/tmp` (the same filesystem, so the final
move is an atomic rename), measured and hashed on the way, and its type is read from its bytes,
never from its name or the browser's word. A file that passes is *staged* on the database session:
it moves to `UPLOAD_DIR/ab/cd/<sha256>` only when the transaction that records it commits, and is
deleted when that transaction ends any other way. So a refused, failed or interrupted upload leaves
neither a row nor a file. The same content is stored once; a stored file is never overwritten.

Should the process die between the commit and the move, the checked file waits in `tmp/` under
its hash; `open_blob` and `sweep` finish the move when a row names that hash.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.errors import NotFound, ValidationFailed
from forum.security import UnsafeArchive, check_zip

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
HEAD = 8192
TMP = "tmp"
READY = ".ready"
STALE_SECONDS = 6 * 3600  # an upload is copied in seconds once the request has arrived
_PENDING = "forum_pending_files"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@dataclass(frozen=True)
class FileType:
    code: str
    label: Any
    mime: str
    extensions: tuple[str, ...]
    inline: bool  # the browser shows it itself (its PDF viewer, text, images)
    text: bool = False


TYPES: dict[str, FileType] = {t.code: t for t in (
    FileType("pdf", _l("PDF"), "application/pdf", (".pdf",), inline=True),
    FileType("docx", _l("Word document (DOCX)"),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), inline=False),
    FileType("xlsx", _l("Spreadsheet (XLSX)"),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), inline=False),
    FileType("pptx", _l("Presentation (PPTX)"),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), inline=False),
    FileType("odt", _l("OpenDocument text (ODT)"), "application/vnd.oasis.opendocument.text", (".odt",),
             inline=False),
    FileType("ods", _l("OpenDocument spreadsheet (ODS)"), "application/vnd.oasis.opendocument.spreadsheet",
             (".ods",), inline=False),
    FileType("txt", _l("Plain text"), "text/plain; charset=utf-8", (".txt",), inline=True, text=True),
    FileType("md", _l("Markdown text"), "text/markdown; charset=utf-8", (".md", ".markdown"), inline=True,
             text=True),
    FileType("csv", _l("CSV table"), "text/csv; charset=utf-8", (".csv",), inline=False, text=True),
    FileType("png", _l("PNG image"), "image/png", (".png",), inline=True),
    FileType("jpeg", _l("JPEG image"), "image/jpeg", (".jpg", ".jpeg"), inline=True),
)}

OOXML = {  # main part content type -> our code
    b"wordprocessingml.document.main+xml": "docx",
    b"spreadsheetml.sheet.main+xml": "xlsx",
    b"presentationml.presentation.main+xml": "pptx",
}
OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ODF = {b"application/vnd.oasis.opendocument.text": "odt",
       b"application/vnd.oasis.opendocument.spreadsheet": "ods"}

EXECUTABLE_MAGIC = (
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # macOS
    b"\xca\xfe\xba\xbe",  # macOS universal, Java class
    b"\x00asm",  # WebAssembly
)
# What browsers sniff as HTML (WHATWG MIME Sniffing, "text/html" patterns), plus XML and SVG.
MARKUP_STARTS = ("<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table",
                 "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<svg")
MARKUP_ANYWHERE = re.compile(r"<\s*(?:script|html|svg|iframe|object|embed)\b|<!doctype\s+html", re.IGNORECASE)

ACCEPTED = _l("PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument text or spreadsheet (ODT, ODS), "
              "plain text, Markdown, CSV, PNG or JPEG")


class FileTooLarge(ValidationFailed):
    code = "too_large"
    status = 413


class StorageFull(ValidationFailed):
    """The uploads disk is full (or over quota): nothing was kept; the operator must make room."""

    code = "insufficient_storage"
    status = 507


def _storage_full() -> StorageFull:
    message = _("The server has no room left to store this file. Nothing was saved; tell the meeting "
                "secretariat, and try again later.")
    return StorageFull(message, {"file": [message]})


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"file": [message]})


# --- places ------------------------------------------------------------------------------------------

def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).expanduser().absolute()


def blob_path(sha256: str, root: Path | None = None) -> Path:
    """Where the content with this hash lives: ab/cd/abcd…, never anything a user typed."""
    if not _SHA.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return (root or upload_root()) / sha256[:2] / sha256[2:4] / sha256


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


# --- names ---------------------------------------------------------------------------------------------

def safe_filename(name: str | None, file_type: FileType) -> str:
    """The name shown and offered on download: no folders, no control characters, and an extension
    that matches the detected type (a text file called report.pdf becomes report.pdf.txt)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # "../../x" and "C:\\x" keep only their last part
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*;')
    name = re.sub(r"\s+", " ", name).strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if dot and stem and f".{ext.lower()}" in file_type.extensions:
        ext = f".{ext.lower()}"
    else:
        stem, ext = name, file_type.extensions[0]
    stem = stem[: 150].rstrip(". ") or "document"
    return stem + ext


# --- content checks ------------------------------------------------------------------------------------

def detect(path: Path, claimed_name: str | None) -> FileType:
    """The file's type from its content; refuses programs, web pages, SVG and anything unknown."""
    with path.open("rb") as fh:
        head = fh.read(HEAD)
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    if head.startswith(EXECUTABLE_MAGIC) or (head.startswith(b"MZ") and b"\x00" in head[:64]):
        raise _program()
    return _text_type(path, claimed_name)


def _program() -> ValidationFailed:
    return refuse(_("This file is a program. Programs cannot be shared, whatever the file is called."))


def _unknown() -> ValidationFailed:
    return refuse(_("This type of file is not accepted. Share %(types)s files.", types=ACCEPTED))


def _zip_type(path: Path) -> FileType:
    """Office files are ZIP packages: OOXML names its main part in [Content_Types].xml, ODF puts
    a `mimetype` entry first. Nothing is extracted; only those two small entries are read, after
    the package passed the zip-bomb limits (whoever opens it later inflates no more than that)."""
    try:
        check_zip(path)  # entry count and expanded size, before anything inflates an entry
    except UnsafeArchive as exc:
        raise refuse(_("This file would expand to far more than its size (too many or too large parts "
                       "inside). Save it again from its program and share that.")) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise _unknown() from exc
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            names = {i.filename for i in infos}
            if infos and infos[0].filename == "mimetype":
                with package.open(infos[0]) as fh:
                    mimetype = fh.read(100).strip()
                code = ODF.get(mimetype)
                if code is None:
                    raise _unknown()
                if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    raise _macros()
                return TYPES[code]
            if "[Content_Types].xml" in names:
                with package.open("[Content_Types].xml") as fh:
                    types = fh.read(1024 * 1024)
                if b"macroEnabled" in types or any(n.endswith("vbaProject.bin") for n in names):
                    raise _macros()
                for marker, code in OOXML.items():
                    if marker in types:
                        return TYPES[code]
                for part, code in OOXML_PARTS.items():
                    if part in names:
                        return TYPES[code]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, RuntimeError) as exc:
        raise _unknown() from exc
    raise _unknown()


def _macros() -> ValidationFailed:
    return refuse(_("Documents with macros are not accepted. Save the file without macros and share it again."))


def _text_type(path: Path, claimed_name: str | None) -> FileType:
    """Plain text: valid UTF-8 without NUL bytes, and not markup a browser would run as a page."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    start = ""
    tail = ""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if b"\x00" in chunk:
                raise _unknown()
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _unknown() from exc
            if len(start) < 256:
                start += text[: 256 - len(start)]
            if MARKUP_ANYWHERE.search(tail + text):
                raise _markup()
            tail = text[-64:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _unknown() from exc
    lead = start.lstrip().lower()
    if lead.startswith("#!"):
        raise _program()
    if lead.startswith(("<!--", "<?xml")) or any(
            lead.startswith(p) and lead[len(p): len(p) + 1] in (" ", ">", "\t", "\n", "\r", "/")
            for p in MARKUP_STARTS):
        raise _markup()
    ext = os.path.splitext((claimed_name or "").lower())[1]
    for code in ("md", "csv"):
        if ext in TYPES[code].extensions:
            return TYPES[code]
    return TYPES["txt"]


def _markup() -> ValidationFailed:
    return refuse(_("Web pages (HTML) and SVG images cannot be shared, whatever the file is called. "
                    "Save the page as PDF and share that."))


# --- receiving ---------------------------------------------------------------------------------------

@dataclass
class StagedFile:
    """A checked upload waiting in tmp/ for the transaction that records it."""

    sha256: str
    size: int
    file_type: FileType
    filename: str
    temp_path: Path


def receive(stream: BinaryIO, filename: str | None, *, session: Session,
            max_bytes: int | None = None) -> StagedFile:
    """Copy the upload to a temporary file while hashing it, check it, and stage it on `session`.

    Raises ValidationFailed (FileTooLarge for the size) with the reason; nothing stays on disk then.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    tmp = upload_root() / TMP
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp, prefix="incoming-")
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise _storage_full() from exc
        raise
    path = Path(name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    message = _("The file is larger than %(mb)s MB, the most this site accepts. "
                                "Send a smaller file.", mb=limit // (1024 * 1024) or f"{limit / 1048576:.2f}")
                    raise FileTooLarge(message, {"file": [message]})
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise refuse(_("The file is empty. Choose a file with content."))
        file_type = detect(path, filename)
        sha = digest.hexdigest()
        ready = tmp / f"{sha}.{secrets.token_hex(6)}{READY}"
        os.replace(path, ready)
    except OSError as exc:
        path.unlink(missing_ok=True)  # no partial file, whatever failed
        if exc.errno in _DISK_FULL:
            log.error("uploads disk full at %s: an upload of %s was refused", tmp, filename)
            raise _storage_full() from exc
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    staged = StagedFile(sha, size, file_type, safe_filename(filename, file_type), ready)
    session.info.setdefault(_PENDING, []).append(staged)
    return staged


def place(staged: StagedFile, root: Path | None = None) -> Path:
    """Move a checked file to its content address; identical content already there is kept."""
    final = blob_path(staged.sha256, root)
    if final.exists():
        staged.temp_path.unlink(missing_ok=True)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.temp_path, final)
    _fsync_dir(final.parent)
    return final


def discard(staged: StagedFile) -> None:
    staged.temp_path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@event.listens_for(Session, "after_commit")
def _place_after_commit(session: Session) -> None:
    for staged in session.info.pop(_PENDING, []):
        try:
            place(staged, staged.temp_path.parent.parent)
        except Exception:  # the row is committed: the file waits in tmp/ and open_blob finishes the move
            log.exception("could not move %s into place", staged.temp_path)


@event.listens_for(Session, "after_transaction_end")
def _discard_unless_committed(session: Session, transaction: Any) -> None:
    """A rollback, or a session closed without commit: the staged files go."""
    if transaction.parent is not None or transaction.nested:
        return
    for staged in session.info.pop(_PENDING, []):
        discard(staged)


# --- reading -------------------------------------------------------------------------------------------

def open_blob(sha256: str) -> Path:
    """The stored file with this hash; finishes a move interrupted after its commit."""
    final = blob_path(sha256)
    if final.is_file():
        return final
    for waiting in sorted((upload_root() / TMP).glob(f"{sha256}.*{READY}")):
        if _hash_of(waiting) == sha256:
            place(StagedFile(sha256, waiting.stat().st_size, TYPES["txt"], "", waiting))
            return final
    log.error("stored file %s is missing from %s", sha256, upload_root())
    raise NotFound(_("The stored file is missing. The secretariat can restore it from a backup."))


def _hash_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_text(sha256: str, limit: int) -> tuple[str, bool]:
    """The start of a stored text file (for showing it inline) and whether it was cut."""
    with open_blob(sha256).open("rb") as fh:
        data = fh.read(limit + 1)
    cut = len(data) > limit
    return data[:limit].decode("utf-8-sig", errors="replace"), cut


def sweep(is_recorded: Callable[[str], bool], *, max_age: float = STALE_SECONDS) -> int:
    """Tidy tmp/: finish moves of recorded files, delete what no row names. Returns files handled."""
    tmp = upload_root() / TMP
    if not tmp.is_dir():
        return 0
    handled = 0
    cutoff = time.time() - max_age
    for path in tmp.iterdir():
        try:
            if path.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        sha = path.name.split(".", 1)[0]
        if path.name.endswith(READY) and _SHA.match(sha) and is_recorded(sha) and _hash_of(path) == sha:
            place(StagedFile(sha, 0, TYPES["txt"], "", path))
        else:
            path.unlink(missing_ok=True)
        handled += 1
    return handled
