"""`flask forum backup PATH`: a consistent, restorable copy of the database and the uploads."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.audit import services as audit
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from tests.conftest import PG_ADMIN_URL, worker_id


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """A private uploads folder with files stored by hash, as the documents module stores them."""
    folder = tmp_path / "live-uploads"
    for content in (b"first document", b"second document \x00\xff"):
        digest = hashlib.sha256(content).hexdigest()
        path = folder / digest[:2] / digest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def content(make_meeting, make_participant, make_user):
    meeting = make_meeting()
    for group in ("government", "employer", "worker"):
        make_participant(meeting, group)
    with unit_of_work():
        audit.record(make_user(), "user.login")


def backup(app, target: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["forum", "backup", str(target), *extra])


def row_counts(conn: sa.Connection) -> dict[str, int]:
    names = sa.inspect(conn).get_table_names()
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_manifest(target: Path, kind: str) -> dict:
    manifest = json.loads((target / "manifest.json").read_text())
    files = {"sqlite": "forum.sqlite3", "postgresql": "forum.pgdump"}
    assert manifest["database"] == {"kind": kind, "file": files[kind]}
    with db.engine.connect() as conn:
        assert manifest["alembic_revision"] == conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert manifest["created_at"].endswith("+00:00")
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        assert entry["size"] == (target / path).stat().st_size
        assert entry["sha256"] == sha256(target / path)
    return manifest


def check_uploads(target: Path, uploads: Path) -> None:
    originals = {p.relative_to(uploads): p.read_bytes() for p in uploads.rglob("*") if p.is_file()}
    copies = {p.relative_to(target / "uploads"): p.read_bytes() for p in (target / "uploads").rglob("*") if p.is_file()}
    assert copies == originals and len(copies) == 2


def check_backup_entry(manifest: dict) -> None:
    db.session.rollback()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "system.backup")).one()
    payload = json.loads(entry.payload)
    database = next(f for f in manifest["files"] if f["path"] == manifest["database"]["file"])
    assert payload["database_sha256"] == database["sha256"]
    assert entry.actor_label == "system"


@pytest.mark.postgres
def test_backup_of_the_configured_database_is_complete_and_restorable(backend, app, content, uploads, tmp_path):
    with db.engine.connect() as conn:
        before = row_counts(conn)
    target = tmp_path / "backup"
    result = backup(app, target)
    assert result.exit_code == 0, result.output
    manifest = check_manifest(target, "sqlite" if backend == "sqlite" else "postgresql")
    check_uploads(target, uploads)
    check_backup_entry(manifest)
    if backend == "sqlite":
        copy_url = f"sqlite:///{target / 'forum.sqlite3'}"
        with sqlite3.connect(target / "forum.sqlite3") as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        _compare_and_verify(copy_url, before, manifest)
    else:
        dump = target / "forum.pgdump"
        assert dump.stat().st_size > 0
        listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True)
        assert "TABLE DATA public audit_entries" in listing.stdout
        _restore_postgres_and_verify(dump, before, manifest)
    # The heads the manifest recorded anchor the live chains.
    verify = app.test_cli_runner().invoke(args=["forum", "verify-audit", "--anchor", str(target / "manifest.json")])
    assert verify.exit_code == 0, verify.output


def _compare_and_verify(url: str, before: dict[str, int], manifest: dict) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert row_counts(conn) == before
        reports = audit.verify_chains(engine=engine)
        assert reports and all(r.ok for r in reports), [r.line() for r in reports]
        heads = {h["key"]: (h["head_seq"], h["head_hash"]) for h in manifest["audit_heads"]}
        assert {r.key: (r.head_seq, r.head_hash) for r in reports} == heads
    finally:
        engine.dispose()


def _restore_postgres_and_verify(dump: Path, before: dict[str, int], manifest: dict) -> None:
    import psycopg

    name = f"forum_restore_{worker_id()}"
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        # Into an empty database, then over it, as docs/deployment.md says.
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}", str(dump)], check=True, capture_output=True)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={url}", str(dump)], check=True, capture_output=True)
        _compare_and_verify(url.replace("postgresql://", "postgresql+psycopg://"), before, manifest)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_backup_is_consistent_while_the_app_writes(app, content, uploads, tmp_path):
    """Writers keep appending to the audit chain during the copy: the copy is one snapshot."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with app.app_context():
                while not stop.is_set():
                    with unit_of_work():
                        for _ in range(5):
                            audit.record(None, "test.busy")
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        results = [backup(app, tmp_path / f"backup-{n}") for n in range(3)]
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    for n, result in enumerate(results):
        assert result.exit_code == 0, result.output
        engine = sa.create_engine(f"sqlite:///{tmp_path / f'backup-{n}' / 'forum.sqlite3'}")
        try:
            reports = audit.verify_chains(engine=engine)
        finally:
            engine.dispose()
        assert all(r.ok for r in reports), [r.line() for r in reports]


def test_backup_refuses_a_non_empty_target_unless_forced(app, content, uploads, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = backup(app, target)
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]

    assert backup(app, target, "--force").exit_code == 0
    (target / "uploads" / "stale-file").write_text("from an older backup")
    result = backup(app, target, "--force")
    assert result.exit_code == 0, result.output
    assert (target / "notes.txt").read_text() == "keep me"  # only the backup's own outputs are replaced
    assert not (target / "uploads" / "stale-file").exists()
    check_manifest(target, "sqlite")


def test_backup_refuses_the_live_database_and_uploads_folders(app, uploads):
    live = Path(db.engine.url.database).parent
    for target in (live, uploads, uploads / "inside", uploads.parent):
        result = backup(app, target, "--force")
        assert result.exit_code == 1, target
    assert Path(db.engine.url.database).exists()
    assert len([p for p in uploads.rglob("*") if p.is_file()]) == 2


def test_backup_refuses_a_file_as_target(app, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    assert backup(app, target).exit_code != 0
