"""One way for tests to run the app as an operator runs it: `flask forum serve` in its own process,
on the test's database, started, killed with SIGKILL and started again as a test needs."""

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


class Server:
    """`flask forum serve` on `database_url`, uploads and logs under `folder`; `env` adds to or
    overrides the FORUM_* settings. Each start writes its own log, quoted if the server won't start."""

    def __init__(self, database_url: str, folder: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.environ = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "served-test-secret",
                        "FORUM_UPLOAD_DIR": str(folder / "uploads"), "FORUM_ENV": "development", **env}
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = folder / f"server-{self.port}-0.log"

    def start(self) -> Server:
        """Start and wait (30 s at most) until it serves the sign-in page; fail the test otherwise."""
        self.starts += 1
        self.log_path = self.folder / f"server-{self.port}-{self.starts}.log"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "forum", "serve", "--port", str(self.port)],
                cwd=ROOT, env=self.environ, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                if requests.get(f"{self.url}/login", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.kill9()
                pytest.fail("server did not start: " + self.log_path.read_text()[-2000:])
            time.sleep(0.2)

    def kill9(self) -> None:
        """The power cut: SIGKILL, no cleanup, no flushing. What was acknowledged must be on disk."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """The operator's stop: SIGTERM, then SIGKILL after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextmanager
def serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    """A started server's URL until the block ends."""
    server = Server(database_url, folder, **env).start()
    try:
        yield server.url
    finally:
        server.stop()
