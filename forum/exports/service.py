"""Which exports exist, and how one is produced without holding up live traffic.

An export is two steps, both where exports render: a separate **renderer process** (a
`ProcessPoolExecutor` of `EXPORT_WORKERS` processes, 1 by default, started with `spawn` on the
first export, at a lower priority, and shut down at exit). *Gathering* reads the draft into a
`Snapshot` in a read transaction of the renderer's own (its own engine on the server's database,
read-only); *rendering* (PDF layout, zip compression) makes the file. Both are Python holding the
interpreter lock: in a thread of the server they would stall every socket of the process
(benchmark B9); in a process of their own they only take a core. The request checks permission,
sends the draft's id, kind, format, language and stated time, and waits for the bytes. Nothing is
written: exports change no state and are not audited.

`EXPORT_POOL = "thread"` does both in a thread pool of the server process instead, the same code
(the tests' default, so that each test worker does not start a renderer; and the fallback where no
process can start, or where the database is in memory and no other process could read it).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_babel import Babel, force_locale, get_locale

from forum.drafting.models import Draft
from forum.exports import akoma_ntoso, content, docx, html, markdown, pdf, tabular
from forum.exports.model import Snapshot, gather

log = logging.getLogger(__name__)
T = TypeVar("T")

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


# --- Where rendering runs ------------------------------------------------------------------------

RENDER_TIMEOUT = 300.0  # seconds a request waits for its file
_JINJA_SETTINGS = ("trim_blocks", "lstrip_blocks", "keep_trailing_newline")

_lock = threading.Lock()
_threads: ThreadPoolExecutor | None = None
_threads_pid = 0
_processes: ProcessPoolExecutor | None = None
_processes_pid = 0
_processes_settings: dict[str, Any] | None = None  # what its renderers were started with
_no_processes = False  # starting a renderer process failed in this process: threads from now on
_retired_stuck: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()  # stopped: a render overran its time


class RenderTimeout(TimeoutError):
    """The render did not finish in time (the request gets an error, as before)."""


class GatherFailed(RuntimeError):
    """Reading the draft for an export failed: the draft is gone, or the database refused.

    Plain text (the renderer's traceback is attached in the process pool), so it always crosses back.
    """


def workers(app: Flask) -> int:
    """How many exports render at once in this server process, whatever the number of clicks."""
    return max(1, int(app.config.get("EXPORT_WORKERS", 1)))


def render_mode(app: Flask) -> str:
    """`EXPORT_POOL`: "process" (the default) or "thread" (the default under TESTING)."""
    mode = str(app.config.get("EXPORT_POOL") or ("thread" if app.testing else "process")).strip().lower()
    if mode not in ("process", "thread"):
        raise ValueError(f"EXPORT_POOL must be 'process' or 'thread', not {mode!r}")
    return mode


def pool(app: Flask) -> ThreadPoolExecutor:
    """The in-process pool: `EXPORT_POOL=thread`, the fallback, and the callers that pass the app."""
    global _threads, _threads_pid
    with _lock:
        if _threads is None or _threads_pid != os.getpid():
            _threads = ThreadPoolExecutor(max_workers=workers(app), thread_name_prefix="export")
            _threads_pid = os.getpid()
        return _threads


def process_pool(app: Flask) -> ProcessPoolExecutor | None:
    """This process's renderer processes: one pool per process (a forked child makes its own),
    created on the first export, its processes started as renders come; None where none can start.
    An app with other settings (another database: the tests' backends) gets a pool of its own."""
    global _processes, _processes_pid, _processes_settings, _no_processes
    settings = _renderer_settings(app)
    with _lock:
        if _processes is not None and _processes_pid == os.getpid():
            if _processes_settings == settings:
                return _processes
            previous, _processes = _processes, None
            previous.shutdown(wait=False)  # a render under way finishes; the next ones go to the new pool
        if _no_processes:
            return None
        try:
            # spawn: a fresh interpreter, so nothing of the server (threads, sockets, locks) is inherited.
            _processes = ProcessPoolExecutor(max_workers=workers(app), mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_renderer, initargs=(settings,))
        except (OSError, ImportError, NotImplementedError) as exc:  # e.g. no POSIX semaphores in a sandbox
            log.warning("Exports render in threads of the server: no renderer process can start here (%s)", exc)
            _no_processes = True
            return None
        _processes_pid = os.getpid()
        _processes_settings = settings
        return _processes


def _private_database(app: Flask) -> bool:
    """An in-memory SQLite database: no other process can read it, so exports gather in threads."""
    from sqlalchemy.engine import make_url

    url = make_url(str(app.config.get("SQLALCHEMY_DATABASE_URI") or "sqlite://"))
    return url.get_backend_name() == "sqlite" and (not url.database or ":memory:" in url.database
                                                   or url.query.get("mode") == "memory")


def in_renderer(fn: Callable[..., T], *args: Any, timeout: float | None = RENDER_TIMEOUT) -> T:
    """`fn(*args)` where exports render, within an app context in the caller's locale; wait for it.

    In the renderer process `fn` and `args` are pickled: a top-level function and plain data. A
    failure raises the render's own exception here; a render that overruns `timeout` raises
    `RenderTimeout` and, if it had started, its process is stopped (a fresh one serves the next).
    """
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    locale = str(get_locale() or "en")
    for attempt in (1, 2):
        executor = process_pool(app) if render_mode(app) == "process" and not _private_database(app) else None
        if executor is None:
            return _wait(pool(app).submit(_render_within, app, locale, fn, args), timeout)
        try:
            future = executor.submit(_render_in_renderer, locale, fn, args)
        except OSError as exc:  # no process could start (out of memory, of processes): this one in a thread
            log.warning("Export rendered in a thread of the server: the renderer process did not start (%s)", exc)
            _retire(executor)
            return _wait(pool(app).submit(_render_within, app, locale, fn, args), timeout)
        except RuntimeError:  # broken or shut down by another request just now
            _retire(executor)
            if attempt == 1:
                continue
            raise
        try:
            return _wait(future, timeout)
        except RenderTimeout:
            if not future.cancel():
                _retire(executor, stuck=True)
            raise
        except (BrokenProcessPool, CancelledError) as exc:
            # Stopped because another render overran: not this one's fault, so once more on a fresh pool.
            if executor in _retired_stuck and attempt == 1:
                continue
            _retire(executor)
            raise BrokenProcessPool("The export renderer process stopped while rendering (see the server log).") \
                from exc
    raise AssertionError("unreachable")


def _wait(future: Future, timeout: float | None) -> Any:
    done, _ = wait([future], timeout=timeout)
    if not done:
        raise RenderTimeout(f"Rendering the export took longer than {timeout:g} s.")
    return future.result()


def _retire(executor: ProcessPoolExecutor, *, stuck: bool = False) -> None:
    """Stop a renderer pool that is stuck or broken; the next export starts a fresh one."""
    global _processes
    with _lock:
        if _processes is executor:
            _processes = None
        if stuck:
            _retired_stuck.add(executor)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop this process's pools, letting a running render finish (at exit; tests call it too)."""
    global _processes, _threads
    with _lock:
        mine = os.getpid()
        processes = _processes if _processes_pid == mine else None
        threads = _threads if _threads_pid == mine else None
        _processes = _threads = None
    if processes is not None:
        processes.shutdown(wait=True, cancel_futures=True)
    if threads is not None:
        threads.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def produce(draft: Draft, kind: str, fmt: str, *, language: str | None = None, as_of: datetime | None = None,
            timeout: float | None = RENDER_TIMEOUT) -> Export:
    """Gather and render where exports render; the request only waits for the file.

    The caller has checked permission (404/403 are decided before this). Only plain data crosses:
    the draft's id, the kind, format, language and stated time; the reader's interface language
    goes with every call (`in_renderer`). Gathering does not depend on who reads: exports hold the
    public record alone, the same for every reader allowed to export. The request's own read
    transaction is ended first (nothing was written), so it holds no snapshot while it waits.
    """
    from forum.extensions import db

    draft_id = draft.id
    db.session.rollback()
    return in_renderer(export_of, draft_id, kind, fmt, language, as_of, timeout=timeout)


def export_of(draft_id: int, kind: str, fmt: str, language: str | None = None,
              as_of: datetime | None = None) -> Export:
    """Gather the draft in a read transaction of this thread's own session, end it, render (in the
    renderer process or an export thread: called through `in_renderer`, within an app context)."""
    from forum.extensions import db

    try:
        draft = db.session.get(Draft, draft_id)
        if draft is None:
            raise GatherFailed(f"Draft {draft_id} no longer exists: nothing to export.")
        snapshot = gather(draft, as_of=as_of, language=language)
    except GatherFailed:
        raise
    except Exception as exc:
        raise GatherFailed(f"Gathering draft {draft_id} for its export failed: {type(exc).__name__}: {exc}") from exc
    finally:
        db.session.rollback()  # nothing was written: this only ends the read transaction
    return render(snapshot, kind, fmt)


# --- In the renderer process -----------------------------------------------------------------------

_renderer_app: Flask | None = None


def _renderer_settings(app: Flask) -> dict[str, Any]:
    """What a renderer needs of the server's app (plain data, pickled to the new process): where the
    templates and catalogues are, and the template settings, so that the files come out the same;
    and the server's database settings, so that it gathers from the same database."""
    babel = app.extensions.get("babel")
    directories = list(getattr(babel, "translation_directories", None) or [os.path.join(app.root_path, "translations")])
    config = {key: app.config[key] for key in ("BABEL_DEFAULT_LOCALE", "BABEL_DEFAULT_TIMEZONE", "BABEL_DOMAIN")
              if key in app.config}
    database = None
    if "sqlalchemy" in app.extensions and app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = {key: app.config[key] for key in _DATABASE_SETTINGS if key in app.config}
    return {"import_name": app.import_name, "root_path": app.root_path,
            "template_folder": os.path.join(app.root_path, app.template_folder or "templates"),
            "config": {**config, "BABEL_TRANSLATION_DIRECTORIES": ";".join(directories)},
            "jinja": {name: getattr(app.jinja_env, name) for name in _JINJA_SETTINGS},
            "nice": int(app.config.get("EXPORT_NICE", 10)), "database": database}


_DATABASE_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "SQLALCHEMY_BINDS",
                      "SQLITE_BUSY_TIMEOUT_MS")


def _start_renderer(settings: dict[str, Any]) -> None:
    """A renderer process's start: a minimal app (templates, translations, and the server's database
    set up by the app factory's own code, read-only). Ctrl-C is the server's to handle, and the
    process leaves when the server does. It runs at a lower priority (`EXPORT_NICE`, 10): on a busy
    machine the live sitting's process and its sockets get the cores first, and a file takes a little
    longer."""
    global _renderer_app
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _leave_with_parent()
    if settings.get("nice"):
        try:
            os.nice(settings["nice"])
        except (AttributeError, OSError):  # not on this platform, or not allowed: render at the same priority
            pass
    app = Flask(settings["import_name"], root_path=settings["root_path"], template_folder=settings["template_folder"])
    app.config.update(settings["config"])
    for name, value in settings["jinja"].items():
        setattr(app.jinja_env, name, value)
    Babel(app)
    if settings.get("database"):
        from forum import _init_database

        app.config.update(settings["database"])
        app.config.setdefault("SQLITE_BUSY_TIMEOUT_MS", 10_000)
        _init_database(app)  # the factory's: engine options, SQLite pragmas, PostgreSQL in UTC
        _read_only(app)
    _renderer_app = app


def _read_only(app: Flask) -> None:
    """The renderer only reads: every connection it opens refuses writes (SQLite `query_only`,
    PostgreSQL read-only transactions), whatever code runs there."""
    from sqlalchemy import event

    from forum.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _refuse_writes(dbapi_conn: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()
        else:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_conn.commit()


def _leave_with_parent() -> None:
    """Exit when the server process dies, even by SIGKILL: the pool's own queue never says so."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="export-renderer-watch", daemon=True).start()


def _render_in_renderer(locale: str, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    if _renderer_app is None:
        raise RuntimeError("not a renderer process")
    return _render_within(_renderer_app, locale, fn, args)


def _render_within(app: Flask, locale: str, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    with app.test_request_context("/"), force_locale(locale):
        return fn(*args)
