"""`tools/audit_deps.py`: pip-audit on the pinned requirements, failing on a known vulnerable pin
and tolerating an advisory database that cannot be reached. Real pip-audit runs against a small
OSV server of our own (the same API as osv.dev), so the verdict logic is tested end to end."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT

ADVISORY = {"id": "GHSA-462w-v97r-4m45", "aliases": ["CVE-2019-10906"], "schema_version": "1.4.0",
            "summary": "Jinja2 sandbox escape via string formatting",
            "affected": [{"package": {"name": "jinja2", "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}]}]}


class _OSV(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.status != 200:
            self.send_response(self.status)
            self.end_headers()
            return
        package, version = query["package"]["name"], query["version"]
        body = {"vulns": [ADVISORY]} if (package, version) == ("jinja2", "2.10") else {}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def osv() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_OSV,), {}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def audit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "audit_deps.py"), *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)


def url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v1/query"


def requirements(tmp_path, *pins: str):
    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(pins) + "\n")
    return str(path)


def test_a_known_vulnerable_pin_fails_the_audit(osv, tmp_path):
    result = audit("-r", requirements(tmp_path, "jinja2==2.10", "itsdangerous==2.2.0"), "--osv-url", url(osv))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "jinja2==2.10:" in result.stderr and "GHSA-462w-v97r-4m45" in result.stderr
    assert "(fixed in: 2.10.1)" in result.stderr


def test_clean_pins_pass_the_audit(osv, tmp_path):
    result = audit("-r", requirements(tmp_path, "jinja2==3.1.6", "itsdangerous==2.2.0"), "--osv-url", url(osv))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities in 2 pins" in result.stdout


def test_an_unreachable_advisory_database_warns_but_does_not_fail(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    result = audit("-r", requirements(tmp_path, "jinja2==2.10"), "--osv-url", f"http://127.0.0.1:{closed}/v1/query",
                   "--timeout", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "could not be reached; dependencies NOT audited" in result.stdout


def test_an_advisory_database_in_trouble_warns_but_does_not_fail(osv, tmp_path):
    osv.RequestHandlerClass.status = 503
    result = audit("-r", requirements(tmp_path, "jinja2==2.10"), "--osv-url", url(osv))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "NOT audited" in result.stdout


def test_a_broken_audit_fails(tmp_path):
    result = audit("-r", str(tmp_path / "missing.txt"))
    assert result.returncode == 2


def test_the_verdict_when_no_pin_could_be_looked_up():
    """A mirror that knows no advisories answers 'not found' for every pin: said, not passed off as clean."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from audit_deps import verdict
    finally:
        sys.path.remove(str(ROOT / "tools"))
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "skip_reason": "Dependency not found on PyPI"}]}
    code, message = verdict(report, 0, "")
    assert code == 0 and "NOT audited" in message
    code, message = verdict({"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}, 0, "")
    assert code == 0 and "No known vulnerabilities in 1 pins" in message

