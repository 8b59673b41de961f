"""Stored files: types read from the content, names made safe, files placed only after the commit."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from forum.db import unit_of_work
from forum.documents import storage
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from tests.documents_helpers import ELF, EXE, HTML, JPEG, PDF, PNG, SVG, docx, odf, ooxml, stored_files, zip_bytes


def detect(tmp_path: Path, data: bytes, name: str = "file") -> str:
    path = tmp_path / "probe"
    path.write_bytes(data)
    return storage.detect(path, name).code


@pytest.mark.parametrize(("data", "name", "code"), [
    (PDF, "report.pdf", "pdf"),
    (PNG, "chart.png", "png"),
    (JPEG, "photo.jpg", "jpeg"),
    (ooxml("docx"), "note.docx", "docx"),
    (ooxml("xlsx"), "table.xlsx", "xlsx"),
    (ooxml("pptx"), "slides.pptx", "pptx"),
    (odf("odt"), "note.odt", "odt"),
    (odf("ods"), "table.ods", "ods"),
    ("Déclaration du groupe\n".encode(), "statement.txt", "txt"),
    (b"# Points\n\n- one\n", "points.md", "md"),
    (b"country,fees\nKE,0\n", "fees.csv", "csv"),
    (b"plain words\n", "no-extension", "txt"),
])
def test_accepted_types_are_read_from_the_content(app, tmp_path, data, name, code):
    assert detect(tmp_path, data, name) == code


def test_a_real_docx_is_recognised(app, tmp_path):
    assert detect(tmp_path, docx(), "x.docx") == "docx"


def test_the_name_does_not_decide_the_type(app, tmp_path):
    assert detect(tmp_path, PDF, "looks-like.docx") == "pdf"
    assert detect(tmp_path, b"just text\n", "report.pdf") == "txt"


@pytest.mark.parametrize(("data", "name", "message"), [
    (EXE, "report.pdf", "program"),
    (ELF, "report.pdf", "program"),
    (b"#!/bin/sh\nrm -rf ~\n", "notes.txt", "program"),
    (HTML, "report.pdf", "Web pages"),
    (b"  <html><body>hi</body></html>", "page.txt", "Web pages"),
    (b"<p>A paragraph</p>", "page.md", "Web pages"),
    (SVG, "chart.png", "SVG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "chart.txt", "SVG"),
    (b"# Title\n\nSome text <script>alert(1)</script>\n", "notes.md", "Web pages"),
    (b"\x00\x01\x02binary", "data.pdf", "not accepted"),
    (b"\xff\xfe\x00n\x00o", "utf16.txt", "not accepted"),
    (b"PK\x03\x04 not really a zip", "x.docx", "not accepted"),
    (ooxml("docx", macros=True), "macro.docm", "macros"),
    (zip_bytes([("META-INF/MANIFEST.MF", b"Main-Class: X")]), "app.jar", "not accepted"),
])
def test_programs_pages_svg_and_unknown_types_are_refused(app, tmp_path, data, name, message):
    with pytest.raises(ValidationFailed) as exc:
        detect(tmp_path, data, name)
    assert message in exc.value.fields["file"][0]


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../x", "x.pdf"),
    ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
    ("/etc/passwd", "passwd.pdf"),
    ("report.PDF", "report.pdf"),
    ("  .hidden.pdf  ", "hidden.pdf"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    ('what"<>|?*.pdf', "what.pdf"),
    ("", "document.pdf"),
    ("..", "document.pdf"),
    ("Rapport préliminaire.pdf", "Rapport préliminaire.pdf"),
    ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
])
def test_filenames_are_sanitised(raw, expected):
    assert storage.safe_filename(raw, storage.TYPES["pdf"]) == expected


def test_an_extension_that_does_not_match_the_content_is_completed():
    assert storage.safe_filename("report.pdf", storage.TYPES["txt"]) == "report.pdf.txt"


def test_blob_paths_are_content_addresses_only(app):
    sha = "ab" * 32
    assert storage.blob_path(sha).relative_to(storage.upload_root()) == Path("ab/ab") / sha
    with pytest.raises(ValueError):
        storage.blob_path("../../etc/passwd")


def test_stored_files_live_outside_the_web_root(session_app):
    from forum import create_app
    from forum.config import Config

    static = Path(session_app.static_folder).resolve()
    assert not Path(Config.UPLOAD_DIR).resolve().is_relative_to(static)  # the default: instance/uploads
    with pytest.raises(RuntimeError, match="inside the static folder"):
        create_app({**session_app.config, "UPLOAD_DIR": str(static / "uploads")})


# --- staging: the file moves into place only when the transaction commits ---------------------------

def test_a_committed_upload_is_moved_into_place_and_stored_once(app):
    before = stored_files(app)
    data = PDF + os.urandom(8).hex().encode()
    with unit_of_work() as session:
        staged = storage.receive(io.BytesIO(data), "a.pdf", session=session)
        assert not storage.blob_path(staged.sha256).exists()  # not before the commit
    final = storage.blob_path(staged.sha256)
    assert final.read_bytes() == data
    with unit_of_work() as session:
        again = storage.receive(io.BytesIO(data), "b.pdf", session=session)
    assert again.sha256 == staged.sha256
    assert stored_files(app) - before == {str(final.relative_to(storage.upload_root()))}


def test_a_rolled_back_upload_leaves_no_file(app):
    before = stored_files(app)
    with pytest.raises(RuntimeError), unit_of_work() as session:
        staged = storage.receive(io.BytesIO(PDF + b"rollback"), "a.pdf", session=session)
        assert staged.temp_path.exists()
        raise RuntimeError("the database failed after the checks")
    assert stored_files(app) == before


def test_a_refused_upload_leaves_no_temporary_file(app):
    before = stored_files(app)
    with pytest.raises(ValidationFailed), unit_of_work() as session:
        storage.receive(io.BytesIO(HTML), "page.pdf", session=session)
    assert stored_files(app) == before


def test_an_interrupted_stream_leaves_no_temporary_file(app):
    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise ConnectionResetError("client went away")
            return super().read(10)

    before = stored_files(app)
    with pytest.raises(ConnectionResetError), unit_of_work() as session:
        storage.receive(Broken(PDF * 10), "a.pdf", session=session)
    assert stored_files(app) == before


def test_size_limit_and_empty_file(app):
    with pytest.raises(storage.FileTooLarge) as exc, unit_of_work() as session:
        storage.receive(io.BytesIO(PDF + b"x" * 2048), "a.pdf", session=session, max_bytes=1024)
    assert exc.value.status == 413
    with pytest.raises(ValidationFailed, match="empty"), unit_of_work() as session:
        storage.receive(io.BytesIO(b""), "a.pdf", session=session)


def test_a_move_interrupted_after_the_commit_is_finished_on_first_read(app, monkeypatch):
    data = PDF + b"interrupted move" + os.urandom(4).hex().encode()
    real_place = storage.place
    monkeypatch.setattr(storage, "place", lambda staged, root=None: (_ for _ in ()).throw(OSError("disk")))
    with unit_of_work() as session:
        staged = storage.receive(io.BytesIO(data), "a.pdf", session=session)
    monkeypatch.setattr(storage, "place", real_place)
    assert not storage.blob_path(staged.sha256).exists()
    assert staged.temp_path.exists()
    assert storage.open_blob(staged.sha256).read_bytes() == data
    assert not staged.temp_path.exists()


def test_a_missing_file_is_a_clear_not_found(app):
    with pytest.raises(NotFound, match="backup"):
        storage.open_blob("0" * 64)


def test_sweep_deletes_stale_leftovers_and_finishes_recorded_moves(app):
    tmp = storage.upload_root() / storage.TMP
    tmp.mkdir(parents=True, exist_ok=True)
    orphan = tmp / "incoming-crashed"
    orphan.write_bytes(b"half an upload")
    data = PDF + os.urandom(6).hex().encode()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    recorded = tmp / f"{sha}.abc{storage.READY}"
    recorded.write_bytes(data)
    fresh = tmp / "incoming-in-progress"
    fresh.write_bytes(b"still arriving")
    old = time.time() - storage.STALE_SECONDS - 60
    for path in (orphan, recorded):
        os.utime(path, (old, old))
    storage.sweep(lambda h: h == sha)
    assert not orphan.exists() and not recorded.exists()
    assert storage.blob_path(sha).read_bytes() == data
    assert fresh.exists()
    fresh.unlink()


def test_files_are_never_overwritten(app):
    data = PDF + b"keep me" + os.urandom(4).hex().encode()
    with unit_of_work() as session:
        staged = storage.receive(io.BytesIO(data), "a.pdf", session=session)
    final = storage.blob_path(staged.sha256)
    mtime = final.stat().st_mtime_ns
    time.sleep(0.01)
    with unit_of_work() as session:
        storage.receive(io.BytesIO(data), "a.pdf", session=session)
    assert final.stat().st_mtime_ns == mtime
    db.session.rollback()
