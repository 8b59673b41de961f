"""One way for tests to run the app as a user runs it: `flask forum serve` in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    """Serve on a free loopback port until the block ends; fail the test with the log if it won't start."""
    port = free_port()
    environ = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "served-test-secret",
               "FORUM_UPLOAD_DIR": str(folder / "uploads"), **env}
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
