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
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "api_example.py"


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


DELEGATES = ["amina.diallo", "lucas.moreau", "wanjiru.kamau", "jin.park", "sofia.rossi", "rosa.quispe",
             "omar.haddad"]


def test_the_whole_meeting_example_runs(app, server, make_user, token_for, monkeypatch, tmp_path):
    """Issue 9's done-when: docs/api_example.py runs a whole meeting with requests and tokens only."""
    from forum.drafting.models import Amendment, AmendmentState, Paragraph, ParagraphState
    from forum.positions.vote_models import Decision, Vote

    for name in DELEGATES:  # accounts from an earlier meeting; the import accredits them to this one
        make_user(f"{name}@example.org", name.replace(".", " ").title())
    printed_tokens = app.test_cli_runner().invoke(args=["forum", "create-token", *(f"{n}@example.org"
                                                                                   for n in DELEGATES)])
    assert printed_tokens.exit_code == 0, printed_tokens.output
    (tmp_path / "tokens.tsv").write_text(printed_tokens.output)
    monkeypatch.setenv("FORUM_URL", server)
    monkeypatch.setenv("FORUM_TOKEN", token_for(make_user(staff=True)))
    monkeypatch.setenv("FORUM_TOKENS", str(tmp_path / "tokens.tsv"))
    monkeypatch.setenv("FORUM_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("FORUM_EXAMPLE_SUFFIX", "2027")
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(SCRIPT.read_text(), str(SCRIPT), "exec"), {"__name__": "__main__"})
    printed = out.getvalue()
    assert "accredited 7" in printed and "compilation 1 : D.1, D.2" in printed
    # Rule 31, equal strength: 3 States, 2 Employer and 2 Worker members weigh 6 each.
    assert "weights: government 2, employer 3, worker 3 | weighted for 12 against 6 | quorum reached | " \
           "result adopted" in printed
    assert "D.1 adopted              vote:record  employers oppose   workers support  statements KE support, " \
           "FR support" in printed
    db.session.expire_all()
    vote = db.session.scalars(sa.select(Vote)).one()
    assert vote.results["outcome"] == "adopted" and vote.type.value == "record"
    amendments = {a.number: a for a in db.session.scalars(sa.select(Amendment))}
    assert amendments[1].state is AmendmentState.adopted and amendments[2].state is AmendmentState.rejected
    states = {p.label: p.state for p in db.session.scalars(sa.select(Paragraph))}
    assert states["2"] is ParagraphState.adopted_as_amended and states["1"] is ParagraphState.adopted
    methods = sorted(d.method for d in db.session.scalars(sa.select(Decision)))
    assert methods.count("vote:record") == 1 and methods.count("consensus") == 7
    docx = (tmp_path / "exports" / "conclusions-2027.docx").read_bytes()
    pdf = (tmp_path / "exports" / "conclusions-2027.pdf").read_bytes()
    assert docx[:2] == b"PK" and pdf[:4] == b"%PDF"
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    words = "".join(re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)</w:(?:t|delText)>", xml))
    assert "(No. 152)" in words and "<w:ins " in xml  # the adopted amendment, as a tracked change
