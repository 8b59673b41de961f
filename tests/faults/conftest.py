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


class Server:
    """`flask forum serve` on `database_url`, as an operator runs it; start, kill -9, start again."""

    def __init__(self, database_url: str, folder: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.environ = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "faults-test-secret",
                        "FORUM_UPLOAD_DIR": str(folder / "uploads"), "FORUM_ENV": "development", **env}
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Server:
        self.starts += 1
        log_path = self.folder / f"server-{self.port}-{self.starts}.log"
        with open(log_path, "w") as log:
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
                self.proc.kill()
                pytest.fail("server did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.2)

    def kill9(self) -> None:
        """The power cut: SIGKILL, no cleanup, no flushing."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    """A started server's URL until the generator is closed (bounded waits)."""
    server = Server(database_url, folder, **env).start()
    try:
        yield server.url
    finally:
        server.stop()
