"""Faults with real processes: a server started as an operator starts it, on the test's database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    """`flask forum serve` on `database_url`, until the generator is closed (bounded waits)."""
    port = free_port()
    environ = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "faults-test-secret",
               "FORUM_UPLOAD_DIR": str(folder / "uploads"), "FORUM_ENV": "development", **env}
    log_path = folder / f"server-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "forum", "serve", "--port", str(port)],
                            cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            if requests.get(f"{url}/login", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            log.close()
            pytest.fail("server did not start: " + log_path.read_text()[-2000:])
        time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
