"""The worked example of docs/api.md runs, with `requests`, against a real server process thread."""

from __future__ import annotations

import io
import re
import threading
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from forum.extensions import db
from forum.meetings.models import Participant

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def example_script() -> str:
    text = DOC.read_text()
    section = text[text.index("## Worked example"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def server(app, session_app):
    from forum import create_app

    # As deployed: no SERVER_NAME, so the `next` links name the host the client used.
    served = create_app({**session_app.config, "SERVER_NAME": None, "TESTING": True})
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_the_worked_example_runs(server, make_user, token_for, monkeypatch):
    token = token_for(make_user(staff=True))
    monkeypatch.setenv("FORUM_URL", server)
    monkeypatch.setenv("FORUM_TOKEN", token)
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(example_script(), str(DOC), "exec"), {"__name__": "__main__"})
    printed = out.getvalue()
    assert "5 accredited, 0 updated, 0 unchanged" in printed
    assert "6 participants:" in printed and "participant.remove" in printed
    assert "spaces: Plenary, Officers' room" in printed  # the secretariat sees no caucus
    removed = db.session.scalars(sa.select(Participant).where(Participant.removed_at.is_not(None))).one()
    assert removed.user.email == "tomas.berg@example.org"
