"""Files for the documents tests: real minimal files of every accepted type, and the bad ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>\n'


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def ooxml(kind: str, *, macros: bool = False) -> bytes:
    main = {"docx": ("word/document.xml", "wordprocessingml.document"),
            "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet"),
            "pptx": ("ppt/presentation.xml", "presentationml.presentation")}[kind]
    content_type = f"application/vnd.openxmlformats-officedocument.{main[1]}.main+xml"
    if macros:
        content_type = "application/vnd.ms-word.document.macroEnabled.main+xml"
    types = (f'<?xml version="1.0"?><Types><Override PartName="/{main[0]}" ContentType="{content_type}"/></Types>')
    entries = [("[Content_Types].xml", types.encode()), (main[0], b"<x/>")]
    if macros:
        entries.append(("word/vbaProject.bin", b"\x00\x01"))
    return zip_bytes(entries)


def odf(kind: str) -> bytes:
    mimetype = {"odt": b"application/vnd.oasis.opendocument.text",
                "ods": b"application/vnd.oasis.opendocument.spreadsheet"}[kind]
    return zip_bytes([("mimetype", mimetype), ("content.xml", b"<x/>")])


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Information note")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def stored_files(app: Any) -> set[str]:
    """Every file under the uploads folder (stored and temporary), relative to it."""
    root = Path(app.config["UPLOAD_DIR"])
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def upload(data: bytes, name: str = "file.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name
