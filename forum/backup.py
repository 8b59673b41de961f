"""Consistent backups of the database and the uploads folder (`flask --app wsgi forum backup PATH`).

SQLite is copied through its online backup API (a consistent snapshot while the app keeps
writing), PostgreSQL with `pg_dump --format=custom` (one snapshot transaction). The uploads are
copied after the database: a stored file is written before the row that names it commits and is
never overwritten, so every file the copied database refers to is already there. The manifest is
written last; a folder without one holds an unfinished backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from forum.audit.models import AuditChain
from forum.audit.services import record, utc_iso
from forum.db import utcnow
from forum.errors import DomainError, InvalidState
from forum.extensions import db

MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "forum.sqlite3", "postgresql": "forum.pgdump"}
OUTPUTS = (*DATABASE_FILES.values(), "uploads", MANIFEST)


class BackupFailed(DomainError):
    code = "backup_failed"
    status = 500


def make_backup(target: Path, *, force: bool = False) -> dict[str, Any]:
    """Copy the database and the uploads into `target`; return the manifest written there."""
    engine = db.engine
    kind = engine.dialect.name
    if kind not in DATABASE_FILES:
        raise BackupFailed(f"no backup method for a {kind} database")
    target = target.expanduser().absolute()
    upload_dir = Path(current_app.config["UPLOAD_DIR"]).expanduser().absolute()
    live_database = None
    if kind == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            raise BackupFailed("an in-memory SQLite database cannot be backed up")
        live_database = Path(engine.url.database).absolute()
    _prepare(target, force=force, upload_dir=upload_dir, live_database=live_database)

    # Read before the copy, so the copy certainly contains the entries these heads name.
    with engine.connect() as conn:
        revision = _alembic_revision(conn)
        heads = [dict(r._mapping) for r in conn.execute(
            sa.select(AuditChain.key, AuditChain.head_seq, AuditChain.head_hash).order_by(AuditChain.key))]

    database_file = target / DATABASE_FILES[kind]
    if kind == "sqlite":
        _backup_sqlite(engine, database_file)
    else:
        _backup_postgres(engine.url, database_file)
    uploads = target / "uploads"
    if upload_dir.is_dir():
        shutil.copytree(upload_dir, uploads)
    else:
        uploads.mkdir()

    files = [_describe(target, path) for path in sorted(target.rglob("*")) if path.is_file()]
    manifest = {
        "format": 1,
        "created_at": utc_iso(utcnow()),
        "database": {"kind": kind, "file": database_file.name},
        "alembic_revision": revision,
        "upload_dir": str(upload_dir),
        "audit_heads": heads,
        "files": files,
    }
    partial = target / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    partial.replace(target / MANIFEST)
    return manifest


def record_backup(target: Path, manifest: dict[str, Any]) -> None:
    """The global audit entry for a backup; its payload anchors the copy's checksum in the chain."""
    database = next(f for f in manifest["files"] if f["path"] == manifest["database"]["file"])
    record(None, "system.backup", None, {
        "path": str(target.expanduser().absolute()),
        "database": manifest["database"]["kind"],
        "database_sha256": database["sha256"],
        "alembic_revision": manifest["alembic_revision"],
        "files": len(manifest["files"]),
        "bytes": sum(f["size"] for f in manifest["files"]),
    })


def read_anchors(manifest_path: Path) -> dict[str, tuple[int, str]]:
    """The audit chain heads a backup manifest recorded, for `verify-audit --anchor`."""
    manifest = json.loads(Path(manifest_path).read_text())
    return {h["key"]: (int(h["head_seq"]), str(h["head_hash"])) for h in manifest.get("audit_heads", [])
            if int(h["head_seq"]) > 0}


# --- steps ---------------------------------------------------------------------------------------

def _prepare(target: Path, *, force: bool, upload_dir: Path, live_database: Path | None) -> None:
    if target.exists() and not target.is_dir():
        raise InvalidState(f"{target} exists and is not a folder")
    resolved, uploads = target.resolve(), upload_dir.resolve()
    if resolved == uploads or uploads in resolved.parents or resolved == uploads.parent:
        raise InvalidState(f"{target} is or holds the live uploads folder {upload_dir}; choose another folder")
    if live_database is not None and resolved == live_database.resolve().parent:
        raise InvalidState(f"{target} holds the live database; choose another folder")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise InvalidState(f"{target} is not empty (use --force to replace a backup there)")
        for name in OUTPUTS:
            path = target / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # the copy holds password hashes and every space's content


def _alembic_revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    revisions = conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY version_num")).scalars()
    return ",".join(revisions) or None


def _backup_sqlite(engine: sa.Engine, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file; the app sets WAL again
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        raw.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"the copy failed its integrity check: {check}")
    partial.chmod(0o600)
    partial.replace(destination)


def _backup_postgres(url: sa.URL, destination: Path) -> None:
    executable = current_app.config.get("PG_DUMP") or "pg_dump"
    if shutil.which(executable) is None:
        raise BackupFailed(f"{executable} was not found (set FORUM_PG_DUMP to its path)")
    url = url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:  # by environment, not argument: arguments are visible to every local user
        env["PGPASSWORD"] = str(url.password)
        url = url.set(password=None)
    partial = destination.with_name(destination.name + ".partial")
    command = [executable, "--format=custom", "--no-password", f"--file={partial}",
               f"--dbname={url.render_as_string(hide_password=False)}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip() or result.returncode}")
    partial.chmod(0o600)
    partial.replace(destination)


def _describe(root: Path, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"path": path.relative_to(root).as_posix(), "size": path.stat().st_size, "sha256": digest.hexdigest()}
