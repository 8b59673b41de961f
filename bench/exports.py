"""Export benchmarks (issue #8): a draft of 60 paragraphs with 300 circulated amendments, every
document in every format, and what an export running in the pool does to live traffic.

Run alone with `.venv/bin/python bench/exports.py`, or as part of `make bench` (BENCH_QUICK=1: E1
and E3 only). Throw-away SQLite database with the production pragmas, the app in-process.

E1  gathering the snapshot (every SELECT the exports need)        baseline: one page of the draft
E2  rendering each (document, format)                             (absolute)
E3  a bare endpoint while compilation PDFs export                baseline: the same endpoint, idle
    gathered and rendered in the renderer process (the default since 2026-11-28), gathered in the
    request and rendered in the renderer process (the morning of 2026-11-28), and both in a thread of
    the app (EXPORT_POOL=thread, the old way)
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPHS = 60
AMENDMENTS_PER_PARAGRAPH = 5
WORDS = ("workers", "employers", "Governments", "migration", "recruitment", "skills", "protection", "dialogue",
         "rights", "égalité", "négociation", "formación", "información", "accès", "justice")


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def ms(samples: list[float]) -> str:
    values = sorted(s * 1000 for s in samples)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return f"median {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms"


def sentence(i: int) -> str:
    words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(28)]
    return f"Paragraph {i}: the " + " ".join(words) + " should be respected in every case."


def build(app):
    from werkzeug.security import generate_password_hash

    from forum.accounts.models import User
    from forum.db import unit_of_work
    from forum.drafting import amendments as svc
    from forum.drafting import drafts, queries
    from forum.drafting.importing import ParsedDraft, ParsedParagraph, ParsedPart
    from forum.drafting.models import Draft, Mover, MoverKind, Paragraph
    from forum.extensions import db
    from forum.meetings.models import Capacity, Group, Office, OfficeRole, Participant
    from forum.meetings.services import create_meeting, ensure_spaces

    with app.app_context():
        with unit_of_work():
            hashed = generate_password_hash("bench password")
            staff = User(email="sec@bench", name="Secretariat", is_staff=True, password_hash=hashed)
            db.session.add(staff)
            db.session.flush()
            meeting = create_meeting(staff, title="Export bench", symbol_prefix="EB/1", languages=["en", "fr"],
                                     timezone="UTC")
            people = {}
            for key, group, state in (("ke", "government", "KE"), ("de", "government", "DE"),
                                      ("chair", "government", "BR"), ("emp", "employer", None),
                                      ("wkr", "worker", None)):
                user = User(email=f"{key}@bench", name=f"Délégué {key.upper()}", password_hash=hashed)
                db.session.add(user)
                db.session.flush()
                participant = Participant(meeting_id=meeting.id, user_id=user.id, group=Group(group),
                                          capacity=Capacity.delegate, member_state=state)
                db.session.add(participant)
                db.session.flush()
                people[key] = user
                if key == "chair":
                    db.session.add(Office(meeting_id=meeting.id, participant_id=participant.id,
                                          role=OfficeRole.chair))
            ensure_spaces(staff, meeting)
            structure = ParsedDraft(preamble="The meeting adopts the following conclusions:", parts=[
                ParsedPart(f"Part {n}", [ParsedParagraph(sentence(n * 20 + i)) for i in range(PARAGRAPHS // 3)])
                for n in range(3)])
            draft = drafts.create_draft(staff, meeting, title="Draft conclusions", symbol="EB/1/D.1",
                                        original_language="en", structure=structure)
            drafts.open_draft(staff, draft)
        draft_id = draft.id
        ids = {k: u.id for k, u in people.items()}
        staff_id = staff.id

        def user(key):
            return db.session.get(User, ids[key]) if key != "sec" else db.session.get(User, staff_id)

        paragraphs = list(db.session.scalars(db.select(Paragraph.id).where(
            Paragraph.draft_id == draft_id, Paragraph.label != "preamble").order_by(Paragraph.position)))
        kenya = Mover(MoverKind.state, states=("KE",))
        filed: list[list[int]] = []
        for paragraph_id in paragraphs:
            group = []
            for k in range(AMENDMENTS_PER_PARAGRAPH):
                with unit_of_work():
                    d = db.session.get(Draft, draft_id)
                    p = db.session.get(Paragraph, paragraph_id)
                    base = queries.current_text(p.id, "en").text
                    text = base.replace("should", ["shall", "must", "may", "will", "ought to"][k], 1)
                    a = svc.file_amendment(user("ke"), d, p, mover=kenya, kind="modify", language="en", text=text,
                                           explanation=f"Amendment {k} — précision")
                    svc.submit_amendment(user("ke"), a)
                    svc.validate_amendment(user("sec"), a)
                    group.append(a.id)
            filed.append(group)
        with unit_of_work():
            svc.circulate_amendments(user("sec"), db.session.get(Draft, draft_id))
        from forum.drafting.models import Amendment

        # Per paragraph: four rejected, then one adopted; paragraphs of the first two parts adopted.
        for n, group in enumerate(filed):
            for k, amendment_id in enumerate(group):
                with unit_of_work():
                    a = db.session.get(Amendment, amendment_id)
                    svc.second_amendment(user("de"), a)
                    svc.start_discussion(user("chair"), a)
                    svc.decide_amendment(user("chair"), a, "adopted" if k == len(group) - 1 else "rejected")
            if n < 2 * PARAGRAPHS // 3:
                with unit_of_work():
                    p = db.session.get(Paragraph, paragraphs[n])
                    drafts.decide_paragraph(user("chair"), p, "under_discussion")
                    drafts.decide_paragraph(user("chair"), p, "adopted_as_amended")
        count = db.session.scalar(db.select(db.func.count()).select_from(Amendment).where(
            Amendment.draft_id == draft_id))
        return draft_id, count


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="forum-bench-exports-"))
    os.environ["FORUM_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    from flask_migrate import upgrade

    from forum import create_app
    from forum.drafting.models import Draft
    from forum.exports import service
    from forum.exports.model import gather
    from forum.extensions import db

    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})

    @app.get("/_bench/bare")
    def bare():
        return {"ok": True}

    root = Path(__file__).resolve().parent.parent
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
    started = time.perf_counter()
    draft_id, count = build(app)
    print(f"built: {PARAGRAPHS} paragraphs, {count} amendments in {time.perf_counter() - started:.1f} s")

    with app.test_request_context("/"):
        draft = db.session.get(Draft, draft_id)
        e1 = timed(lambda: gather(draft), 5)
        snapshot = gather(draft)
        from forum.drafting import queries

        baseline = timed(lambda: list(db.session.scalars(queries.paragraphs_of_draft(draft_id))), 5)
        rows = []
        for kind, fmt in ([] if os.environ.get("BENCH_QUICK") == "1" else service.all_exports()):  # E2 is slow
            samples = timed(lambda kind=kind, fmt=fmt: service.render(snapshot, kind, fmt), 3)
            size = len(service.render(snapshot, kind, fmt).data)
            rows.append((kind, fmt, samples, size))

    client = app.test_client()
    idle = timed(lambda: client.get("/_bench/bare"), 200)

    def while_exporting(mode: str, gather_here: bool = False) -> tuple[list[float], float]:
        """Bare requests, one after the other, for as long as three compilation PDFs export in turn
        (`gather_here`: the snapshot gathered in the requesting thread, only the render sent over)."""
        app.config["EXPORT_POOL"] = mode

        def export_once(kind: str) -> None:
            draft = db.session.get(Draft, draft_id)
            if gather_here:
                service.in_renderer(service.render, gather(draft), kind, "pdf")
                db.session.rollback()
            else:
                service.produce(draft, kind, "pdf")

        with app.test_request_context("/"):
            export_once("final")  # warm: the process started, fonts read
        done = threading.Event()

        def export_again():
            with app.test_request_context("/"):
                for _ in range(3):
                    export_once("compilation")
            done.set()

        started = time.perf_counter()
        threading.Thread(target=export_again).start()
        busy: list[float] = []
        while not done.is_set():
            busy += timed(lambda: client.get("/_bench/bare"), 1)
        return busy, time.perf_counter() - started

    busy_thread, thread_s = while_exporting("thread")
    busy_split, split_s = while_exporting("process", gather_here=True)
    busy_process, process_s = while_exporting("process")

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"E1 gather snapshot             {ms(e1)}")
    print(f"   baseline: paragraphs query  {ms(baseline)}")
    for kind, fmt, samples, size in rows:
        print(f"E2 {kind:12} {fmt:5}            {ms(samples)}  {size / 1024:8.1f} KiB")
    print(f"E3 bare endpoint while 3 compilation PDFs export, all in the renderer  {ms(busy_process)}  "
          f"({len(busy_process) / process_s:.0f} requests/s over {process_s:.1f} s)")
    print(f"   gathered in the request, rendered in the renderer      {ms(busy_split)}  "
          f"({len(busy_split) / split_s:.0f} requests/s over {split_s:.1f} s)")
    print(f"   both in a thread of the app (EXPORT_POOL=thread)        {ms(busy_thread)}  "
          f"({len(busy_thread) / thread_s:.0f} requests/s over {thread_s:.1f} s)")
    print(f"   bare endpoint, idle                                       {ms(idle)}  "
          f"({len(idle) / sum(idle):.0f} requests/s)")


if __name__ == "__main__":
    main()
