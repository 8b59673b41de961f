"""Disk full during an upload, on a real (tiny) filesystem: a clean error, no partial file, no row,
and the next upload that fits goes through. The uploads folder is a 1 MB tmpfs mounted for the test."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.audit.models import AuditEntry
from forum.documents.models import Document, DocumentVersion
from forum.extensions import db
from tests.conftest import PASSWORD, IsolatingClient
from tests.security.conftest import caucus


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "uploads"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"this test mounts a 1 MB tmpfs and needs root (CI runs as root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% "
    return head + os.urandom(size - len(head) - 6) + b"\n%%EOF"


def test_disk_full_during_an_upload_is_a_clean_error_with_nothing_left(app, tiny_disk, make_meeting,
                                                                      make_participant):
    full = create_app({**app.config, "UPLOAD_DIR": str(tiny_disk)})
    full.test_client_class = IsolatingClient
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    client = full.test_client()
    assert client.post("/login", data={"email": worker.user.email, "password": PASSWORD}).status_code == 302
    space = caucus(meeting, "worker")

    def upload(data: bytes, name: str):
        return client.post(f"/meetings/{meeting.id}/documents/new", data={
            "space_id": str(space.id), "kind": "working", "title": name, "language": "en", "agenda_item_id": "0",
            "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    def rows() -> tuple[int, int, int]:
        db.session.rollback()
        count = lambda m: db.session.scalar(sa.select(sa.func.count()).select_from(m))  # noqa: E731
        return count(Document), count(DocumentVersion), count(AuditEntry)

    before = rows()
    response = upload(pdf(3 * 1024 * 1024), "three-megabytes.pdf")  # three times the disk
    assert response.status_code == 507
    assert "no room left to store this file" in response.get_data(as_text=True)
    assert rows() == before
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []  # no partial file
    assert os.statvfs(tiny_disk).f_bfree * os.statvfs(tiny_disk).f_frsize > 900 * 1024  # the space came back

    response = upload(pdf(200 * 1024), "fits.pdf")
    assert response.status_code == 302
    stored = [p for p in tiny_disk.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].stat().st_size == 200 * 1024
    assert rows()[0] == before[0] + 1
