"""Fixtures: one migrated database per xdist worker and backend, factories, signed-in clients.

Tests marked `postgres` run against SQLite and against the PostgreSQL on 127.0.0.1:5432. Without
a PostgreSQL server they are skipped with the reason, except with CI=true, where they fail.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from forum import create_app
from forum.db import unit_of_work
from forum.extensions import db as _db

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REFERENCE_TABLES = {"regional_groups", "regional_group_states", "alembic_version"}
PASSWORD = "correct horse battery"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: also run against PostgreSQL")
    config.addinivalue_line("markers", "redis: needs the Redis server")
    config.addinivalue_line("markers", "scale: the scale-out mode, on PostgreSQL only")


SERIAL_DIRS = {"e2e", "faults", "scale"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser, fault and scale tests start real servers and browsers: they run as one serial group
    (one xdist worker, with `--dist loadgroup`) so that they never fight each other for the cores."""
    serial = pytest.mark.xdist_group("serial")
    for item in items:
        if item.path.parent.name in SERIAL_DIRS and item.path.parent.parent.name == "tests":
            item.add_marker(serial)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker
        backends = (["postgres"] if marker("scale") else
                    ["sqlite", "postgres"] if marker("postgres") else ["sqlite"])
        metafunc.parametrize("backend", backends, scope="session")


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def service_missing(what: str, reason: str) -> None:
    message = f"{what} is not available: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing service is a failure)")
    pytest.skip(message)


def _postgres_url() -> str:
    """A database of this test run's own: parallel runs (and xdist workers) never share one."""
    import psycopg

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:12]
    name = f"forum_test_{run}_{worker_id()}".lower()
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        service_missing("PostgreSQL", str(exc).strip().splitlines()[0])
    _created_databases.append(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


_created_databases: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import shutil

    for app in _apps.values():  # this process's stored files (UPLOAD_DIR is per test process)
        shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)
    if not _created_databases:
        return
    import psycopg

    for app in _apps.values():
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            for name in _created_databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass


def migrate(app: Any) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


