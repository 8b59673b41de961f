"""Faults with real processes: a server started as an operator starts it, on the test's database
(tests/servers.py's `Server`: start, kill -9, start again)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tests import servers
from tests.servers import Server, free_port

__all__ = ["Server", "free_port", "serve"]


def serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    """A started server's URL until the generator is closed (for fixtures: `yield from serve(...)`)."""
    with servers.serve(database_url, folder, **env) as url:
        yield url
