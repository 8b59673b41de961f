"""Where exports are gathered and rendered (issue #12, B9): in a renderer process of the server's own,
with its own read-only access to the server's database, so that neither the gathering (ORM loading,
labels, diffs) nor ReportLab's layout holds the interpreter of the process serving the live sitting's
sockets.

The tests' app renders in threads (TESTING); these tests switch to the process pool and use it for
real. They share one xdist worker, so that one renderer process is started for them all.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from forum.db import unit_of_work
from forum.drafting.models import Draft
from forum.exports import service
from forum.exports.model import gather
from forum.extensions import db
from tests.drafting_world import draft
from tests.exports_world import negotiated

pytestmark = pytest.mark.xdist_group("export-renderer")
ROOT = Path(__file__).resolve().parents[2]
AS_OF = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)  # after the world's sittings


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return negotiated(make_user, make_meeting, make_participant)


@pytest.fixture
def in_processes(app, monkeypatch):
    """The server's default, `EXPORT_POOL=process`; the pool outlives the test (one per process)."""
    monkeypatch.setitem(app.config, "EXPORT_POOL", "process")
    return app


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in {"Z", "X"}  # a zombie has exited; its reaper is not ours


def eventually(check, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def pdf_text(data: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_server_renders_in_processes_and_the_tests_in_threads(app, monkeypatch):
    assert service.render_mode(app) == "thread"
    monkeypatch.setitem(app.config, "TESTING", False)
    assert service.render_mode(app) == "process"
    monkeypatch.setitem(app.config, "EXPORT_POOL", "Thread ")
    assert service.render_mode(app) == "thread"
    monkeypatch.setitem(app.config, "EXPORT_POOL", "fork")
    with pytest.raises(ValueError, match="EXPORT_POOL"):
        service.render_mode(app)
    monkeypatch.setitem(app.config, "EXPORT_WORKERS", "3")  # FORUM_EXPORT_WORKERS arrives as text
    assert service.workers(app) == 3


def test_in_threads_an_export_gathers_and_renders_in_the_bounded_export_pool(app, w, monkeypatch):
    gathered_in = []

    def gather_noting_where(*args, **kwargs):
        gathered_in.append(threading.current_thread().name)
        return gather(*args, **kwargs)

    monkeypatch.setattr(service, "gather", gather_noting_where)
    result = service.produce(draft(w), "final", "pdf")
    assert result.data.startswith(b"%PDF") and result.filename.endswith("-final-en.pdf")
    assert len(gathered_in) == 1 and gathered_in[0].startswith("export")  # the same path as the renderer's
    assert service.in_renderer(threading.current_thread).name.startswith("export")
    assert service.pool(app)._max_workers == service.workers(app) == 1


def rename_draft(draft_id: int) -> str:
    """Run where exports render: try to write (the renderer must refuse)."""
    try:
        with unit_of_work():
            db.session.get(Draft, draft_id).title = "Written by the renderer"
    except Exception as exc:  # the refusal is the point: its text crosses back
        return f"{type(exc).__name__}: {exc}"
    return "written"


def exports_made(draft_id: int) -> dict[tuple[str, str], bytes | str]:
    with force_locale("fr"):
        made = {}
        for kind, fmt in (("final", "docx"), ("marked", "md"), ("compilation", "html"), ("record", "md"),
                          ("draft", "json"), ("status", "csv"), ("amendments", "akn"), ("compilation", "pdf")):
            data = service.produce(db.session.get(Draft, draft_id), kind, fmt, language="fr", as_of=AS_OF).data
            made[(kind, fmt)] = pdf_text(data) if fmt == "pdf" else data
        return made


@pytest.mark.postgres
def test_the_renderer_gathers_from_the_servers_database_the_same_files_as_the_thread(in_processes, w, backend,
                                                                                      monkeypatch):
    app = in_processes
    assert service.in_renderer(os.getpid) != os.getpid()
    draft_id = w.draft_id

    def not_in_the_server(*args, **kwargs):
        raise AssertionError("gathered in the server process")

    with app.test_request_context("/"):
        monkeypatch.setattr(service, "gather", not_in_the_server)  # the renderer has its own module
        in_renderer = exports_made(draft_id)
        monkeypatch.setattr(service, "gather", gather)
        monkeypatch.setitem(app.config, "EXPORT_POOL", "thread")
        in_thread = exports_made(draft_id)
        monkeypatch.setitem(app.config, "EXPORT_POOL", "process")
    assert in_renderer == in_thread
    assert b"Plus ferme" in in_renderer[("compilation", "html")]  # the world's amendments were read
    assert "pondéré 47".encode() in in_renderer[("record", "md")]  # and its votes
    # It reads the database as it is now, committed by the server a moment ago.
    with unit_of_work():
        db.session.get(Draft, draft_id).title = "Conclusions renamed"
    assert b"Conclusions renamed" in service.produce(draft(w), "final", "md", as_of=AS_OF).data
    # And never writes.
    refusal = service.in_renderer(rename_draft, draft_id)
    assert ("readonly" if backend == "sqlite" else "read-only") in refusal, refusal
    db.session.rollback()
    assert draft(w).title == "Conclusions renamed"


@pytest.mark.parametrize("pool_kind", ["process", "thread"])
def test_a_draft_gone_before_gathering_fails_clearly(in_processes, pool_kind, monkeypatch):
    """Permission was checked in the request; the draft deleted since is a clear error, either way."""
    monkeypatch.setitem(in_processes.config, "EXPORT_POOL", pool_kind)
    gone = SimpleNamespace(id=10**9)
    with pytest.raises(service.GatherFailed, match=f"Draft {10**9} no longer exists"):
        service.produce(gone, "final", "md")  # type: ignore[arg-type]


def test_the_snapshot_crosses_to_the_renderer_as_plain_data(app, w):
    snapshot = gather(draft(w), language="fr", as_of=AS_OF)
    assert snapshot.amendments and snapshot.sittings and snapshot.mapping
    copy = pickle.loads(pickle.dumps(snapshot))
    with app.test_request_context("/"), force_locale("fr"):
        for kind, fmt in (("compilation", "md"), ("record", "md"), ("draft", "json"), ("status", "csv")):
            assert service.render(copy, kind, fmt).data == service.render(snapshot, kind, fmt).data, (kind, fmt)


def test_the_renderer_process_makes_the_same_files_in_the_readers_language(in_processes, w):
    app = in_processes
    assert service.in_renderer(os.getpid) != os.getpid()
    assert service.in_renderer(os.nice, 0) == min(19, os.nice(0) + 10)  # the live sitting's process comes first
    for locale in ("en", "fr"):
        with app.test_request_context("/"), force_locale(locale):
            snapshot = gather(draft(w), language="fr", as_of=AS_OF)
            for kind, fmt in (("compilation", "html"), ("record", "md"), ("marked", "md"), ("conclusions", "akn")):
                made = service.produce(draft(w), kind, fmt, language="fr", as_of=AS_OF)
                assert made.data == service.render(snapshot, kind, fmt).data, (locale, kind, fmt)
            record = service.produce(draft(w), "record", "pdf", language="fr", as_of=AS_OF)
            assert pdf_text(record.data) == pdf_text(service.render(snapshot, "record", "pdf").data)
    with app.test_request_context("/"):  # the interface's language reached the renderer: not English
        english = service.produce(draft(w), "compilation", "md", as_of=AS_OF).data
    with app.test_request_context("/"), force_locale("fr"):
        assert service.produce(draft(w), "compilation", "md", as_of=AS_OF).data != english


def test_a_failed_render_raises_its_own_error_and_the_renderer_serves_on(in_processes, w):
    snapshot = gather(draft(w))
    renderer = service.in_renderer(os.getpid)
    with pytest.raises(KeyError, match="xls"):
        service.in_renderer(service.render, snapshot, "final", "xls")
    assert service.in_renderer(os.getpid) == renderer


def test_an_overrunning_render_times_out_and_its_process_is_replaced(in_processes):
    renderer = service.in_renderer(os.getpid)
    stuck = list(service.process_pool(in_processes)._processes.values())
    assert [p.pid for p in stuck] == [renderer]  # EXPORT_WORKERS: one by default
    with pytest.raises(service.RenderTimeout, match=r"longer than 0\.5 s"):
        service.in_renderer(time.sleep, 120, timeout=0.5)
    assert eventually(lambda: not any(p.is_alive() for p in stuck))
    assert service.in_renderer(os.getpid) not in {renderer, os.getpid()}


def test_without_processes_exports_render_in_threads(in_processes, w, monkeypatch):
    def impossible(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # sem_open in some sandboxes

    monkeypatch.setattr(service, "_processes", None)
    monkeypatch.setattr(service, "_no_processes", False)
    monkeypatch.setattr(service, "ProcessPoolExecutor", impossible)
    assert b"# Draft conclusions" in service.produce(draft(w), "final", "md").data
    assert service.in_renderer(threading.current_thread).name.startswith("export")
    assert service.process_pool(in_processes) is None


def test_no_renderer_outlives_a_killed_server():
    """The pool's queue gives a worker no sign of its parent's death; the renderer watches for it."""
    script = textwrap.dedent("""
        import os, sys, time
        from flask import Flask
        from flask_babel import Babel
        from forum.exports import service

        app = Flask("forum")
        Babel(app)
        with app.app_context():
            print(service.in_renderer(os.getpid), flush=True)
        time.sleep(600)
    """)
    server = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        renderer = int(server.stdout.readline())
        assert not gone(renderer)
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
    assert eventually(lambda: gone(renderer))