_apps: dict[str, Any] = {}


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Pages render with the catalogues as they are in the .po files (compiled when stale)."""
    from forum.i18n import compile_catalogues

    compile_catalogues()


def base_config(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Per test process: two test runs at once (or a run beside a benchmark) never share stored files.
        "UPLOAD_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / f"forum-uploads-{worker_id()}-{os.getpid()}"),
        "SERVER_NAME": "forum.test",
        **extra,
    }


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "postgres":
        return _postgres_url()
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'forum.sqlite3'}"


@pytest.fixture(scope="session")
def session_app(database_url: str) -> Any:
    if database_url not in _apps:
        app = create_app(base_config(database_url))
        app.test_client_class = IsolatingClient
        migrate(app)
        _apps[database_url] = app
    return _apps[database_url]


def clean(app: Any) -> None:
    with app.app_context():
        _db.session.remove()
        engine = _db.engine
        tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        # DELETE beats TRUNCATE on PostgreSQL for tables this small.
        with engine.begin() as conn:
            for t in tables:
                conn.execute(t.delete())


@contextmanager
def outside_app_context() -> Iterator[None]:
    """Let a request push its own app context (and so its own `g` and database session).

    The `app` fixture keeps an app context open for the test's own database work; without this,
    every request in a test would share it, with one `g` (the signed-in user cached across
    clients) and one session, which hides real bugs.
    """
    token = _cv_app.set(None)  # type: ignore[arg-type]
    try:
        yield
    finally:
        _cv_app.reset(token)
        if _db.session.registry.has():
            _db.session.rollback()  # the test's next reads see what the request committed


class IsolatingClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        with outside_app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(session_app: Any) -> Iterator[Any]:
    clean(session_app)
    from forum.accounts import throttle

    session_app.extensions.pop(throttle._EXT, None)
    session_app.extensions.pop("forum_ratelimit", None)  # forum.ratelimit: counters of earlier tests
    with session_app.app_context():
        yield session_app
        _db.session.remove()


@pytest.fixture
def client(app: Any):
    return app.test_client()


# --- factories ----------------------------------------------------------------------------------

_counter = itertools.count(1)


@pytest.fixture
def make_user(app: Any) -> Callable[..., Any]:
    from forum.accounts.models import User

    def make(email: str | None = None, name: str | None = None, *, staff: bool = False,
             admin: bool = False, active: bool = True, password: str = PASSWORD, locale: str = "en") -> User:
        n = next(_counter)
        with unit_of_work():
            user = User(email=email or f"user{n}@example.org", name=name or f"User {n}", is_staff=staff,
                        is_admin=admin, active=active, locale=locale, session_generation=1)
            # A cheap hash keeps hundreds of sign-ins fast; production uses werkzeug's default.
            user.password_hash = generate_password_hash(password, "pbkdf2:sha256:1000")
            _db.session.add(user)
        return user

    return make


@pytest.fixture
def make_meeting(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from forum.meetings.services import create_meeting

    def make(creator: Any = None, **fields: Any) -> Any:
        creator = creator or make_user(staff=True)
        values = {"title": "Tripartite meeting", "symbol_prefix": f"TM/{next(_counter)}",
                  "languages": ["en", "fr", "es"], "timezone": "Europe/Zurich", **fields}
        with unit_of_work():
            meeting = create_meeting(creator, **values)
        return meeting

    return make


@pytest.fixture
def make_participant(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from datetime import date

    from forum.meetings.models import (
        Capacity,
        Group,
        Membership,
        Office,
        OfficeRole,
        Participant,
        RegionalGroup,
    )
    from forum.meetings.services import default_membership, ensure_spaces

    def make(meeting: Any, group: str = "government", capacity: str = "delegate", *,
             member_state: str | None = None, roles: tuple[str, ...] = (), regional_group: str | None = None,
             user: Any = None, membership: str | None = None, **user_fields: Any) -> Participant:
        user = user or make_user(**user_fields)
        g, c = Group(group), Capacity(capacity)
        if g is Group.government and member_state is None and c is not Capacity.secretariat:
            member_state = "KE"
        with unit_of_work():
            p = Participant(meeting_id=meeting.id, user_id=user.id, group=g, capacity=c, member_state=member_state)
            _db.session.add(p)
            _db.session.flush()
            kind = membership or default_membership(c).value
            p.memberships.append(Membership(kind=kind, effective_from=date(2000, 1, 1)))
            for role in roles:
                rg_id = None
                if role == "coordinator" and regional_group:
                    rg_id = _db.session.scalars(
                        sa.select(RegionalGroup.id).where(RegionalGroup.code == regional_group)).one()
                _db.session.add(Office(meeting_id=meeting.id, participant_id=p.id, role=OfficeRole(role),
                                       regional_group_id=rg_id))
            ensure_spaces(None, _db.session.merge(meeting))
        return p

    return make


@pytest.fixture
def login(app: Any) -> Callable[..., Any]:
    """Sign a user in on a new (or given) test client."""

    def do(user: Any, client: Any = None, password: str = PASSWORD, remember: bool = False) -> Any:
        client = client or app.test_client()
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "remember": "y" if remember else ""})
        assert response.status_code == 302, response.data[:500]
        return client

    return do


class _SMTPRecorder:
    """A small real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        import socket
        import threading

        self.messages: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                def say(line: str) -> None:
                    f.write(line.encode() + b"\r\n")
                    f.flush()

                say("220 test")
                data: list[str] = []
                in_data = False
                for raw in f:
                    line = raw.decode(errors="replace").rstrip("\r\n")
                    if in_data:
                        if line == ".":
                            self.messages.append("\n".join(data))
                            in_data, data = False, []
                            say("250 OK")
                        else:
                            data.append(line)
                        continue
                    verb = line.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250 test")
                    elif verb == "DATA":
                        in_data = True
                        say("354 go on")
                    elif verb == "QUIT":
                        say("221 bye")
                        break
                    else:
                        say("250 OK")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def smtp_server() -> Iterator[_SMTPRecorder]:
    server = _SMTPRecorder()
    yield server
    server.close()


class SocketClient:
    """Flask-SocketIO's test client, run outside the test's app context like HTTP requests."""

    def __init__(self, app: Any, http_client: Any = None, auth: Any = None, headers: Any = None) -> None:
        from forum.extensions import socketio

        with outside_app_context():
            self._client = socketio.test_client(app, flask_test_client=http_client, auth=auth, headers=headers)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with outside_app_context():
                return attr(*args, **kwargs)

        return call

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        received = self._client.get_received() if self._client.is_connected() else self._client.queue
        return [e for e in received if name is None or e["name"] == name]


@pytest.fixture
def socket_client(app: Any) -> Callable[..., SocketClient]:
    made: list[SocketClient] = []

    def make(http_client: Any = None, auth: Any = None, headers: Any = None) -> SocketClient:
        client = SocketClient(app, http_client, auth, headers)
        made.append(client)
        return client

    yield make
    for client in made:
        if client._client.is_connected():
            client.disconnect()


@pytest.fixture
def count_queries(app: Any) -> Callable[[], Any]:
    """Count the SQL statements a block runs: `with count_queries() as counter: ...; counter.n`."""

    class Counter:
        n = 0
        statements: list[str] = []

    @contextmanager
    def counting() -> Iterator[Counter]:
        counter = Counter()
        counter.statements = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SET ")):
                counter.n += 1
                counter.statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting
